import { createWriteStream, existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_MIN_BASELINE } from '@trail-insight/detection';
import { parseCidr } from '@trail-insight/events';
import { modelByName } from '@trail-insight/ip-intel';
import { analyzeTrailPaths } from '@trail-insight/trail-files';

import type { Cidr } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';
import type { BatchSummary } from '@trail-insight/trail-files';

import { recoverArgumentBytes } from '../argument-bytes';
import { ExitCode, UsageError } from '../cli-command';
import { createProgressReporter } from '../progress-reporter';
import { formatInsightTable } from '../insight-table';

import type { CliCommand } from '../cli-command';

const USAGE =
  'trail-insight analyze <file-or-dir>... [--model none|default] [--home-region R] [--allow CIDR]... ' +
  '[--min-baseline N] [--format jsonl|table] [--out FILE] [--max-buffered N] [--parse-workers N]';

export interface AnalyzeOptions {
  /** As the user gave them: bytes for a name that is not UTF-8 (see `recoverArgumentBytes`). */
  paths: Array<string | Buffer>;
  model: 'none' | 'default';
  homeRegion: string | null;
  allowList: Cidr[];
  minBaseline: number;
  format: 'jsonl' | 'table';
  out: string | null;
  maxBuffered: number | undefined;
  /** Worker threads that read and parse files; null = one per CPU when there are two or more. */
  parseWorkers: number | null;
  quiet: boolean;
}

