import { createHash } from 'node:crypto';

import { WINDOW_MS } from '@trail-insight/detection';
import { compareIpText, formatEventTime } from '@trail-insight/events';

import type { ClosedWindow } from '@trail-insight/detection';

/** A 5-minute bucket of an IPInsight as written (SPEC §5). */
export interface IpInsightBucket {
  startTime: string;
  durationSeconds: number;
  count: number;
}

/** The IPInsight record of SPEC §5, field order as there. `signals` only with models that explain. */
export interface IpInsight {
  insightType: 'IPInsight';
  insightId: string;
  accountId: string;
  region: string;
  sourceIpAddress: string;
  startTime: string;
  endTime: string;
  verdictTime: string;
  eventCount: number;
  heterogeneity: number;
  predictedValue: number;
  threshold: number;
  buckets: IpInsightBucket[];
  eventIds: string[];
  signals?: string[];
}

/** Lower-case hex SHA-256 of `<accountId>|<region>|<ip>|<startTime epoch ms>` (SPEC §5). */
export function insightIdOf(accountId: string, region: string, ip: string, start: number): string {
  return createHash('sha256').update(`${accountId}|${region}|${ip}|${start}`).digest('hex');
}

/** Formats a closed (or still open, for provisional views) window as an IPInsight. */
export function toIpInsight(
  closed: Pick<ClosedWindow, 'accountId' | 'region' | 'window'>,
): IpInsight {
  const { accountId, region, window } = closed;
  const insight: IpInsight = {
    insightType: 'IPInsight',
    insightId: insightIdOf(accountId, region, window.ip, window.start),
    accountId,
    region,
    sourceIpAddress: window.ip,
    startTime: formatEventTime(window.start),
    endTime: formatEventTime(window.lastTime),
    verdictTime: formatEventTime(window.start + WINDOW_MS),
    eventCount: window.eventCount,
    heterogeneity: window.heterogeneity,
    predictedValue: window.predictedValue,
    threshold: window.threshold,
    buckets: window.buckets.map((bucket) => ({
      startTime: formatEventTime(bucket.start),
      durationSeconds: 300,
      count: bucket.count,
    })),
    eventIds: [...window.eventIds],
  };
  if (window.signals.length > 0) {
    insight.signals = [...window.signals];
  }
  return insight;
}

function compareCodePoints(left: string, right: string): number {
  if (left === right) {
    return 0;
  }
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

/** SPEC §7 output order: startTime, then IP (IPv4 before IPv6, numerically), account, region. */
export function compareIpInsights(left: IpInsight, right: IpInsight): number {
  return (
    compareCodePoints(left.startTime, right.startTime) ||
    compareIpText(left.sourceIpAddress, right.sourceIpAddress) ||
    compareCodePoints(left.accountId, right.accountId) ||
    compareCodePoints(left.region, right.region)
  );
}
