import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { gzip } from 'node:zlib';

import {
  GENERATOR_DEFAULTS,
  fileBytes,
  generateTrail,
  labelsOf,
  resolveGeneratorOptions,
} from '@trail-insight/generator';

import type { GeneratedFile, GenerationSummary, GeneratorOptions } from '@trail-insight/generator';

import { ExitCode, UsageError } from '../cli-command';

import type { CliCommand } from '../cli-command';

const USAGE =
  'trail-insight generate <dir> [--format actiontrail|cloudtrail] [--days N] [--seed N] ' +
  '[--events-per-day N] [--accounts N] [--malformed-rate X] [--start TIME] [--labels FILE]';

const DEFAULT_DAYS = 14;
const DEFAULT_SEED = 1;
const MAX_FILES_IN_FLIGHT = 8;
const GZIP_OPTIONS = { level: 1 } as const;

const gzipAsync = promisify(gzip);

export interface GenerateOptions {
  dir: string;
  labels: string | null;
  generator: GeneratorOptions;
}

function parseInteger(name: string, text: string): number {
  if (!/^-?[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name} must be an integer, got '${text}'`);
  }
  return Number(text);
}

function parseRate(text: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate)) {
    throw new UsageError(`--malformed-rate must be a number, got '${text}'`);
  }
  return rate;
}

function parseStart(text: string): number {
  const time = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?Z)?$/.test(text) || Number.isNaN(time)) {
    throw new UsageError(`--start must be a UTC time like 2026-03-01T00:00:00Z, got '${text}'`);
  }
  return time;
}

function isInside(parent: string, child: string): boolean {
  const path = relative(parent, child);
  return !(path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path));
}

/** Parses `generate` arguments; throws {@link UsageError} for anything off. */
export function parseGenerateArgs(argv: string[]): GenerateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', default: 'actiontrail' },
        days: { type: 'string' },
        seed: { type: 'string' },
        'events-per-day': { type: 'string' },
        accounts: { type: 'string' },
        'malformed-rate': { type: 'string' },
        start: { type: 'string' },
        labels: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [target] = positionals;
  if (positionals.length !== 1 || target === undefined) {
    throw new UsageError('exactly one output directory is required');
  }
  if (values.format !== 'actiontrail' && values.format !== 'cloudtrail') {
    throw new UsageError(`--format must be 'actiontrail' or 'cloudtrail', got '${values.format}'`);
  }
  const generator: GeneratorOptions = {
    format: values.format,
    days: values.days === undefined ? DEFAULT_DAYS : parseInteger('days', values.days),
    seed: values.seed === undefined ? DEFAULT_SEED : parseInteger('seed', values.seed),
    accounts:
      values.accounts === undefined
        ? GENERATOR_DEFAULTS.accounts
        : parseInteger('accounts', values.accounts),
    eventsPerDay:
      values['events-per-day'] === undefined
        ? GENERATOR_DEFAULTS.eventsPerDay
        : parseInteger('events-per-day', values['events-per-day']),
    startTime: values.start === undefined ? GENERATOR_DEFAULTS.startTime : parseStart(values.start),
    malformedRate:
      values['malformed-rate'] === undefined
        ? GENERATOR_DEFAULTS.malformedRate
        : parseRate(values['malformed-rate']),
  };
  try {
    resolveGeneratorOptions(generator);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const dir = resolve(target);
  const labels = values.labels === undefined ? null : resolve(values.labels);
  if (labels !== null && isInside(dir, labels)) {
    throw new UsageError('--labels must be outside the output directory, or analyze would read it');
  }
  return { dir, labels, generator };
}

class FileWriter {
  bytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly folders = new Set<string>();

  constructor(private readonly root: string) {}

  async add(file: GeneratedFile): Promise<void> {
    while (this.inFlight.size >= MAX_FILES_IN_FLIGHT) {
      await Promise.race(this.inFlight);
    }
    const task = this.write(file).finally(() => {
      this.inFlight.delete(task);
    });
    this.inFlight.add(task);
  }

  async flush(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private async write(file: GeneratedFile): Promise<void> {
    const path = join(this.root, file.path);
    const content = fileBytes(file);
    const bytes = file.shape === 'document' ? await gzipAsync(content, GZIP_OPTIONS) : content;
    const folder = dirname(path);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.folders.add(folder);
    }
    await writeFile(path, bytes);
    this.bytes += bytes.length;
  }
}

/** Writes the trail of {@link GenerateOptions} and, if asked, its labels; returns the summary. */
export async function runGenerate(options: GenerateOptions): Promise<ExitCode> {
  const started = performance.now();
  const writer = new FileWriter(options.dir);
  await mkdir(options.dir, { recursive: true });
  const files = generateTrail(options.generator);
  let step = files.next();
  while (step.done !== true) {
    await writer.add(step.value);
    step = files.next();
  }
  await writer.flush();
  const summary: GenerationSummary = step.value;
  const seconds = (performance.now() - started) / 1000;
  if (options.labels !== null) {
    await mkdir(dirname(options.labels), { recursive: true });
    await writeFile(options.labels, `${JSON.stringify(labelsOf(options.generator), null, 2)}\n`);
  }
  process.stderr.write(
    `generated ${summary.files} files, ${summary.records} records ` +
      `(${summary.invalid} invalid, ${summary.duplicates} duplicates), ${writer.bytes} bytes ` +
      `in ${options.dir} in ${seconds.toFixed(1)} s (${Math.round(summary.records / seconds)} records/s)` +
      `${options.labels === null ? '' : `; labels in ${options.labels}`}\n`,
  );
  return ExitCode.Ok;
}

export const generateCommand: CliCommand = {
  name: 'generate',
  usage: USAGE,
  summary: 'Write a synthetic, labelled ActionTrail or CloudTrail trail in delivery layout',
  run: async (argv) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`Usage: ${USAGE}\n`);
      return ExitCode.Ok;
    }
    return runGenerate(parseGenerateArgs(argv));
  },
};
