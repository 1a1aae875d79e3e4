/**
 * The bundled `trail-insight` binary as users run it (needs no servers; built with
 * deploy/build/bundle.mjs): SPEC §7 exit codes, stdout carrying only the JSON lines, and the
 * summary on stderr.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../../..');
const bin = join(root, 'services/cli/bin/trail-insight.js');

function run(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

/** One ActionTrail record of account 42 in cn-hangzhou. */
function record(time: string, id: string, ip = '203.0.113.5'): string {
  return JSON.stringify({
    eventId: id,
    eventTime: time,
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: ip,
    recipientAccountId: '42',
  });
}

describe('trail-insight binary', () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [join(root, 'deploy/build/bundle.mjs'), 'cli'], {
      stdio: 'ignore',
    });
    dir = mkdtempSync(join(tmpdir(), 'cli-binary-'));
    writeFileSync(
      join(dir, 'a.jsonl'),
      [record('2026-03-01T00:00:00Z', 'a'), '{oops', record('2026-03-08T00:00:00Z', 'b')].join(
        '\n',
      ),
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes IPInsight JSON lines on stdout and the summary on stderr, exit 0 despite bad lines', () => {
    const result = run('analyze', dir, '--model', 'none', '--min-baseline', '0');
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      sourceIpAddress: '203.0.113.5',
      eventCount: 1,
    });
    expect(result.stderr).toContain('a.jsonl:2: malformed');
    expect(result.stderr).toContain('insights: 1');
  });

  it.each([
    [['analyze', 'x', '--bogus']],
    [['analyze', 'x', '--allow', '10.0.0.0/40']],
    [['analyze', 'x', '--model', 'magic']],
    [['generate', 'x', '--days', 'many']],
    [['nope']],
  ])('exits 2 on the usage error %j', (args) => {
    expect(run(...args).status).toBe(2);
  });

  it('reads a file whose name is not UTF-8, found in a folder (parse workers) or named', () => {
    const odd = mkdtempSync(join(tmpdir(), 'cli-binary-names-'));
    try {
      writeFileSync(
        Buffer.concat([Buffer.from(`${odd}/`), Buffer.from([0xff]), Buffer.from('.json')]),
        record('2026-03-01T00:00:00Z', 'odd', '203.0.113.9'),
      );
      writeFileSync(
        join(odd, 'close.json'),
        record('2026-03-08T00:00:00Z', 'close', '203.0.113.9'),
      );

      const result = run(
        'analyze',
        odd,
        '--model',
        'none',
        '--min-baseline',
        '0',
        '--parse-workers',
        '2',
      );

      expect(result.stderr).toContain('files: 2 read, 0 skipped');
      expect(JSON.parse(result.stdout.trim())).toMatchObject({ eventIds: ['odd'] });

      // named on the command line, through a shell (Node's spawn would send the argument as
      // text); Node decodes it with U+FFFD
      const named = spawnSync(
        'bash',
        [
          '-c',
          `exec "$0" "$1" analyze "$2/$(printf '\\377').json" "$2/close.json" --model none --min-baseline 0`,
          process.execPath,
          bin,
          odd,
        ],
        { encoding: 'utf8' },
      );
      expect(named.stderr).toContain('files: 2 read, 0 skipped');
      expect(JSON.parse(named.stdout.trim())).toMatchObject({ eventIds: ['odd'] });
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  });

  it('exits 1 when no input could be read', () => {
    expect(run('analyze', join(dir, 'missing'), '--model', 'none').status).toBe(1);
  });
});
