import {
  DetectionEngine,
  EventOutcome,
  WindowVerdict,
  createAccountState,
} from '@trail-insight/detection';
import { compareIpInsights, toIpInsight } from '@trail-insight/insights';

import type { AccountState, ClosedWindow, DetectionConfig } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';

import type { InvalidExample } from './parsed-file';
import type { IpInsight } from '@trail-insight/insights';

import { ExternalSorter } from './external-sorter';
import { NORMALIZED_EVENT_CODEC } from './normalized-event.codec';
import { deliveryTimeHint } from './delivery-time-hint.util';
import { MinHeap } from './min-heap';
import { createWorkerParsePool, inlineParsePool } from './parse-pool';
import { walkTrailPaths } from './trail-file-walker';

import type { ParsePool } from './parse-pool';
import type { ParsedFile } from './parsed-file';
import type { TrailSource } from './trail-file-walker';

/** Counts of one batch run (SPEC §7 summary). */
export interface BatchSummary {
  filesRead: number;
  filesSkipped: Array<{ path: string; reason: string }>;
  /** Records read: valid plus invalid. */
  records: number;
  invalid: number;
  invalidByReason: Record<string, number>;
  invalidExamples: InvalidExample[];
  duplicates: number;
  /** Valid, de-duplicated events. */
  counted: number;
  insights: number;
  openWindows: number;
  windowsBecameUsual: number;
  windowsNotUnusual: number;
  windowsBaselineNotMet: number;
  /** Latest time of a counted event, epoch ms, or null when none. */
  latestEventTime: number | null;
  spilledRuns: number;
  /** True when files were not in delivery order and the run was redone with a full sort. */
  fellBackToSort: boolean;
}

export interface BatchProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  records: number;
}

export interface BatchOptions {
  config: DetectionConfig;
  /** Events held in memory before sorted runs spill to disk. */
  maxBuffered?: number;
  invalidExamples?: number;
  onProgress?: (progress: BatchProgress) => void;
  /** Called for every window that ends, in processing order, after the run (for evaluation). */
  onWindowClosed?: (closed: ClosedWindow) => void;
  /** Parse files on worker threads running `script` (a bundle of parse-worker.entry.ts). */
  parseWorkers?: { script: string; count: number };
  /** `auto` (default): delivery order with fallback; `sort`: always the external sort. */
  strategy?: 'auto' | 'sort' | 'delivery-order';
}

export interface BatchResult {
  insights: IpInsight[];
  /**
   * Windows still open at the end whose IP is unusual (heterogeneity > 0), in output order: never
   * insights (SPEC §3.6), but what the console shows as provisional ones (§5).
   */
  open: IpInsight[];
  summary: BatchSummary;
}

type PassResult = BatchResult & { closed: ClosedWindow[] };

/** Events kept in memory before sorting spills (≈ 60–100 MB of normalized events). */
export const DEFAULT_MAX_BUFFERED = 400_000;

function emptySummary(): BatchSummary {
  return {
    filesRead: 0,
    filesSkipped: [],
    records: 0,
    invalid: 0,
    invalidByReason: {},
    invalidExamples: [],
    duplicates: 0,
    counted: 0,
    insights: 0,
    openWindows: 0,
    windowsBecameUsual: 0,
    windowsNotUnusual: 0,
    windowsBaselineNotMet: 0,
    latestEventTime: null,
    spilledRuns: 0,
    fellBackToSort: false,
  };
}

/** How far before its announced time a delivery file may hold events before ordering falls back. */
export const DELIVERY_SLACK_MS = 4 * 3_600_000;

interface Keyed {
  time: number;
  /** File position in walk order × 2^24 + record position: the SPEC §7 tie order. */
  order: number;
  event: NormalizedEvent;
}

const RECORDS_PER_FILE = 2 ** 24;

class OutOfDeliveryOrder extends Error {}

interface ReadContext {
  summary: BatchSummary;
  progress: BatchProgress;
  onProgress?: (progress: BatchProgress) => void;
}