function parseCount(name: string, text: string): number {
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be a non-negative integer, got '${text}'`);
  }
  return Number(text);
}

/** Parses `analyze` arguments (SPEC §7); throws {@link UsageError} for anything off. */
export function parseAnalyzeArgs(argv: string[]): AnalyzeOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string', default: 'default' },
        'home-region': { type: 'string' },
        allow: { type: 'string', multiple: true, default: [] },
        'min-baseline': { type: 'string' },
        format: { type: 'string', default: 'jsonl' },
        out: { type: 'string' },
        'max-buffered': { type: 'string' },
        'parse-workers': { type: 'string' },
        quiet: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    throw new UsageError('at least one file or directory is required');
  }
  if (values.model !== 'none' && values.model !== 'default') {
    throw new UsageError(`--model must be 'none' or 'default', got '${values.model}'`);
  }
  if (values.format !== 'jsonl' && values.format !== 'table') {
    throw new UsageError(`--format must be 'jsonl' or 'table', got '${values.format}'`);
  }
  const allowList = values.allow.map((text) => {
    const cidr = parseCidr(text);
    if (cidr === null) {
      throw new UsageError(
        `--allow: '${text}' is not a CIDR (a.b.c.d/n or x:y::/n; a bare address is a /32 or /128)`,
      );
    }
    return cidr;
  });
  const homeRegion = values['home-region'];
  if (homeRegion === '') {
    throw new UsageError('--home-region must not be empty');
  }
  const maxBuffered =
    values['max-buffered'] === undefined
      ? undefined
      : parseCount('max-buffered', values['max-buffered']);
  if (maxBuffered === 0) {
    throw new UsageError('--max-buffered must be at least 1');
  }
  return {
    paths: recoverArgumentBytes(positionals),
    model: values.model,
    homeRegion: homeRegion ?? null,
    allowList,
    minBaseline:
      values['min-baseline'] === undefined
        ? DEFAULT_MIN_BASELINE
        : parseCount('min-baseline', values['min-baseline']),
    format: values.format,
    out: values.out ?? null,
    maxBuffered,
    parseWorkers:
      values['parse-workers'] === undefined
        ? null
        : parseCount('parse-workers', values['parse-workers']),
    quiet: values.quiet,
  };
}

const PARSE_WORKER_SCRIPT = join(__dirname, 'parse-worker.entry.js');

/**
 * Parsing is most of a batch run, so it goes to worker threads when the bundled worker exists (it
 * does not when running from source, e.g. in unit tests) and there are at least two CPUs.
 */
function parseWorkersFor(requested: number | null): { script: string; count: number } | undefined {
  const count = requested ?? (availableParallelism() >= 2 ? availableParallelism() : 0);
  return count > 0 && existsSync(PARSE_WORKER_SCRIPT)
    ? { script: PARSE_WORKER_SCRIPT, count }
    : undefined;
}

function formatTime(epochMs: number | null): string {
  return epochMs === null ? 'none' : new Date(epochMs).toISOString();
}

/** The stderr summary of SPEC §7. */
export function formatSummary(summary: BatchSummary): string {
  const lines = [
    `files: ${summary.filesRead} read, ${summary.filesSkipped.length} skipped` +
      (summary.fellBackToSort ? ' (not in delivery order: sorted in full)' : ''),
    `records: ${summary.records} read, ${summary.invalid} invalid, ${summary.duplicates} duplicates, ${summary.counted} events counted (latest ${formatTime(summary.latestEventTime)})`,
  ];
  const reasons = Object.entries(summary.invalidByReason).sort(([a], [b]) => (a < b ? -1 : 1));
  if (reasons.length > 0) {
    lines.push(
      `invalid by reason: ${reasons.map(([reason, count]) => `${reason}=${count}`).join(', ')}`,
    );
  }
  for (const example of summary.invalidExamples) {
    lines.push(`  invalid ${example.path}:${example.line}: ${example.reason}: ${example.detail}`);
  }
  for (const skipped of summary.filesSkipped) {
    lines.push(`  skipped ${skipped.path}: ${skipped.reason}`);
  }
  lines.push(
    `insights: ${summary.insights}, open windows: ${summary.openWindows}` +
      ` (closed without insight: ${summary.windowsBecameUsual} became usual, ${summary.windowsNotUnusual} not unusual, ${summary.windowsBaselineNotMet} baseline not met)`,
  );
  return `${lines.join('\n')}\n`;
}

async function writeOutput(insights: IpInsight[], options: AnalyzeOptions): Promise<void> {
  const text =
    options.format === 'table'
      ? formatInsightTable(insights)
      : insights.map((insight) => `${JSON.stringify(insight)}\n`).join('');
  if (options.out === null) {
    await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
    return;
  }
  const stream = createWriteStream(options.out);
  await new Promise<void>((resolve, reject) => {
    stream.on('error', reject);
    stream.end(text, () => resolve());
  });
}

/** Runs `analyze` with parsed options: writes the insights and the summary; returns both. */
export async function analyzeAndReport(
  options: AnalyzeOptions,
): Promise<{ code: ExitCode; insights: IpInsight[]; open: IpInsight[]; summary: BatchSummary }> {
  const progress = options.quiet ? undefined : createProgressReporter(process.stderr);
  const { insights, open, summary } = await analyzeTrailPaths(options.paths, {
    config: {
      minBaseline: options.minBaseline,
      homeRegion: options.homeRegion,
      allowList: options.allowList,
      model: modelByName(options.model),
    },
    maxBuffered: options.maxBuffered,
    parseWorkers: parseWorkersFor(options.parseWorkers),
    onProgress: progress?.update,
  });
  progress?.finish();
  await writeOutput(insights, options);
  if (!options.quiet) {
    process.stderr.write(formatSummary(summary));
  }
  return {
    code: summary.filesRead === 0 ? ExitCode.NoInput : ExitCode.Ok,
    insights,
    open,
    summary,
  };
}

/** Runs `analyze` with parsed options; returns the exit code. */
export async function runAnalyze(options: AnalyzeOptions): Promise<ExitCode> {
  return (await analyzeAndReport(options)).code;
}

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  usage: USAGE,
  summary: 'Find IP insights in trail files and folders (JSON lines or a table)',
  run: (argv) => runAnalyze(parseAnalyzeArgs(argv)),
};
