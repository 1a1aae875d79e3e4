import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { readTrailSource, walkTrailPaths } from '@trail-insight/trail-files';

import { ExitCode, UsageError } from '../cli-command';

import { analyzeAndReport, parseAnalyzeArgs } from './analyze.command';
import { benchPipeline, renderPipelineBench } from './bench-pipeline';

import type { CliCommand } from '../cli-command';

type BenchMode = 'parse' | 'analyze' | 'analyze-inline';

interface Measurement {
  mode: BenchMode;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  peakRssMb: number;
}

const BENCH_DOC = 'docs/benchmarks.md';
const BEGIN = '<!-- bench:analyze:begin -->';
const END = '<!-- bench:analyze:end -->';

async function parseOnly(dir: string): Promise<number> {
  let records = 0;
  for await (const source of walkTrailPaths([dir])) {
    if (source.kind !== 'file') {
      continue;
    }
    const text = Buffer.from(await readTrailSource(source)).toString('utf8');
    try {
      const value = JSON.parse(text) as { Records?: unknown[] } | unknown[];
      records += Array.isArray(value) ? value.length : (value.Records?.length ?? 1);
    } catch {
      for (const line of text.split('\n')) {
        if (line.trim() !== '') {
          try {
            JSON.parse(line);
          } catch {
            // the baseline only parses; bad lines cost the same as in analyze
          }
          records += 1;
        }
      }
    }
  }
  return records;
}

async function runWorker(mode: BenchMode, dir: string): Promise<Measurement> {
  const started = process.hrtime.bigint();
  const records =
    mode === 'parse'
      ? await parseOnly(dir)
      : (
          await analyzeAndReport({
            ...parseAnalyzeArgs([
              dir,
              '--model',
              'none',
              '--out',
              '/dev/null',
              ...(mode === 'analyze-inline' ? ['--parse-workers', '0'] : []),
            ]),
            quiet: true,
          })
        ).summary.records;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    mode,
    records,
    seconds,
    recordsPerSecond: Math.round(records / seconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** The CLI's entry script, to run a worker or a sub-command in a fresh process. */
function cliScript(): string {
  const script = process.argv[1];
  if (script === undefined) {
    throw new Error('process.argv[1] (the CLI script) is missing');
  }
  return script;
}

function measure(mode: BenchMode, dir: string): Measurement {
  const result = spawnSync(process.execPath, [cliScript(), 'bench', '--worker', mode, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) {
    throw new Error(`bench worker ${mode} failed with ${result.status}`);
  }
  return JSON.parse(result.stdout) as Measurement;
}

function ensureTrail(root: string, days: number, eventsPerDay: number): string {
  const dir = join(root, `trail-${days}d-${eventsPerDay}`);
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      process.execPath,
      [
        cliScript(),
        'generate',
        dir,
        '--format',
        'cloudtrail',
        '--days',
        String(days),
        '--events-per-day',
        String(eventsPerDay),
        '--seed',
        '7',
        '--malformed-rate',
        '0',
      ],
      { stdio: 'inherit' },
    );
    writeFileSync(join(dir, '.complete'), '');
  }
  return dir;
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

function renderSummary(
  results: Array<{
    dir: string;
    bytes: number;
    parse: Measurement;
    analyze: Measurement;
    inline: Measurement;
  }>,
): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    BEGIN,
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}.`,
    '',
    '| input | records | gzip MB | parse-only rec/s | analyze rec/s | ratio | analyze, 1 thread: rec/s (ratio) | parse peak RSS MB | analyze peak RSS MB | 1 thread peak RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.dir.split('/').pop() ?? r.dir} | ${r.analyze.records} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${r.parse.recordsPerSecond} | ${r.analyze.recordsPerSecond} | ${(r.analyze.recordsPerSecond / r.parse.recordsPerSecond).toFixed(2)} | ${r.inline.recordsPerSecond} (${(r.inline.recordsPerSecond / r.parse.recordsPerSecond).toFixed(2)}) | ${r.parse.peakRssMb} | ${r.analyze.peakRssMb} | ${r.inline.peakRssMb} |`,
    ),
    END,
  ];
  return lines.join('\n');
}

