import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import {
  MemoryInsightRepository,
  memoryEntriesFromTrail,
  startConsoleServer,
} from '@trail-insight/console-web';

import type { IpInsight } from '@trail-insight/insights';

import { ExitCode, UsageError } from '../cli-command';

import { analyzeAndReport } from './analyze.command';
import { runGenerate } from './generate.command';

import type { CliCommand } from '../cli-command';

const DEMO_DIR = resolve('.trail-insight/demo');

async function serve(
  paths: string[],
  insights: IpInsight[],
  open: IpInsight[],
  port: number,
): Promise<void> {
  const source = new MemoryInsightRepository(await memoryEntriesFromTrail(paths, insights, open), {
    description: `embedded (${paths.join(', ')})`,
  });
  const server = await startConsoleServer({ port, source });
  process.stderr.write(`\nConsole: ${server.url}  (Ctrl-C to stop)\n`);
  await new Promise<void>((resolveStop) => {
    const stop = (): void => {
      void server.close().then(resolveStop);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function runDemo(argv: string[]): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'no-serve': { type: 'boolean', default: false },
        port: { type: 'string', default: '8080' },
        model: { type: 'string', default: 'default' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.model !== 'none' && values.model !== 'default') {
    throw new UsageError(`--model must be 'none' or 'default'`);
  }
  if (!/^[0-9]{1,5}$/.test(values.port)) {
    throw new UsageError(`--port must be a port number`);
  }
  let paths = positionals;
  if (paths.length === 0) {
    const trail = join(DEMO_DIR, 'trail');
    if (!existsSync(join(trail, '.complete'))) {
      process.stderr.write(`Generating a three-week sample trail in ${trail} …\n`);
      await runGenerate({
        dir: trail,
        labels: null,
        generator: { format: 'actiontrail', days: 21, seed: 1 },
      });
      writeFileSync(join(trail, '.complete'), '');
    }
    paths = [trail];
  }
  process.stderr.write(`Analyzing ${paths.join(' ')} with model '${values.model}' …\n`);
  const { code, insights, open } = await analyzeAndReport({
    paths,
    model: values.model,
    homeRegion: null,
    allowList: [],
    minBaseline: 10_000,
    format: 'table',
    out: null,
    maxBuffered: undefined,
    parseWorkers: null,
    quiet: false,
  });
  if (code === ExitCode.Ok && !values['no-serve']) {
    await serve(paths, insights, open, Number(values.port));
  }
  return code;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: 'trail-insight demo [<file-or-dir>...] [--model none|default] [--no-serve] [--port N]',
  summary: 'Generate a sample trail (unless paths are given), analyze it and serve the console',
  run: runDemo,
};
