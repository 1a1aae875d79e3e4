import fc from 'fast-check';

import { INSIGHT_ATTRIBUTES, InsightEventState, insightEventIdOf } from '@trail-insight/insights';

import type { InsightEvent } from '@trail-insight/insights';

import {
  decodeInsightObject,
  encodeInsightObject,
  groupInsightEvents,
  keySegment,
  mergeInsightEvents,
  objectKeyOf,
} from './oss-object-layout.util';

const INSIGHT_A = 'a'.repeat(64);
const INSIGHT_B = 'b'.repeat(64);

/** A schema-valid insight event; its id is derived like the aggregator's (insight + bucket start). */
function event(time: string, overrides: Partial<InsightEvent> = {}): InsightEvent {
  const sharedEventId = overrides.sharedEventId ?? INSIGHT_A;
  return {
    eventVersion: '1',
    eventType: 'ActionTrailInsight',
    eventCategory: 'Insight',
    eventId: insightEventIdOf(sharedEventId, Date.parse(time)),
    sharedEventId,
    eventTime: time,
    acsRegion: 'cn-hangzhou',
    recipientAccountId: '1234',
    insightDetails: {
      state: InsightEventState.Update,
      insightType: 'IpInsight',
      insightObject: '203.0.113.7',
      sourceIpAddress: '203.0.113.7',
      insightContext: {
        statistics: { insight: 1, insightDuration: 5, insightCount: 9, baseline: 0 },
        attributions: INSIGHT_ATTRIBUTES.map((attribute) => ({ attribute, insight: [] })),
        heterogeneity: { value: 100, predictedValue: 0, threshold: 0.5 },
      },
    },
    ...overrides,
  };
}

const idOf = (time: string, insightId = INSIGHT_A): string =>
  insightEventIdOf(insightId, Date.parse(time));

describe('oss object layout', () => {
  it('builds ActionTrail insight keys from region, UTC day, account and insight id', () => {
    expect(
      objectKeyOf('/trails/prod/', {
        accountId: '1234',
        region: 'cn-hangzhou',
        day: '2026-03-10',
        insightId: INSIGHT_A,
      }),
    ).toBe(
      `trails/prod/AliyunLogs/Actiontrail-Insight/cn-hangzhou/2026/03/10/1234_Actiontrail-Insight_cn-hangzhou_20260310_${INSIGHT_A}.json.gz`,
    );
    expect(
      objectKeyOf('', {
        accountId: '1',
        region: 'us-east-1',
        day: '2026-01-02',
        insightId: INSIGHT_B,
      }),
    ).toMatch(/^AliyunLogs\/Actiontrail-Insight\/us-east-1\/2026\/01\/02\//);
  });

  it('never lets a region or account add a folder', () => {
    expect(keySegment('../x/y')).toBe('..%2Fx%2Fy');
    expect(keySegment('..')).toBe('%2E%2E');
    expect(keySegment('区域')).toBe('%E5%8C%BA%E5%9F%9F');
    fc.assert(
      fc.property(fc.string(), (text) => {
        const segment = keySegment(text);
        return !segment.includes('/') && segment !== '.' && segment !== '..';
      }),
    );
  });

  it('groups a batch by insight and UTC day of the event time, de-duplicated and sorted', () => {
    const events = [
      event('2026-03-11T00:05:00Z'),
      event('2026-03-10T23:55:00Z'),
      event('2026-03-10T23:50:00Z'),
      event('2026-03-10T23:55:00Z'),
      event('2026-03-10T10:00:00Z', { sharedEventId: INSIGHT_B, acsRegion: 'ap-southeast-1' }),
    ];
    const groups = groupInsightEvents('p', events);
    expect(
      groups.map((group) => [
        group.region,
        group.day,
        group.insightId[0],
        group.events.map((e) => e.eventId),
      ]),
    ).toEqual([
      ['ap-southeast-1', '2026-03-10', 'b', [idOf('2026-03-10T10:00:00Z', INSIGHT_B)]],
      [
        'cn-hangzhou',
        '2026-03-10',
        'a',
        [idOf('2026-03-10T23:50:00Z'), idOf('2026-03-10T23:55:00Z')],
      ],
      ['cn-hangzhou', '2026-03-11', 'a', [idOf('2026-03-11T00:05:00Z')]],
    ]);
  });

  it('merges to the same content whatever the split and order of deliveries', () => {
    const all = Array.from({ length: 12 }, (_, index) =>
      event(new Date(Date.UTC(2026, 2, 10, 1, index * 5)).toISOString().replace('.000Z', 'Z')),
    );
    fc.assert(
      fc.property(
        fc.shuffledSubarray(all, { minLength: 0, maxLength: 12 }),
        fc.shuffledSubarray(all),
        (first, second) => {
          const once = mergeInsightEvents(mergeInsightEvents([], first), [...second, ...all]);
          return JSON.stringify(once) === JSON.stringify(mergeInsightEvents([], all));
        },
      ),
    );
  });

  it('encodes a deterministic gzip JSON array that decodes back', () => {
    const events = [event('2026-03-10T01:00:00Z'), event('2026-03-10T01:05:00Z')];
    const body = encodeInsightObject(events);
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(encodeInsightObject(events)).toEqual(body);
    expect(decodeInsightObject(body)).toEqual(events);
    expect(decodeInsightObject(Buffer.from('not gzip'))).toBeNull();
  });
});
