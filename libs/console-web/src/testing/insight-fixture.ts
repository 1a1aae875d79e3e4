import { randomUUID } from 'node:crypto';

import { BUCKET_MS, WINDOW_MS } from '@trail-insight/detection';
import { toInsightEvents, toIpInsight } from '@trail-insight/insights';

import type { ObservationWindow } from '@trail-insight/detection';
import type { IpInsight } from '@trail-insight/insights';

import type { InsightState } from '../console-web.types';
import { attributionsOf } from '../trail-event-collector.util';

import type { MemoryInsightEntry } from '../memory-insight.repository';

export interface FixtureSpec {
  accountId?: string;
  region?: string;
  ip: string;
  /** Window start, epoch ms. */
  start: number;
  /** Operation times as offsets from `start` in ms (default: 3 operations, 1 minute apart). */
  offsets?: number[];
  state?: InsightState;
  heterogeneity?: number;
}

/**
 * A realistic insight for console tests: an ObservationWindow filled like the detection engine
 * does, formatted by `toIpInsight`, with ActionTrail management events and SPEC §5 insight events.
 */
export function insightFixture(spec: FixtureSpec): MemoryInsightEntry & { insight: IpInsight } {
  const accountId = spec.accountId ?? '1234567890';
  const region = spec.region ?? 'cn-hangzhou';
  const offsets = spec.offsets ?? [0, 60_000, 120_000];
  const times = offsets.map((offset) => spec.start + offset);
  const events = times.map((time, index) => ({
    eventId: randomUUID(),
    eventVersion: '1',
    eventSource: 'ecs.aliyuncs.com',
    eventName: index % 2 === 0 ? 'DescribeInstances' : 'StopInstance',
    eventType: 'ApiCall',
    eventTime: new Date(time).toISOString().replace('.000Z', 'Z'),
    acsRegion: region,
    sourceIpAddress: spec.ip,
    userAgent: 'aliyun-cli/3.0.200 <script>alert(1)</script>',
    userIdentity: { type: 'ram-user', accountId, principalId: '2001', userName: 'ops' },
    requestId: randomUUID(),
  }));
  const buckets: Array<{ start: number; count: number }> = [];
  for (const time of times) {
    const bucketStart = Math.floor(time / BUCKET_MS) * BUCKET_MS;
    const last = buckets[buckets.length - 1];
    if (last !== undefined && last.start === bucketStart) {
      last.count += 1;
    } else {
      buckets.push({ start: bucketStart, count: 1 });
    }
  }
  const heterogeneity = spec.heterogeneity ?? 100;
  const window: ObservationWindow = {
    ip: spec.ip,
    start: spec.start,
    lastTime: times[times.length - 1] ?? spec.start,
    eventCount: times.length,
    slots: 1,
    buckets,
    eventIds: events.map((event) => event.eventId),
    predictedValue: 0.5 - (heterogeneity / 100) * 0.5,
    threshold: 0.5,
    heterogeneity,
    signals: [],
  };
  const insight = toIpInsight({ accountId, region, window });
  const state = spec.state ?? 'confirmed';
  const insightEvents =
    state === 'confirmed'
      ? toInsightEvents(insight, attributionsOf(events).attributions, 'actiontrail')
      : [];
  return { insight, state, managementEvents: events, insightEvents };
}

/** Verdict time of a window starting at `start`. */
export function verdictOf(start: number): number {
  return start + WINDOW_MS;
}
