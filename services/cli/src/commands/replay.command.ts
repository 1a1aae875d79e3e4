import { parseArgs } from 'node:util';

import { normalizeRecord, readTrailContent } from '@trail-insight/events';
import { Topic, createProducer, parseBrokerList } from '@trail-insight/kafka';
import { ExternalSorter, readTrailSource, walkTrailPaths } from '@trail-insight/trail-files';

import type { OutboundMessage, PlainProducer } from '@trail-insight/kafka';
import type { LineCodec } from '@trail-insight/trail-files';

import { recoverArgumentBytes } from '../argument-bytes';
import { ExitCode, UsageError } from '../cli-command';

import type { CliCommand } from '../cli-command';

const USAGE =
  'trail-insight replay <file-or-dir>... --brokers HOST:PORT[,..] [--topic actiontrail-events] ' +
  '[--rate N] [--client-id ID] [--max-buffered N] [--quiet]';

/** Records held in memory before sorted runs spill to disk (raw JSON text, ≈ 1 KB each). */
const DEFAULT_MAX_BUFFERED = 100_000;
const CHUNK = 500;
const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

export interface ReplayOptions {
  /** As the user gave them: bytes for a name that is not UTF-8 (see `recoverArgumentBytes`). */
  paths: Array<string | Buffer>;
  brokers: string[];
  topic: string;
  /** Events per second, or null for as fast as the broker takes them. */
  rate: number | null;
  clientId: string;
  maxBuffered: number;
  quiet: boolean;
}

export interface ReplaySummary {
  filesRead: number;
  filesSkipped: Array<{ path: string; reason: string }>;
  /** Valid records, produced in event-time order. */
  valid: number;
  /** Invalid records and malformed lines, produced first (ingest dead-letters them). */
  invalid: number;
  spilledRuns: number;
  seconds: number;
}

/** One record to produce: its account (the key) when known, and its JSON text. */
interface ReplayItem {
  key: string | null;
  text: string;
}

const ITEM_CODEC: LineCodec<ReplayItem> = {
  encode: (item) => JSON.stringify([item.key, item.text]),
  decode: (line) => {
    const [key, text] = JSON.parse(line) as [string | null, string];
    return { key, text };
  },
};

function parseCount(name: string, text: string, min: number): number {
  if (!/^[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  }
  return Number(text);
}

/** Parses `replay` arguments (SPEC §7); throws {@link UsageError} for anything off. */
export function parseReplayArgs(argv: string[]): ReplayOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        brokers: { type: 'string' },
        topic: { type: 'string', default: Topic.RawEvents },
        rate: { type: 'string' },
        'client-id': { type: 'string', default: 'trail-insight-replay' },
        'max-buffered': { type: 'string' },
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
  if (values.brokers === undefined) {
    throw new UsageError('--brokers HOST:PORT[,..] is required');
  }
  const brokers = parseBrokerList(values.brokers);
  if (brokers.length === 0 || !brokers.every((broker) => HOST_PORT.test(broker))) {
    throw new UsageError(`--brokers must be HOST:PORT[,HOST:PORT...], got '${values.brokers}'`);
  }
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(values.topic)) {
    throw new UsageError(`--topic is not a Kafka topic name: '${values.topic}'`);
  }
  let rate: number | null = null;
  if (values.rate !== undefined) {
    rate = Number(values.rate);
    if (values.rate.trim() === '' || !Number.isFinite(rate) || rate <= 0) {
      throw new UsageError(
        `--rate must be a positive number of events per second, got '${values.rate}'`,
      );
    }
  }
  if (values['client-id'] === '') {
    throw new UsageError('--client-id must not be empty');
  }
  return {
    paths: recoverArgumentBytes(positionals),
    brokers,
    topic: values.topic,
    rate,
    clientId: values['client-id'],
    maxBuffered:
      values['max-buffered'] === undefined
        ? DEFAULT_MAX_BUFFERED
        : parseCount('max-buffered', values['max-buffered'], 1),
    quiet: values.quiet,
  };
}

/** The bytes of 1-based line `line` of `content` (LF-terminated, a trailing CR dropped). */
function lineOf(content: Uint8Array, line: number): Buffer {
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  let start = 0;
  for (let current = 1; current < line; current += 1) {
    const next = bytes.indexOf(0x0a, start);
    if (next === -1) {
      return Buffer.alloc(0);
    }
    start = next + 1;
  }
  let end = bytes.indexOf(0x0a, start);
  end = end === -1 ? bytes.length : end;
  if (end > start && bytes[end - 1] === 0x0d) {
    end -= 1;
  }
  return Buffer.from(bytes.subarray(start, end));
}

