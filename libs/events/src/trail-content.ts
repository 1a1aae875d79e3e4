import { isUtf8 } from 'node:buffer';

import { parseJson } from './json-depth.util';

/** One item read from a trail file's content: a record value, or a line that is not JSON. */
export type ContentItem =
  | { kind: 'record'; value: unknown; line: number }
  | { kind: 'malformed'; line: number; detail: string };

const BLANK_LINE = /^[ \t]*$/;
const LF = 0x0a;
const CR = 0x0d;

function decodeUtf8(bytes: Uint8Array): string | null {
  if (!isUtf8(bytes)) {
    return null;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

function hasRecordsArray(value: unknown): value is { Records: unknown[] } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Array.isArray((value as Record<string, unknown>)['Records'])
  );
}

/** The records of a JSON value: an array of records, a `{"Records": [...]}` object, or one record. */
export function recordsOf(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    return value;
  }
  if (hasRecordsArray(value)) {
    return value.Records;
  }
  return [value];
}

function* readLines(bytes: Uint8Array): Generator<ContentItem> {
  let start = 0;
  let line = 0;
  while (start <= bytes.length) {
    let end = bytes.indexOf(LF, start);
    const next = end === -1 ? bytes.length + 1 : end + 1;
    if (end === -1) {
      end = bytes.length;
    }
    line += 1;
    let stop = end;
    if (stop > start && bytes[stop - 1] === CR) {
      stop -= 1;
    }
    const text = decodeUtf8(bytes.subarray(start, stop));
    start = next;
    if (text === null) {
      yield { kind: 'malformed', line, detail: 'line is not valid UTF-8' };
      continue;
    }
    if (BLANK_LINE.test(text)) {
      continue;
    }
    const value = parseJson(text);
    if (value === undefined) {
      yield { kind: 'malformed', line, detail: 'line is not valid JSON' };
      continue;
    }
    for (const record of recordsOf(value)) {
      yield { kind: 'record', value: record, line };
    }
  }
}

/**
 * Reads decompressed file content as SPEC §7 says: a leading BOM is dropped; the content is one JSON
 * document if it parses as one, otherwise JSON lines, where a bad line is one malformed item and the
 * rest is still read. Document records are numbered by position (`line` = 1-based record index).
 */
export function* readTrailContent(content: Uint8Array): Generator<ContentItem> {
  const hasBom = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf;
  const bytes = hasBom ? content.subarray(3) : content;
  const text = decodeUtf8(bytes);
  const document = text === null ? undefined : parseJson(text);
  if (document === undefined) {
    yield* readLines(bytes);
    return;
  }
  let index = 0;
  for (const record of recordsOf(document)) {
    index += 1;
    yield { kind: 'record', value: record, line: index };
  }
}
