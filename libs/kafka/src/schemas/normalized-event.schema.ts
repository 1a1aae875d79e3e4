import { Partitioners } from 'kafkajs';
import { z } from 'zod';

import type { NormalizedEvent } from '@trail-insight/events';
import type { PartitionMetadata } from 'kafkajs';

import { zodIssuesDetail } from '../zod-issues.util';

import type { OutboundMessage } from '../kafka-message';

/** A NormalizedEvent as JSON. `time` is integer epoch ms within SPEC §1's range. */
export const normalizedEventSchema = z.object({
  time: z.number().int().min(-62_135_596_800_000).max(253_402_300_799_999),
  eventId: z.string().min(1),
  accountId: z.string().min(1),
  region: z.string().min(1),
  isGlobal: z.boolean(),
  sourceIp: z.string().min(1).nullable(),
  provider: z.enum(['actiontrail', 'cloudtrail']),
  userAgent: z.string().nullable(),
  principalId: z.string().nullable(),
  eventName: z.string().nullable(),
  errorCode: z.string().nullable(),
}) satisfies z.ZodType<NormalizedEvent>;

/** Most events one `normalized-events` message carries. */
export const MAX_EVENTS_PER_MESSAGE = 1_000;
/**
 * Most JSON characters one `normalized-events` message carries (one event may exceed it alone):
 * at most 3 UTF-8 bytes each, so a message stays under the broker's default 1 MiB limit.
 */
export const MAX_NORMALIZED_MESSAGE_BYTES = 256 * 1024;

/**
 * Wire format of `normalized-events` (ingest → detector): a JSON array of 1 to
 * {@link MAX_EVENTS_PER_MESSAGE} NormalizedEvents, all of accounts that belong to the message's
 * partition (murmur2 of the account id, as a keyed produce would route them), in input order
 * (`normalized-events.v2`). A single NormalizedEvent object keyed by its account
 * (`normalized-event.v1`, what ingest wrote before) is still accepted, so a rolling upgrade or an
 * old topic replays unchanged.
 */
export const normalizedEventsMessageSchema = z.union([
  normalizedEventSchema.transform((event) => [event]),
  z.array(normalizedEventSchema).min(1).max(MAX_EVENTS_PER_MESSAGE),
]);

/** Header on `normalized-events` messages naming the payload schema and version. */
export const NORMALIZED_EVENTS_SCHEMA_HEADER = { schema: 'normalized-events.v2' } as const;
/** Header of the v1 wire format: one NormalizedEvent per message. */
export const NORMALIZED_EVENT_SCHEMA_HEADER = { schema: 'normalized-event.v1' } as const;

const keyPartitioner = Partitioners.DefaultPartitioner();
const partitionLists = new Map<number, PartitionMetadata[]>();

/**
 * The partition a keyed produce sends `key` to on a topic of `partitions` partitions: kafkajs'
 * default (Java-compatible murmur2) partitioner, the one the lib's producer uses.
 */
export function partitionOfKey(key: string, partitions: number): number {
  let metadata = partitionLists.get(partitions);
  if (metadata === undefined) {
    metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
      partitionErrorCode: 0,
      offlineReplicas: [],
    }));
    partitionLists.set(partitions, metadata);
  }
  return keyPartitioner({ topic: '', partitionMetadata: metadata, message: { key, value: null } });
}

/**
 * Packs events into `normalized-events` messages: one per partition of a topic of `partitions`
 * partitions (an account's partition is {@link partitionOfKey} of its id), each holding its
 * events in input order, split at {@link MAX_EVENTS_PER_MESSAGE} events or
 * {@link MAX_NORMALIZED_MESSAGE_BYTES}. So a partition receives exactly the events, in exactly the
 * order, that one keyed message per event would have given it: the detector's watermark (latest
 * event time of the partition − lateness) never passes an event a later message still brings.
 * Packing per account instead would reorder accounts within a partition by up to a whole batch of
 * event time. Fewer, larger messages are what make the topic cheap (docs/benchmarks.md).
 */
