import { MS_PER_DAY, NONE_MODEL, createAccountState } from '@trail-insight/detection';

import type { NormalizedEvent } from '@trail-insight/events';

import { ProvisionalPreview } from './provisional-preview';

const T0 = Date.UTC(2026, 2, 10, 8);
let next = 0;

function event(time: number, sourceIp: string | null): NormalizedEvent {
  next += 1;
  return {
    time,
    eventId: `e${next}`,
    accountId: '1',
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp,
    provider: 'actiontrail',
    userAgent: null,
    principalId: null,
    eventName: null,
    errorCode: null,
  };
}

describe(ProvisionalPreview.name, () => {
  const config = { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL };

  it('shows buffered operations of an unfamiliar IP as a provisional insight, without touching the state', () => {
    const sut = new ProvisionalPreview(config);
    const state = createAccountState('1');
    const first = event(T0, '203.0.113.9');
    sut.add(first);
    sut.add(event(T0 + 60_000, '203.0.113.9'));
    sut.add(event(T0 + 120_000, null));

    const preview = sut.previewOf(state);

    expect([...preview.keys()]).toEqual(['cn-hangzhou\u0000203.0.113.9']);
    expect(preview.get('cn-hangzhou\u0000203.0.113.9')).toMatchObject({
      state: 'provisional',
      eventCount: 2,
      eventIds: [first.eventId, `e${next - 1}`],
    });
    expect(state.regions.size).toBe(0);
    expect(sut.takeChanged()).toEqual(['1']);
  });

  it('applies the real rules: an IP used on three days in the buffer is usual, not provisional', () => {
    const sut = new ProvisionalPreview(config);
    for (const day of [0, 1, 2]) {
      sut.add(event(T0 + day * MS_PER_DAY, '198.51.100.1'));
    }
    expect(sut.previewOf(createAccountState('1')).size).toBe(0);
  });

  it('drops operations once a checkpoint applied them', () => {
    const sut = new ProvisionalPreview(config);
    const only = event(T0, '203.0.113.10');
    const kept = event(T0 + 1_000, '203.0.113.11');
    sut.add(only);
    sut.add(kept);
    sut.remove(only);
    expect(sut.has('1')).toBe(true);
    expect([...sut.previewOf(createAccountState('1')).keys()]).toEqual([
      'cn-hangzhou\u0000203.0.113.11',
    ]);
    sut.remove(kept);
    expect(sut.has('1')).toBe(false);
    expect(sut.previewOf(createAccountState('1')).size).toBe(0);
  });
});