/** `--env KEY=VALUE` options → an environment for the benchmarked services. */
function serviceEnvOf(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const [, key, value] = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair) ?? [];
    if (key === undefined || value === undefined) {
      throw new UsageError(`--env takes KEY=VALUE, got ${JSON.stringify(pair)}`);
    }
    env[key] = value;
  }
  return env;
}

/** The integer value of option `--<name>`, within [min, max]. */
function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^[0-9]+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} takes ${min} to ${max}, got '${text}'`);
  }
  return value;
}

function latencyLayoutOf(text: string): 'services' | 'fused' {
  if (text !== 'services' && text !== 'fused') {
    throw new UsageError(`--latency-layout takes services or fused, got '${text}'`);
  }
  return text;
}

async function runBench(argv: string[]): Promise<ExitCode> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      worker: { type: 'string' },
      data: { type: 'string', default: resolve('bench-results/data') },
      'events-per-day': { type: 'string', default: '75000' },
      pipeline: { type: 'boolean', default: false },
      'throughput-only': { type: 'boolean', default: false },
      'fused-replicas': { type: 'string' },
      'ingest-replicas': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-layout': { type: 'string' },
      profile: { type: 'string' },
      logs: { type: 'string' },
      env: { type: 'string', multiple: true },
      'node-arg': { type: 'string', multiple: true },
    },
  });
  if (values.worker !== undefined) {
    const mode = values.worker;
    if (
      (mode !== 'parse' && mode !== 'analyze' && mode !== 'analyze-inline') ||
      positionals[0] === undefined
    ) {
      throw new UsageError('--worker parse|analyze|analyze-inline <dir>');
    }
    process.stdout.write(`${JSON.stringify(await runWorker(mode, positionals[0]))}\n`);
    return ExitCode.Ok;
  }
  if (values.pipeline) {
    const result = await benchPipeline({
      dataDir: values.data,
      throughputOnly: values['throughput-only'],
      ...(values['fused-replicas'] === undefined
        ? {}
        : { fusedReplicas: integerOption('fused-replicas', values['fused-replicas'], 1, 16) }),
      ...(values['ingest-replicas'] === undefined
        ? {}
        : { ingestReplicas: integerOption('ingest-replicas', values['ingest-replicas'], 1, 16) }),
      profileDir: values.profile,
      logDir: values.logs,
      ...(values['latency-layout'] === undefined
        ? {}
        : { latencyLayout: latencyLayoutOf(values['latency-layout']) }),
      ...(values['latency-seconds'] === undefined
        ? {}
        : { seconds: integerOption('latency-seconds', values['latency-seconds'], 10, 3_600) }),
      serviceEnv: serviceEnvOf(values.env ?? []),
      nodeArgs: values['node-arg'] ?? [],
    });
    process.stdout.write(`${renderPipelineBench(result)}\n`);
    return ExitCode.Ok;
  }
  const perDay = Number(values['events-per-day']);
  const results = [7, 14].map((days) => {
    const dir = ensureTrail(values.data, days, perDay);
    return {
      dir,
      bytes: folderBytes(dir),
      parse: measure('parse', dir),
      analyze: measure('analyze', dir),
      inline: measure('analyze-inline', dir),
    };
  });
  mkdirSync('bench-results', { recursive: true });
  writeFileSync(
    join('bench-results', `analyze-${new Date().toISOString().slice(0, 10)}.json`),
    JSON.stringify(results, null, 2),
  );
  const summary = renderSummary(results);
  process.stdout.write(`${summary}\n`);
  if (existsSync(BENCH_DOC)) {
    const doc = readFileSync(BENCH_DOC, 'utf8');
    const begin = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    if (begin !== -1 && end !== -1) {
      writeFileSync(BENCH_DOC, doc.slice(0, begin) + summary + doc.slice(end + END.length));
    }
  }
  return ExitCode.Ok;
}

export const benchCommand: CliCommand = {
  name: 'bench',
  usage:
    'trail-insight bench [--data DIR] [--events-per-day N] [--pipeline [--throughput-only] [--fused-replicas N] [--ingest-replicas N] [--latency-seconds N] [--latency-layout services|fused] [--profile DIR] [--logs DIR] [--env KEY=VALUE ...] [--node-arg ARG ...]]',
  summary:
    'Benchmark analyze against gunzip + JSON.parse of the same files (writes bench-results/)',
  run: runBench,
};
