import {
  InsightEventState,
  insightEventIdOf,
  toInsightEventTime,
  toInsightEvents,
  topAttributionEntries,
  topAttributionValues,
} from './insight-event';
import { insightEventSchema } from './insight-event.schema';
import { insightIdOf } from './ip-insight';

import type { InsightAttributions } from './insight-event';
import type { IpInsight } from './ip-insight';

const START = Date.UTC(2026, 2, 10, 2, 3, 4);

function insightWith(counts: number[]): IpInsight {
  const insightId = insightIdOf('1234', 'cn-hangzhou', '42.120.1.2', START);
  const buckets = counts.map((count, index) => ({
    startTime: new Date(Date.UTC(2026, 2, 10, 2, 0) + index * 600_000).toISOString(),
    durationSeconds: 300,
    count,
  }));
  return {
    insightType: 'IPInsight',
    insightId,
    accountId: '1234',
    region: 'cn-hangzhou',
    sourceIpAddress: '42.120.1.2',
    startTime: new Date(START).toISOString(),
    endTime: new Date(START + 3_600_000).toISOString(),
    verdictTime: new Date(START + 7 * 86_400_000).toISOString(),
    eventCount: counts.reduce((sum, count) => sum + count, 0),
    heterogeneity: 100,
    predictedValue: 0,
    threshold: 0.5,
    buckets,
    eventIds: ['e1'],
  };
}

const attributions: InsightAttributions = {
  userAgent: { 'aliyun-cli': 4, 'curl/8': 2 },
  principalId: { 'p-1': 6 },
  apiRelated: { DescribeInstances: 5, DeleteInstance: 1 },
  errorCode: {},
};

