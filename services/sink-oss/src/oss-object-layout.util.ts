import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

import { parseEventTime } from '@trail-insight/events';
import { insightEventSchema } from '@trail-insight/insights';

import type { InsightEvent } from '@trail-insight/insights';

/** The folder ActionTrail delivers insight events to, under the trail's prefix. */
export const INSIGHT_FOLDER = 'AliyunLogs/Actiontrail-Insight';

/** One object: the insight events of one insight whose event time falls on one UTC day. */
export interface InsightObjectGroup {
  key: string;
  accountId: string;
  region: string;
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  insightId: string;
  events: InsightEvent[];
}

/** Normalizes an operator-given prefix: no leading or trailing slashes, empty for none. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/**
 * A path segment from untrusted text: region and account ids are plain ids in practice, but the
 * spec allows any string, so anything outside `[A-Za-z0-9._-]` is percent-encoded (a `/` must never
 * add a folder) and `.`/`..` are escaped.
 */
export function keySegment(text: string): string {
  const encoded = text.replace(/[^A-Za-z0-9._-]/gu, (char) =>
    [...Buffer.from(char, 'utf8')]
      .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
      .join(''),
  );
  return encoded === '.' || encoded === '..' ? encoded.replaceAll('.', '%2E') : encoded;
}

/**
 * `<prefix>/AliyunLogs/Actiontrail-Insight/<region>/<yyyy>/<mm>/<dd>/<account>_Actiontrail-Insight_<region>_<yyyymmdd>_<insightId>.json.gz`.
 * The name is derived from the content's id (the insight id), so a retry or a redelivery writes
 * the same key again instead of a second object.
 */
export function objectKeyOf(
  prefix: string,
  group: Pick<InsightObjectGroup, 'accountId' | 'region' | 'day' | 'insightId'>,
): string {
  const [yyyy, mm, dd] = group.day.split('-') as [string, string, string];
  const region = keySegment(group.region);
  const name = `${keySegment(group.accountId)}_Actiontrail-Insight_${region}_${yyyy}${mm}${dd}_${group.insightId}.json.gz`;
  const path = `${INSIGHT_FOLDER}/${region}/${yyyy}/${mm}/${dd}/${name}`;
  const base = normalizePrefix(prefix);
  return base === '' ? path : `${base}/${path}`;
}

function dayOf(event: InsightEvent): string {
  return new Date(parseEventTime(event.eventTime) as number).toISOString().slice(0, 10);
}

/** Event time order, ties by event id: the content of an object does not depend on arrival order. */
export function compareInsightEvents(left: InsightEvent, right: InsightEvent): number {
  const byTime =
    (parseEventTime(left.eventTime) as number) - (parseEventTime(right.eventTime) as number);
  if (byTime !== 0) {
    return byTime;
  }
  return left.eventId < right.eventId ? -1 : left.eventId > right.eventId ? 1 : 0;
}

/** Groups a consumed batch into objects, each with its events de-duplicated and sorted. */
export function groupInsightEvents(
  prefix: string,
  events: readonly InsightEvent[],
): InsightObjectGroup[] {
  const groups = new Map<string, InsightObjectGroup>();
  for (const event of events) {
    const coordinates = {
      accountId: event.recipientAccountId,
      region: event.acsRegion,
      day: dayOf(event),
      insightId: event.sharedEventId,
    };
    const key = objectKeyOf(prefix, coordinates);
    let group = groups.get(key);
    if (group === undefined) {
      group = { key, ...coordinates, events: [] };
      groups.set(key, group);
    }
    group.events.push(event);
  }
  for (const group of groups.values()) {
    group.events = mergeInsightEvents([], group.events);
  }
  return [...groups.values()].sort((left, right) => (left.key < right.key ? -1 : 1));
}

/**
 * The union of what an object already holds and what arrived, by event id (the newer copy wins),
 * in {@link compareInsightEvents} order. Merging makes a split delivery (an insight's events spread
 * over two Kafka batches) and any redelivery converge to one object with every event once.
 */
export function mergeInsightEvents(
  existing: readonly InsightEvent[],
  incoming: readonly InsightEvent[],
): InsightEvent[] {
  const byId = new Map<string, InsightEvent>();
  for (const event of existing) {
    byId.set(event.eventId, event);
  }
  for (const event of incoming) {
    byId.set(event.eventId, event);
  }
  return [...byId.values()].sort(compareInsightEvents);
}

/** Whether two sorted event lists hold the same events with the same content. */
export function sameEvents(left: readonly InsightEvent[], right: readonly InsightEvent[]): boolean {
  return left.length === right.length && JSON.stringify(left) === JSON.stringify(right);
}

/** A gzip JSON array, as ActionTrail delivers to OSS. Deterministic: zlib writes no timestamp. */
export function encodeInsightObject(events: readonly InsightEvent[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(events), 'utf8'), { level: 9 });
}

/** Base64 MD5 for the `Content-MD5` header: OSS and S3 reject a body damaged in transit. */
export function contentMd5Of(body: Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

/** Reads an object written by {@link encodeInsightObject}; null when it is not one. */
export function decodeInsightObject(body: Buffer): InsightEvent[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(gunzipSync(body).toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) {
    return null;
  }
  const events: InsightEvent[] = [];
  for (const item of parsed) {
    const result = insightEventSchema.safeParse(item);
    if (!result.success) {
      return null;
    }
    events.push(result.data);
  }
  return events;
}
