import { StringPool } from './string-pool';

import type { NormalizedEvent } from '@trail-insight/events';

function parsedEvent(eventId: string): NormalizedEvent {
  // JSON.parse gives each event its own string objects, as consumed messages do
  return JSON.parse(
    JSON.stringify({
      time: 1,
      eventId,
      accountId: '1234',
      region: 'cn-hangzhou',
      isGlobal: false,
      sourceIp: '203.0.113.9',
      provider: 'actiontrail',
      userAgent: 'aliyun-cli/3.0.200',
      principalId: null,
      eventName: 'DescribeInstances',
      errorCode: null,
    }),
  ) as NormalizedEvent;
}

describe(StringPool.name, () => {
  it('leaves every value of an interned event unchanged', () => {
    const pool = new StringPool();
    const first = parsedEvent('a');
    const second = parsedEvent('b');
    const before = structuredClone(second);
    pool.internEvent(first);
    pool.internEvent(second);
    expect(second).toEqual(before);
    expect(first).toEqual({ ...before, eventId: 'a' });
  });

  it('keeps returning equal strings after it starts afresh at its capacity', () => {
    const pool = new StringPool(2);
    pool.intern('a');
    pool.intern('b');
    expect(pool.intern('c')).toBe('c');
    expect(pool.intern('a')).toBe('a');
  });
});