describe(toInsightEvents.name, () => {
  it('emits one event per bucket with Start, Update and End and the statistics of SPEC §5', () => {
    const insight = insightWith([3, 1, 2]);
    const events = toInsightEvents(insight, attributions, 'actiontrail');
    expect(events.map((event) => event.insightDetails.state)).toEqual([
      InsightEventState.Start,
      InsightEventState.Update,
      InsightEventState.End,
    ]);
    expect(events.map((event) => event.insightDetails.insightContext.statistics)).toEqual([
      { insight: 3, insightDuration: 5, insightCount: 6, baseline: 0 },
      { insight: 1, insightDuration: 5, insightCount: 6, baseline: 0 },
      { insight: 2, insightDuration: 5, insightCount: 6, baseline: 0 },
    ]);
    expect(events[0]).toMatchObject({
      eventVersion: '1',
      eventType: 'ActionTrailInsight',
      eventCategory: 'Insight',
      sharedEventId: insight.insightId,
      eventTime: '2026-03-10T02:00:00Z',
      acsRegion: 'cn-hangzhou',
      recipientAccountId: '1234',
      insightDetails: {
        insightType: 'IpInsight',
        insightObject: '42.120.1.2',
        sourceIpAddress: '42.120.1.2',
        insightContext: { heterogeneity: { value: 100, predictedValue: 0, threshold: 0.5 } },
      },
    });
    expect(events[0]).not.toHaveProperty('awsRegion');
    expect(events[2]?.eventTime).toBe('2026-03-10T02:20:00Z');
    for (const event of events) {
      expect(insightEventSchema.safeParse(event).success).toBe(true);
    }
  });

  it('writes a one-bucket insight as a single Start whose count is the whole insight', () => {
    const [only, ...rest] = toInsightEvents(insightWith([7]), attributions, 'actiontrail');
    expect(rest).toEqual([]);
    expect(only?.insightDetails.state).toBe(InsightEventState.Start);
    expect(only?.insightDetails.insightContext.statistics).toMatchObject({
      insight: 7,
      insightCount: 7,
    });
  });

  it('explains the verdict in the heterogeneity block when the model gave signals', () => {
    const explained = {
      ...insightWith([1]),
      heterogeneity: 40,
      predictedValue: 0.3,
      signals: ['same /16 as 2 usual IPs'],
    };
    const [event] = toInsightEvents(explained, attributions, 'actiontrail');
    expect(event?.insightDetails.insightContext.heterogeneity).toEqual({
      value: 40,
      predictedValue: 0.3,
      threshold: 0.5,
      signals: ['same /16 as 2 usual IPs'],
    });
    expect(insightEventSchema.parse(event)).toEqual(event);
    const [plain] = toInsightEvents(insightWith([1]), attributions, 'actiontrail');
    expect(plain?.insightDetails.insightContext.heterogeneity).not.toHaveProperty('signals');
  });

  it('lists the four attributions in order with the average per active 5-minute bucket', () => {
    const [first] = toInsightEvents(insightWith([3, 1, 2]), attributions, 'actiontrail');
    expect(first?.insightDetails.insightContext.attributions).toEqual([
      {
        attribute: 'userAgent',
        insight: [
          { value: 'aliyun-cli', average: 1.33 },
          { value: 'curl/8', average: 0.67 },
        ],
      },
      { attribute: 'principalId', insight: [{ value: 'p-1', average: 2 }] },
      {
        attribute: 'apiRelated',
        insight: [
          { value: 'DescribeInstances', average: 1.67 },
          { value: 'DeleteInstance', average: 0.33 },
        ],
      },
      { attribute: 'errorCode', insight: [] },
    ]);
  });

  it('puts awsRegion right beside acsRegion for CloudTrail input', () => {
    const [event] = toInsightEvents(insightWith([1]), attributions, 'cloudtrail');
    expect(Object.keys(event ?? {})).toEqual([
      'eventVersion',
      'eventType',
      'eventCategory',
      'eventId',
      'sharedEventId',
      'eventTime',
      'acsRegion',
      'awsRegion',
      'recipientAccountId',
      'insightDetails',
    ]);
    expect(event?.awsRegion).toBe('cn-hangzhou');
    expect(insightEventSchema.safeParse(event).success).toBe(true);
  });

  it('derives stable, distinct, UUID-shaped event ids', () => {
    const insight = insightWith([1, 1, 1]);
    const once = toInsightEvents(insight, attributions, 'actiontrail').map((e) => e.eventId);
    const again = toInsightEvents(insight, attributions, 'actiontrail').map((e) => e.eventId);
    expect(again).toEqual(once);
    expect(new Set(once).size).toBe(3);
    expect(once[0]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(insightEventIdOf(insight.insightId, Date.UTC(2026, 2, 10, 2, 0))).toBe(once[0]);
    // pinned so that a change of the derivation is a visible, deliberate break
    expect(insightEventIdOf('a'.repeat(64), 0)).toBe('bf0a6b92-6c80-5cc0-ab08-d86ba6f72a1e');
  });
});

describe(topAttributionValues.name, () => {
  it('keeps the top values by count, ties by value, and drops zero counts', () => {
    const counts = new Map<string, number>([
      ['b', 2],
      ['a', 2],
      ['c', 5],
      ['z', 0],
    ]);
    expect(Object.entries(topAttributionValues(counts, 2))).toEqual([
      ['c', 5],
      ['a', 2],
    ]);
    expect(topAttributionValues(counts)).toEqual({ c: 5, a: 2, b: 2 });
  });

  it('orders integer-like values by count too and keeps __proto__ as a plain value', () => {
    const parsed = JSON.parse('{"403":1,"AccessDenied":3,"__proto__":2}') as Record<string, number>;
    expect(topAttributionEntries(parsed)).toEqual([
      ['AccessDenied', 3],
      ['__proto__', 2],
      ['403', 1],
    ]);
    expect(Object.keys(topAttributionValues(parsed)).sort()).toEqual([
      '403',
      'AccessDenied',
      '__proto__',
    ]);
    expect(Object.getPrototypeOf(topAttributionValues(parsed))).toBe(Object.prototype);
  });
});

describe(toInsightEventTime.name, () => {
  it('drops the milliseconds', () => {
    expect(toInsightEventTime('2026-03-10T02:05:00.000Z')).toBe('2026-03-10T02:05:00Z');
  });
});
