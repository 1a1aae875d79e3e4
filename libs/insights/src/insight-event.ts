import { createHash } from 'node:crypto';

import type { TrailProvider } from '@trail-insight/events';

import type { IpInsight } from './ip-insight';

/** The attributes of SPEC §5 insight events, in the order they are written. */
export const INSIGHT_ATTRIBUTES = ['userAgent', 'principalId', 'apiRelated', 'errorCode'] as const;
export type InsightAttribute = (typeof INSIGHT_ATTRIBUTES)[number];

/**
 * How many operations of an insight's window had each value of each attribute (`apiRelated` = the
 * event name). Operations whose field is null are not counted.
 */
export type InsightAttributions = Record<InsightAttribute, Record<string, number>>;

/** Values kept per attribute (the top ones by count). */
export const MAX_ATTRIBUTION_VALUES = 20;

export enum InsightEventState {
  Start = 'Start',
  Update = 'Update',
  End = 'End',
}

export interface InsightAttributionValue {
  value: string;
  /** Operations with this value per 5-minute bucket of the insight (see {@link toInsightEvents}). */
  average: number;
}

/** SPEC §5 insight event (ActionTrail Insights structure), field order as written. */
export interface InsightEvent {
  eventVersion: '1';
  eventType: 'ActionTrailInsight';
  eventCategory: 'Insight';
  eventId: string;
  sharedEventId: string;
  eventTime: string;
  acsRegion: string;
  /** Only for CloudTrail input, equal to `acsRegion`. */
  awsRegion?: string;
  recipientAccountId: string;
  insightDetails: {
    state: InsightEventState;
    insightType: 'IpInsight';
    insightObject: string;
    sourceIpAddress: string;
    insightContext: {
      statistics: {
        insight: number;
        insightDuration: 5;
        insightCount: number;
        baseline: 0;
      };
      attributions: Array<{ attribute: InsightAttribute; insight: InsightAttributionValue[] }>;
      /** `signals`: why the model judged so (model `default` only; SPEC §4, issue 5). */
      heterogeneity: {
        value: number;
        predictedValue: number;
        threshold: number;
        signals?: string[];
      };
    };
  };
}

function compareCodePoints(left: string, right: string): number {
  if (left === right) {
    return 0;
  }
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

function isCountMap(
  counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
): counts is ReadonlyMap<string, number> {
  return counts instanceof Map;
}

/** The top `limit` (value, count) pairs by count, ties by value in code-point order. */
export function topAttributionEntries(
  counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  limit: number = MAX_ATTRIBUTION_VALUES,
): Array<[string, number]> {
  const entries: Array<[string, number]> = isCountMap(counts)
    ? [...counts.entries()]
    : Object.entries(counts);
  return entries
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || compareCodePoints(a, b))
    .slice(0, limit);
}

/**
 * The top `limit` values by count as a plain record: what the detector attaches per attribute.
 * Built with `Object.fromEntries`, so a value such as `__proto__` stays an ordinary key. Key order
 * of the record is not meaningful (integer-like keys come first in JS); readers re-sort.
 */
export function topAttributionValues(
  counts: ReadonlyMap<string, number> | Readonly<Record<string, number>>,
  limit: number = MAX_ATTRIBUTION_VALUES,
): Record<string, number> {
  return Object.fromEntries(topAttributionEntries(counts, limit));
}

/** `2026-03-10T02:00:00.000Z` → `2026-03-10T02:00:00Z` (the insight event time format). */
export function toInsightEventTime(isoMillis: string): string {
  return isoMillis.replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Deterministic event id of the insight event of one bucket: the first 128 bits of
 * SHA-256(`<insightId>|<bucket start epoch ms>`) written as a UUID with version nibble 5 and the
 * RFC 4122 variant (a "v5-like" UUID over SHA-256 instead of SHA-1). Same insight and bucket, same
 * id, on every redelivery and in every implementation.
 */
export function insightEventIdOf(insightId: string, bucketStartMs: number): string {
  const bytes = createHash('sha256').update(`${insightId}|${bucketStartMs}`).digest();
  bytes[6] = (bytes.readUInt8(6) & 0x0f) | 0x50;
  bytes[8] = (bytes.readUInt8(8) & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function roundAverage(value: number): number {
  return Math.round(value * 100) / 100;
}

function stateOf(index: number, count: number): InsightEventState {
  if (index === 0) {
    return InsightEventState.Start;
  }
  return index === count - 1 ? InsightEventState.End : InsightEventState.Update;
}

/**
 * The insight events of an IPInsight (SPEC §5): one per non-empty 5-minute bucket, in time order;
 * `Start` for the first, `End` for the last, `Update` between (a one-bucket insight has one
 * `Start`). `statistics.insight` is the bucket's operation count, `insightCount` the insight's.
 *
 * Attributions are the same on every event of an insight: per attribute, the top
 * {@link MAX_ATTRIBUTION_VALUES} values by count, each with `average` = operations with that value
 * divided by the insight's number of non-empty 5-minute buckets, rounded to 2 decimals — the
 * average per active 5-minute interval, comparable with `statistics.insight`.
 */
export function toInsightEvents(
  insight: IpInsight,
  attributions: InsightAttributions,
  provider: TrailProvider,
): InsightEvent[] {
  const bucketCount = insight.buckets.length;
  const attributionList = INSIGHT_ATTRIBUTES.map((attribute) => ({
    attribute,
    insight: topAttributionEntries(attributions[attribute] ?? {}).map(([value, count]) => ({
      value,
      average: roundAverage(count / Math.max(bucketCount, 1)),
    })),
  }));
  return insight.buckets.map((bucket, index): InsightEvent => {
    const bucketStart = Date.parse(bucket.startTime);
    const event: InsightEvent = {
      eventVersion: '1',
      eventType: 'ActionTrailInsight',
      eventCategory: 'Insight',
      eventId: insightEventIdOf(insight.insightId, bucketStart),
      sharedEventId: insight.insightId,
      eventTime: toInsightEventTime(bucket.startTime),
      acsRegion: insight.region,
      recipientAccountId: insight.accountId,
      insightDetails: {
        state: stateOf(index, bucketCount),
        insightType: 'IpInsight',
        insightObject: insight.sourceIpAddress,
        sourceIpAddress: insight.sourceIpAddress,
        insightContext: {
          statistics: {
            insight: bucket.count,
            insightDuration: 5,
            insightCount: insight.eventCount,
            baseline: 0,
          },
          attributions: attributionList.map((entry) => ({
            attribute: entry.attribute,
            insight: entry.insight.map((value) => ({ ...value })),
          })),
          heterogeneity: {
            value: insight.heterogeneity,
            predictedValue: insight.predictedValue,
            threshold: insight.threshold,
            ...(insight.signals === undefined ? {} : { signals: [...insight.signals] }),
          },
        },
      },
    };
    if (provider === 'cloudtrail') {
      return withAwsRegion(event);
    }
    return event;
  });
}

/** Re-creates the event with `awsRegion` right after `acsRegion` (key order is output order). */
function withAwsRegion(event: InsightEvent): InsightEvent {
  const { recipientAccountId, insightDetails, ...head } = event;
  return { ...head, awsRegion: event.acsRegion, recipientAccountId, insightDetails };
}
