import type { NormalizedEvent } from '@trail-insight/events';

/** An absorbed event with its Kafka offset (the tie-break of equal times, SPEC §7 input order). */
export interface BufferedEvent {
  offset: number;
  event: NormalizedEvent;
}

/** Event-time order of SPEC §3 with input order for ties: (time, offset). */
export function compareBuffered(left: BufferedEvent, right: BufferedEvent): number {
  return left.event.time - right.event.time || left.offset - right.offset;
}

/** A Kafka offset as a number: exact below 2^53, which any real partition is. */
export function offsetNumber(offset: string): number {
  const value = Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`unsupported Kafka offset ${JSON.stringify(offset)}`);
  }
  return value;
}
