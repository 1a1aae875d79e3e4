/**
 * The image's runtime tree, without Docker (needs: kafka, redis, and the npm registry for the
 * production install). The Dockerfile's build stage runs deploy/image/assemble.sh; this test runs
 * the same script into a temporary folder, then boots services and the CLI from that folder only.
 *
 * Proves that the tree the image ships holds everything a service needs at run time (bundles,
 * the detector's Lua scripts, production dependencies, the IP data packages) and nothing from the
 * dev dependencies is required: ingest and the detector reach /ready on the real stack and the CLI
 * analyzes a generated trail exactly as the repository's CLI does. It also checks the Dockerfile
 * and the chart agree on the working directory and the user.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { ServiceProcess } from './service-process';
import { freePort, requireTestEnv, uniqueName } from './test-env.util';

jest.setTimeout(10 * 60 * 1000);

const ROOT = resolve(__dirname, '../../..');

function run(
  command: string,
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    execFile(
      command,
      args,
      { cwd, maxBuffer: 64 * 1024 * 1024, env: { PATH: process.env['PATH'] ?? '' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

describe('image runtime tree (deploy/image/assemble.sh)', () => {
  let work: string;
  let app: string;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'image-'));
    app = join(work, 'app');
    const assembled = await run('bash', [join(ROOT, 'deploy/image/assemble.sh'), app], ROOT);
    if (assembled.code !== 0) {
      throw new Error(`assemble.sh failed (${assembled.code}):\n${assembled.stderr}`);
    }
  });

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill('SIGKILL')));
    rmSync(work, { recursive: true, force: true });
  });

  it('holds production dependencies only', async () => {
    const listed = await run('npm', ['ls', '--omit=dev', '--all', '--parseable'], app);
    expect(listed.code).toBe(0);
    const dev = await run('npm', ['ls', 'jest', 'typescript', 'esbuild', '--parseable'], app);
    expect(dev.stdout.trim()).toBe('');
  });

  it('boots ingest and the detector from the tree alone', async () => {
    const env = {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      REDIS_URL: requireTestEnv('REDIS_URL'),
      REDIS_PREFIX: `${uniqueName('image')}:`,
      KAFKA_ENSURE_TOPICS: 'true',
      KAFKA_TOPIC_PARTITIONS: '1',
      INGEST_INPUT_TOPIC: uniqueName('image-raw'),
      KAFKA_TOPIC_NORMALIZED_EVENTS: uniqueName('image-normalized'),
      KAFKA_TOPIC_IP_INSIGHTS: uniqueName('image-insights'),
      KAFKA_TOPIC_DEAD_LETTER: uniqueName('image-dlq'),
      LOG_LEVEL: 'warn',
    };
    for (const name of ['ingest', 'detector']) {
      const service = ServiceProcess.start(name, await freePort(), env, app);
      processes.push(service);
      await service.waitReady();
      expect(service.logs).not.toContain('Cannot find module');
    }
  });

  it('runs the CLI from the tree with the same result as the repository', async () => {
    const trail = join(work, 'trail');
    const generated = await run(
      'node',
      ['services/cli/bin/trail-insight.js', 'generate', trail, '--days', '9', '--seed', '5'],
      app,
    );
    expect(generated.code).toBe(0);
    const fromImage = await run(
      'node',
      ['services/cli/bin/trail-insight.js', 'analyze', trail],
      app,
    );
    const fromRepo = await run(
      'node',
      ['services/cli/bin/trail-insight.js', 'analyze', trail],
      ROOT,
    );
    expect(fromImage.code).toBe(fromRepo.code);
    expect(fromImage.stdout).toBe(fromRepo.stdout);
    expect(
      fromImage.stdout.split('\n').filter((line) => line.startsWith('{')).length,
    ).toBeGreaterThan(0);
  });

  it('agrees with the chart on working directory and user', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    const values = readFileSync(join(ROOT, 'helm/trail-insight/values.yaml'), 'utf8');
    const workingDir = /^\s*workingDir:\s*(\S+)/m.exec(values)?.[1];
    const runAsUser = /^\s*runAsUser:\s*(\d+)/m.exec(values)?.[1];
    const stages = dockerfile.split(/^FROM /m);
    const runtime = stages[stages.length - 1];
    expect(runtime).toContain(`WORKDIR ${workingDir}`);
    expect(runtime).toMatch(new RegExp(`^USER ${runAsUser}(:|$)`, 'm'));
    expect(runtime).toContain('COPY --from=build /app /app');
  });
});