/** Adds one parsed file's counts to the run's summary and progress. */
function absorb(parsed: ParsedFile, context: ReadContext, maxExamples: number): void {
  const { summary, progress } = context;
  progress.filesDone += 1;
  if (parsed.skipped !== null) {
    summary.filesSkipped.push({ path: parsed.path, reason: parsed.skipped });
    return;
  }
  summary.filesRead += 1;
  summary.records += parsed.records;
  for (const [reason, count] of Object.entries(parsed.invalidByReason)) {
    summary.invalid += count;
    summary.invalidByReason[reason] = (summary.invalidByReason[reason] ?? 0) + count;
  }
  for (const example of parsed.invalidExamples) {
    if (summary.invalidExamples.length < maxExamples) {
      summary.invalidExamples.push(example);
    }
  }
  progress.bytesDone += parsed.bytes;
  progress.records = summary.records;
  context.onProgress?.(progress);
}

/** Feeds time-ordered events through the rules and finishes the batch (SPEC §3.6). */
class BatchDetection {
  readonly insights: IpInsight[] = [];
  readonly open: IpInsight[] = [];
  readonly closed: ClosedWindow[] = [];
  private readonly accounts = new Map<string, AccountState>();
  private readonly engine: DetectionEngine;
  private latest = Number.NEGATIVE_INFINITY;

  constructor(
    config: DetectionConfig,
    private readonly summary: BatchSummary,
    keepClosed: boolean,
  ) {
    this.engine = new DetectionEngine(config, {
      windowClosed: (closed) => {
        if (keepClosed) {
          this.closed.push(closed);
        }
        switch (closed.verdict) {
          case WindowVerdict.Insight:
            this.insights.push(toIpInsight(closed));
            break;
          case WindowVerdict.BecameUsual:
            summary.windowsBecameUsual += 1;
            break;
          case WindowVerdict.NotUnusual:
            summary.windowsNotUnusual += 1;
            break;
          case WindowVerdict.BaselineNotMet:
            summary.windowsBaselineNotMet += 1;
            break;
        }
      },
    });
  }

  apply(event: NormalizedEvent): void {
    let state = this.accounts.get(event.accountId);
    if (state === undefined) {
      state = createAccountState(event.accountId);
      this.accounts.set(event.accountId, state);
    }
    if (this.engine.apply(state, event) === EventOutcome.Duplicate) {
      this.summary.duplicates += 1;
    } else {
      this.summary.counted += 1;
      this.latest = event.time;
    }
  }

  finish(): void {
    const summary = this.summary;
    if (summary.counted > 0) {
      summary.latestEventTime = this.latest;
      for (const state of this.accounts.values()) {
        this.engine.advance(state, this.latest);
        for (const [regionName, region] of state.regions) {
          summary.openWindows += region.windows.size;
          for (const window of region.windows.values()) {
            if (window.heterogeneity > 0) {
              this.open.push(
                toIpInsight({ accountId: state.accountId, region: regionName, window }),
              );
            }
          }
        }
      }
    }
    this.insights.sort(compareIpInsights);
    this.open.sort(compareIpInsights);
    summary.insights = this.insights.length;
  }
}

/**
 * Reads files in the order their delivery names announce and applies events as soon as no file
 * still to read may hold an earlier one, so memory holds a few hours of events. If a file breaks
 * that promise (an event earlier than one already applied), or more than `maxBuffered` events wait,
 * throws {@link OutOfDeliveryOrder}.
 */
