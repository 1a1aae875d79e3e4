import type { NormalizedEvent } from '@trail-insight/events';

/**
 * An absorbed event with its position in the partition: the Kafka offset of its message and its
 * index in that message (the tie-break of equal times, SPEC §7 input order).
 */
export interface BufferedEvent {
  offset: number;
  index: number;
  event: NormalizedEvent;
}

/** Input order: (offset, index). */
export function compareInputOrder(left: BufferedEvent, right: BufferedEvent): number {
  return left.offset - right.offset || left.index - right.index;
}

/** Event-time order of SPEC §3 with input order for ties: (time, offset, index). */
export function compareBuffered(left: BufferedEvent, right: BufferedEvent): number {
  return left.event.time - right.event.time || compareInputOrder(left, right);
}

/** A Kafka offset as a number: exact below 2^53, which any real partition is. */
export function offsetNumber(offset: string): number {
  const value = Number(offset);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`unsupported Kafka offset ${JSON.stringify(offset)}`);
  }
  return value;
}
