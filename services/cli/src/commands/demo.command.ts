import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { ExitCode, UsageError } from '../cli-command';

import { runAnalyze } from './analyze.command';
import { generateCommand } from './generate.command';

import type { CliCommand } from '../cli-command';

const DEMO_DIR = resolve('.trail-insight/demo');

async function runDemo(argv: string[]): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        serve: { type: 'boolean', default: true },
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
  let paths = positionals;
  if (paths.length === 0) {
    const trail = join(DEMO_DIR, 'trail');
    if (!existsSync(join(trail, '.complete'))) {
      process.stderr.write(`Generating a two-week sample trail in ${trail} …\n`);
      await generateCommand.run([trail, '--format', 'actiontrail', '--days', '21', '--seed', '1']);
      writeFileSync(join(trail, '.complete'), '');
    }
    paths = [trail];
  }
  process.stderr.write(`Analyzing ${paths.join(' ')} with model '${values.model}' …\n`);
  const code = await runAnalyze({
    paths,
    model: values.model,
    homeRegion: null,
    allowList: [],
    minBaseline: 10_000,
    format: 'table',
    out: null,
    maxBuffered: undefined,
    quiet: false,
  });
  return code;
}

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: 'trail-insight demo [<file-or-dir>...] [--model none|default] [--no-serve] [--port N]',
  summary: 'Generate a sample trail (unless paths are given), analyze it and serve the console',
  run: runDemo,
};