async function analyzeInDeliveryOrder(
  sources: TrailSource[],
  options: BatchOptions,
  pool: ParsePool,
): Promise<PassResult> {
  const summary = emptySummary();
  const context = readContext(sources, summary, options);
  const detection = new BatchDetection(
    options.config,
    summary,
    options.onWindowClosed !== undefined,
  );
  const ordered = sources
    .map((source, index) => ({ source, index, hint: deliveryTimeHint(source.path) }))
    .sort((a, b) => a.hint - b.hint || a.index - b.index);
  const maxHeld = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
  const heap = new MinHeap<Keyed>((a, b) => (a.time - b.time || a.order - b.order) < 0);
  let applied: Keyed = { time: Number.NEGATIVE_INFINITY, order: 0, event: undefined as never };
  const release = (bound: number): void => {
    for (let top = heap.peek(); top !== undefined && top.time < bound; top = heap.peek()) {
      heap.pop();
      applied = top;
      detection.apply(top.event);
    }
  };
  const maxExamples = options.invalidExamples ?? 10;
  let i = 0;
  for await (const parsed of pool.parseInOrder(
    ordered.map((entry) => entry.source),
    maxExamples,
  )) {
    absorb(parsed, context, maxExamples);
    const index = ordered[i]?.index ?? 0;
    parsed.events.forEach((event, k) => {
      const position = parsed.positions[k] ?? 0;
      const keyed = { time: event.time, order: index * RECORDS_PER_FILE + position, event };
      if (position >= RECORDS_PER_FILE || heap.less(keyed, applied)) {
        throw new OutOfDeliveryOrder(parsed.path);
      }
      heap.push(keyed);
    });
    if (heap.size > maxHeld) {
      throw new OutOfDeliveryOrder(parsed.path);
    }
    i += 1;
    const next = ordered[i];
    release(next === undefined ? Number.POSITIVE_INFINITY : next.hint - DELIVERY_SLACK_MS);
  }
  release(Number.POSITIVE_INFINITY);
  detection.finish();
  return { insights: detection.insights, open: detection.open, summary, closed: detection.closed };
}

/** Reads everything, sorts with bounded memory (spilling sorted runs), then applies in order. */
async function analyzeWithExternalSort(
  sources: TrailSource[],
  options: BatchOptions,
  pool: ParsePool,
): Promise<PassResult> {
  const summary = emptySummary();
  const context = readContext(sources, summary, options);
  const sorter = new ExternalSorter(
    NORMALIZED_EVENT_CODEC,
    options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
  );
  const maxExamples = options.invalidExamples ?? 10;
  for await (const parsed of pool.parseInOrder(sources, maxExamples)) {
    absorb(parsed, context, maxExamples);
    for (const event of parsed.events) {
      sorter.add(event.time, event);
    }
  }
  summary.spilledRuns = sorter.spilledRuns;
  const detection = new BatchDetection(
    options.config,
    summary,
    options.onWindowClosed !== undefined,
  );
  for (const event of sorter.drain()) {
    detection.apply(event);
  }
  detection.finish();
  return { insights: detection.insights, open: detection.open, summary, closed: detection.closed };
}

function readContext(
  sources: TrailSource[],
  summary: BatchSummary,
  options: BatchOptions,
): ReadContext {
  return {
    summary,
    progress: { filesDone: 0, filesTotal: sources.length, bytesDone: 0, records: 0 },
    onProgress: options.onProgress,
  };
}

/**
 * The batch job of SPEC §7: reads files and folders, orders every valid event by event time (ties
 * in input order), runs the detection rules and closes the windows whose verdict time is at or
 * before the latest counted event. Files in delivery layout (each holding about an hour, named with
 * their time) are applied as they are read; any other input is sorted with bounded memory. Both
 * paths give the same answer (tested); the first falls back to the second when its promise breaks.
 */
export async function analyzeTrailPaths(
  paths: ReadonlyArray<string | Buffer>,
  options: BatchOptions,
): Promise<BatchResult> {
  const sources: TrailSource[] = [];
  for await (const source of walkTrailPaths(paths)) {
    sources.push(source);
  }
  let result: PassResult;
  const pool =
    options.parseWorkers !== undefined && options.parseWorkers.count > 0
      ? createWorkerParsePool(options.parseWorkers.script, options.parseWorkers.count)
      : inlineParsePool;
  try {
    const hinted = sources.some(
      (source) => deliveryTimeHint(source.path) > Number.NEGATIVE_INFINITY,
    );
    const strategy = options.strategy ?? (hinted ? 'auto' : 'sort');
    if (strategy === 'sort') {
      result = await analyzeWithExternalSort(sources, options, pool);
    } else {
      try {
        result = await analyzeInDeliveryOrder(sources, options, pool);
      } catch (error) {
        if (!(error instanceof OutOfDeliveryOrder) || strategy === 'delivery-order') {
          throw error;
        }
        result = await analyzeWithExternalSort(sources, options, pool);
        result.summary.fellBackToSort = true;
      }
    }
  } finally {
    await pool.close();
  }
  for (const closed of result.closed) {
    options.onWindowClosed?.(closed);
  }
  return { insights: result.insights, open: result.open, summary: result.summary };
}
