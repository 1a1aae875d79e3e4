import { normalizeRecord } from './normalize-record';
import { readTrailContent } from './trail-content';

import type { NormalizedEvent } from './normalized-event';

/** One record of a raw message: a valid event, or why it is invalid and what to dead-letter. */
export type RawRecordResult =
  | { ok: true; event: NormalizedEvent }
  | { ok: false; reason: string; detail: string; value: Buffer; index: number };

/** Reason for a message with no record at all (`[]`, `{"Records":[]}`, blank lines). */
export const NO_RECORDS_REASON = 'no-records';

const LF = 0x0a;
const CR = 0x0d;

function lineBytes(content: Buffer, line: number): Buffer {
  let start = 0;
  for (let current = 1; current < line; current += 1) {
    const next = content.indexOf(LF, start);
    if (next === -1) {
      return Buffer.alloc(0);
    }
    start = next + 1;
  }
  let end = content.indexOf(LF, start);
  end = end === -1 ? content.length : end;
  if (end > start && content[end - 1] === CR) {
    end -= 1;
  }
  return content.subarray(start, end);
}

/**
 * Splits one raw message (a record, an array, a `{"Records":[...]}` object or JSON lines, SPEC §1
 * and §7) into normalized events and invalid records. What an invalid record dead-letters: the
 * whole message when it held that one record; otherwise the raw line for a malformed line, and the
 * record re-serialized as JSON for an invalid record inside a batch (its original bytes are not
 * delimited). The events' shape is checked where they are consumed: the detector validates each
 * one against `normalizedEventSchema` and dead-letters an invalid one alone.
 */
export function splitRawMessage(content: Buffer): RawRecordResult[] {
  const items = [...readTrailContent(content)];
  if (items.length === 0) {
    return [
      {
        ok: false,
        reason: NO_RECORDS_REASON,
        detail: 'message holds no record',
        value: content,
        index: 0,
      },
    ];
  }
  const single = items.length === 1;
  return items.map((item): RawRecordResult => {
    if (item.kind === 'malformed') {
      return {
        ok: false,
        reason: 'malformed',
        detail: item.detail,
        value: single ? content : lineBytes(content, item.line),
        index: item.line,
      };
    }
    const result = normalizeRecord(item.value);
    if (!result.ok) {
      return {
        ok: false,
        reason: result.reason,
        detail: result.detail,
        value: single ? content : Buffer.from(JSON.stringify(item.value) ?? 'null'),
        index: item.line,
      };
    }
    return { ok: true, event: result.event };
  });
}
