import {
  DetectionEngine,
  EventOutcome,
  WindowVerdict,
  createAccountState,
} from '@trail-insight/detection';
import { normalizeRecord, readTrailContent } from '@trail-insight/events';
import { compareIpInsights, toIpInsight } from '@trail-insight/insights';

import type { AccountState, ClosedWindow, DetectionConfig } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';

import { ExternalSorter } from './external-sorter';
import { readTrailFile } from './trail-file-reader';
import { walkTrailPaths } from './trail-file-walker';

import type { LineCodec } from './external-sorter';

/** Where an invalid record was found, for the CLI report (SPEC §1: file and line). */
export interface InvalidExample {
  path: string;
  line: number;
  reason: string;
  detail: string;
}

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
  /** Called for every window that ends, in processing order (for evaluation and metrics). */
  onWindowClosed?: (closed: ClosedWindow) => void;
}

export interface BatchResult {
  insights: IpInsight[];
  summary: BatchSummary;
}

/** Events kept in memory before sorting spills (≈ 60–100 MB of normalized events). */
export const DEFAULT_MAX_BUFFERED = 400_000;

/** Spill format of a normalized event: a positional JSON array. */
export const NORMALIZED_EVENT_CODEC: LineCodec<NormalizedEvent> = {
  encode: (e) =>
    JSON.stringify([
      e.time,
      e.eventId,
      e.accountId,
      e.region,
      e.isGlobal,
      e.sourceIp,
      e.provider,
      e.userAgent,
      e.principalId,
      e.eventName,
      e.errorCode,
    ]),
  decode: (line) => {
    const [
      time,
      eventId,
      accountId,
      region,
      isGlobal,
      sourceIp,
      provider,
      userAgent,
      principalId,
      eventName,
      errorCode,
    ] = JSON.parse(line) as [
      number,
      string,
      string,
      string,
      boolean,
      string | null,
      NormalizedEvent['provider'],
      string | null,
      string | null,
      string | null,
      string | null,
    ];
    return {
      time,
      eventId,
      accountId,
      region,
      isGlobal,
      sourceIp,
      provider,
      userAgent,
      principalId,
      eventName,
      errorCode,
    };
  },
};

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
  };
}

/**
 * The batch job of SPEC §7: reads files and folders, sorts every valid event by event time (ties in
 * input order) with bounded memory, runs the detection rules and closes the windows whose verdict
 * time is at or before the latest counted event.
 */
export async function analyzeTrailPaths(
  paths: readonly string[],
  options: BatchOptions,
): Promise<BatchResult> {
  const summary = emptySummary();
  const maxExamples = options.invalidExamples ?? 10;
  const sorter = new ExternalSorter(
    NORMALIZED_EVENT_CODEC,
    options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
  );
  const sources = [];
  for await (const source of walkTrailPaths(paths)) {
    sources.push(source);
  }
  const progress: BatchProgress = {
    filesDone: 0,
    filesTotal: sources.length,
    bytesDone: 0,
    records: 0,
  };

  const reject = (path: string, line: number, reason: string, detail: string): void => {
    summary.invalid += 1;
    summary.invalidByReason[reason] = (summary.invalidByReason[reason] ?? 0) + 1;
    if (summary.invalidExamples.length < maxExamples) {
      summary.invalidExamples.push({ path, line, reason, detail });
    }
  };

  for (const source of sources) {
    progress.filesDone += 1;
    if (source.kind === 'unreadable') {
      summary.filesSkipped.push({ path: source.path, reason: source.reason });
      continue;
    }
    let content: Uint8Array;
    try {
      content = await readTrailFile(source.path, source.gzip);
    } catch (error) {
      summary.filesSkipped.push({ path: source.path, reason: (error as Error).message });
      continue;
    }
    summary.filesRead += 1;
    for (const item of readTrailContent(content)) {
      summary.records += 1;
      if (item.kind === 'malformed') {
        reject(source.path, item.line, 'malformed', item.detail);
        continue;
      }
      const result = normalizeRecord(item.value);
      if (result.ok) {
        sorter.add(result.event.time, result.event);
      } else {
        reject(source.path, item.line, result.reason, result.detail);
      }
    }
    progress.bytesDone += content.length;
    progress.records = summary.records;
    options.onProgress?.(progress);
  }
  summary.spilledRuns = sorter.spilledRuns;

  const insights: IpInsight[] = [];
  const engine = new DetectionEngine(options.config, {
    windowClosed: (closed) => {
      options.onWindowClosed?.(closed);
      switch (closed.verdict) {
        case WindowVerdict.Insight:
          insights.push(toIpInsight(closed));
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
  const accounts = new Map<string, AccountState>();
  let latest = Number.NEGATIVE_INFINITY;
  for (const event of sorter.drain()) {
    let state = accounts.get(event.accountId);
    if (state === undefined) {
      state = createAccountState(event.accountId);
      accounts.set(event.accountId, state);
    }
    if (engine.apply(state, event) === EventOutcome.Duplicate) {
      summary.duplicates += 1;
    } else {
      summary.counted += 1;
      latest = event.time;
    }
  }
  if (summary.counted > 0) {
    summary.latestEventTime = latest;
    for (const state of accounts.values()) {
      engine.advance(state, latest);
      for (const region of state.regions.values()) {
        summary.openWindows += region.windows.size;
      }
    }
  }
  insights.sort(compareIpInsights);
  summary.insights = insights.length;
  return { insights, summary };
}