/** Sends messages in chunks, pacing to `rate` events/s when given. */
class PacedSender {
  private sent = 0;
  private readonly started = Date.now();
  private pending: OutboundMessage[] = [];
  private readonly chunk: number;

  constructor(
    private readonly producer: PlainProducer,
    private readonly topic: string,
    private readonly rate: number | null,
  ) {
    this.chunk = rate === null ? CHUNK : Math.max(1, Math.min(CHUNK, Math.floor(rate / 20)));
  }

  async add(message: OutboundMessage): Promise<void> {
    this.pending.push(message);
    if (this.pending.length >= this.chunk) {
      await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) {
      return;
    }
    const batch = this.pending;
    this.pending = [];
    if (this.rate !== null) {
      const due = this.started + ((this.sent + batch.length) / this.rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    await this.producer.send(this.topic, batch);
    this.sent += batch.length;
  }
}

/**
 * Produces trail files into Kafka in delivery shape (one record per message, keyed by account when
 * known), sorted as `analyze` sorts them: valid records by event time, ties in input order. Invalid
 * records and malformed lines (no usable time) go first, in input order, so ingest dead-letters
 * them. Memory is bounded by `maxBuffered` records; beyond that sorted runs spill to disk.
 */
export async function replayTrailPaths(
  options: ReplayOptions,
  producer: PlainProducer,
): Promise<ReplaySummary> {
  const started = Date.now();
  const summary: ReplaySummary = {
    filesRead: 0,
    filesSkipped: [],
    valid: 0,
    invalid: 0,
    spilledRuns: 0,
    seconds: 0,
  };
  const sender = new PacedSender(producer, options.topic, options.rate);
  const sorter = new ExternalSorter(ITEM_CODEC, options.maxBuffered);
  for await (const source of walkTrailPaths(options.paths)) {
    if (source.kind === 'unreadable') {
      summary.filesSkipped.push({ path: source.path, reason: source.reason });
      continue;
    }
    let content: Uint8Array;
    try {
      content = await readTrailSource(source);
    } catch (error) {
      summary.filesSkipped.push({ path: source.path, reason: (error as Error).message });
      continue;
    }
    summary.filesRead += 1;
    for (const item of readTrailContent(content)) {
      if (item.kind === 'malformed') {
        summary.invalid += 1;
        await sender.add({ key: null, value: lineOf(content, item.line) });
        continue;
      }
      const text = JSON.stringify(item.value) ?? 'null';
      const result = normalizeRecord(item.value);
      if (result.ok) {
        summary.valid += 1;
        sorter.add(result.event.time, { key: result.event.accountId, text });
      } else {
        summary.invalid += 1;
        await sender.add({ key: null, value: text });
      }
    }
  }
  summary.spilledRuns = sorter.spilledRuns;
  for (const item of sorter.drain()) {
    await sender.add({ key: item.key, value: item.text });
  }
  await sender.flush();
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}

export function formatReplaySummary(summary: ReplaySummary, options: ReplayOptions): string {
  const produced = summary.valid + summary.invalid;
  const rate = produced / Math.max(summary.seconds, 0.001);
  const lines = [
    `files: ${summary.filesRead} read, ${summary.filesSkipped.length} skipped`,
    `produced ${produced} records to ${options.topic} (${summary.valid} valid in event-time order, ` +
      `${summary.invalid} invalid first) in ${summary.seconds.toFixed(1)} s, ${Math.round(rate)} records/s` +
      (summary.spilledRuns > 0 ? `, ${summary.spilledRuns} sorted runs spilled` : ''),
  ];
  for (const skipped of summary.filesSkipped) {
    lines.push(`  skipped ${skipped.path}: ${skipped.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Runs `replay` with parsed options; returns the exit code. */
export async function runReplay(options: ReplayOptions): Promise<ExitCode> {
  const producer = createProducer(options.brokers, options.clientId);
  await producer.connect();
  let summary: ReplaySummary;
  try {
    summary = await replayTrailPaths(options, producer);
  } finally {
    await producer.disconnect();
  }
  if (!options.quiet) {
    process.stderr.write(formatReplaySummary(summary, options));
  }
  return summary.filesRead === 0 ? ExitCode.NoInput : ExitCode.Ok;
}

export const replayCommand: CliCommand = {
  name: 'replay',
  usage: USAGE,
  summary: 'Produce trail files into Kafka in event-time order (backfill the pipeline)',
  run: (argv) => runReplay(parseReplayArgs(argv)),
};