export function packNormalizedEvents(
  events: Iterable<NormalizedEvent>,
  partitions: number,
): OutboundMessage[] {
  const byPartition = new Map<number, NormalizedEvent[]>();
  const partitionOfAccount = new Map<string, number>();
  for (const event of events) {
    let partition = partitionOfAccount.get(event.accountId);
    if (partition === undefined) {
      partition = partitionOfKey(event.accountId, partitions);
      partitionOfAccount.set(event.accountId, partition);
    }
    let group = byPartition.get(partition);
    if (group === undefined) {
      group = [];
      byPartition.set(partition, group);
    }
    group.push(event);
  }
  const messages: OutboundMessage[] = [];
  for (const [partition, group] of byPartition) {
    packGroup(group, partition, messages);
  }
  return messages;
}

/** Events per run whose JSON of `length` characters for `count` events fills 90 % of the cap. */
function runSizeFor(length: number, count: number): number {
  const fitting = Math.floor(((MAX_NORMALIZED_MESSAGE_BYTES * 0.9) / Math.max(length, 1)) * count);
  return Math.min(MAX_EVENTS_PER_MESSAGE, Math.max(1, fitting));
}

/**
 * One partition's events as messages of one `JSON.stringify` each (one call per message costs
 * less than one per event). The run size is estimated from the JSON already written (the first
 * event's for the first run) to fill about 90 % of {@link MAX_NORMALIZED_MESSAGE_BYTES}; a run
 * whose JSON still passes the cap is shrunk and written again, down to one event, which leaves
 * alone whatever its size.
 */
function packGroup(group: NormalizedEvent[], partition: number, messages: OutboundMessage[]): void {
  let size = runSizeFor(JSON.stringify(group[0]).length, 1);
  let start = 0;
  while (start < group.length) {
    const run = group.slice(start, start + size);
    const value = JSON.stringify(run);
    if (value.length > MAX_NORMALIZED_MESSAGE_BYTES && run.length > 1) {
      size = Math.min(run.length - 1, runSizeFor(value.length, run.length));
      continue;
    }
    messages.push({ key: null, partition, value, headers: NORMALIZED_EVENTS_SCHEMA_HEADER });
    start += run.length;
    size = runSizeFor(value.length, run.length);
  }
}

/**
 * The events of one `normalized-events` message value (v2 array or v1 object), validated; throws
 * on anything else. For readers outside the Kafka handlers (tests, tools); the detector's handler
 * validates with {@link normalizedEventsMessageSchema} and dead-letters instead.
 */
export function decodeNormalizedEvents(value: Buffer | string | null): NormalizedEvent[] {
  if (value === null) {
    throw new Error('normalized-events message has no value');
  }
  return normalizedEventsMessageSchema.parse(JSON.parse(String(value)));
}

/** An event of a `normalized-events` message that failed {@link normalizedEventSchema}. */
export interface RejectedNormalizedEvent {
  /** Position in the message's array (0-based). */
  index: number;
  detail: string;
  /** The element re-serialized as JSON (its original bytes are not delimited). */
  value: string;
}

/** A `normalized-events` message value, decoded event by event. */
export type NormalizedMessageDecoding =
  | { ok: true; events: NormalizedEvent[]; rejected: RejectedNormalizedEvent[] }
  | { ok: false; reason: 'invalid-json' | 'schema-mismatch'; detail: string };

/**
 * Decodes a `normalized-events` message so that one bad event costs only itself: a valid message
 * (the usual case, one schema check) gives its events; an array some of whose elements are not
 * NormalizedEvents gives the others plus the rejected ones. Anything else (not JSON, not an array
 * or event, an empty or oversized array) is invalid as a whole.
 */
export function decodeNormalizedMessage(value: Buffer): NormalizedMessageDecoding {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'invalid-json', detail: (error as Error).message };
  }
  const whole = normalizedEventsMessageSchema.safeParse(json);
  if (whole.success) {
    return { ok: true, events: whole.data, rejected: [] };
  }
  if (!Array.isArray(json) || json.length === 0 || json.length > MAX_EVENTS_PER_MESSAGE) {
    return { ok: false, reason: 'schema-mismatch', detail: zodIssuesDetail(whole.error) };
  }
  const events: NormalizedEvent[] = [];
  const rejected: RejectedNormalizedEvent[] = [];
  json.forEach((element: unknown, index) => {
    const checked = normalizedEventSchema.safeParse(element);
    if (checked.success) {
      events.push(checked.data);
    } else {
      rejected.push({
        index,
        detail: zodIssuesDetail(checked.error),
        value: JSON.stringify(element) ?? 'null',
      });
    }
  });
  return { ok: true, events, rejected };
}
