import { normalizeRecord, readTrailContent } from '@trail-insight/events';

import type { NormalizedEvent } from '@trail-insight/events';

import { readTrailSource } from './trail-file-reader';

import type { TrailSource } from './trail-file-walker';

/** Where an invalid record was found, for the CLI report (SPEC §1: file and line). */
export interface InvalidExample {
  path: string;
  line: number;
  reason: string;
  detail: string;
}

/** One file read, decompressed, parsed and normalized: plain data, cheap to pass between threads. */
export interface ParsedFile {
  path: string;
  /** Why the whole file was skipped, or null when it was read. */
  skipped: string | null;
  bytes: number;
  records: number;
  events: NormalizedEvent[];
  /** 1-based position of each event among the file's records (the SPEC §7 tie order). */
  positions: number[];
  invalidByReason: Record<string, number>;
  invalidExamples: InvalidExample[];
}

/** Reads one walked source into a {@link ParsedFile}; never throws on bad input. */
export async function parseTrailSource(
  source: TrailSource,
  maxExamples: number,
): Promise<ParsedFile> {
  const parsed: ParsedFile = {
    path: source.path,
    skipped: null,
    bytes: 0,
    records: 0,
    events: [],
    positions: [],
    invalidByReason: {},
    invalidExamples: [],
  };
  if (source.kind === 'unreadable') {
    parsed.skipped = source.reason;
    return parsed;
  }
  let content: Uint8Array;
  try {
    content = await readTrailSource(source);
  } catch (error) {
    parsed.skipped = (error as Error).message;
    return parsed;
  }
  parsed.bytes = content.length;
  for (const item of readTrailContent(content)) {
    parsed.records += 1;
    const result =
      item.kind === 'malformed'
        ? { ok: false as const, reason: 'malformed', detail: item.detail }
        : normalizeRecord(item.value);
    if (result.ok) {
      parsed.events.push(result.event);
      parsed.positions.push(parsed.records);
      continue;
    }
    parsed.invalidByReason[result.reason] = (parsed.invalidByReason[result.reason] ?? 0) + 1;
    if (parsed.invalidExamples.length < maxExamples) {
      parsed.invalidExamples.push({
        path: source.path,
        line: item.line,
        reason: result.reason,
        detail: result.detail,
      });
    }
  }
  return parsed;
}
