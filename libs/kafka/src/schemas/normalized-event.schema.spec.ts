import {
  MAX_EVENTS_PER_MESSAGE,
  MAX_NORMALIZED_MESSAGE_BYTES,
  NORMALIZED_EVENTS_SCHEMA_HEADER,
  decodeNormalizedEvents,
  decodeNormalizedMessage,
  normalizedEventsMessageSchema,
  packNormalizedEvents,
} from './normalized-event.schema';

import type { NormalizedEvent } from '@trail-insight/events';

function event(accountId: string, id: number, overrides: Partial<NormalizedEvent> = {}) {
  return {
    time: Date.UTC(2026, 0, 1) + id,
    eventId: `e-${id}`,
    accountId,
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp: '203.0.113.7',
    provider: 'actiontrail' as const,
    userAgent: null,
    principalId: null,
    eventName: 'DescribeInstances',
    errorCode: null,
    ...overrides,
  };
}

describe('packNormalizedEvents', () => {
  it('packs one message per account, keyed by it, each account in input order', () => {
    const input = [event('a', 1), event('b', 2), event('a', 3), event('c', 4), event('b', 5)];

    const messages = packNormalizedEvents(input);

    expect(messages.map((message) => message.key)).toEqual(['a', 'b', 'c']);
    expect(messages.every((m) => m.headers === NORMALIZED_EVENTS_SCHEMA_HEADER)).toBe(true);
    expect(
      messages.map((message) => decodeNormalizedEvents(message.value).map((e) => e.eventId)),
    ).toEqual([['e-1', 'e-3'], ['e-2', 'e-5'], ['e-4']]);
  });

  it('splits an account at the event cap and keeps the order across its messages', () => {
    const input = Array.from({ length: 2 * MAX_EVENTS_PER_MESSAGE + 1 }, (_, i) => event('a', i));

    const messages = packNormalizedEvents(input);

    expect(messages.map((m) => decodeNormalizedEvents(m.value).length)).toEqual([
      MAX_EVENTS_PER_MESSAGE,
      MAX_EVENTS_PER_MESSAGE,
      1,
    ]);
    expect(messages.flatMap((m) => decodeNormalizedEvents(m.value))).toEqual(input);
  });

  it('splits at the size cap, and a single event larger than it still leaves alone', () => {
    const big = 'x'.repeat(MAX_NORMALIZED_MESSAGE_BYTES / 3);
    const huge = 'y'.repeat(MAX_NORMALIZED_MESSAGE_BYTES + 10);
    const input = [
      event('a', 1, { userAgent: big }),
      event('a', 2, { userAgent: big }),
      event('a', 3, { userAgent: big }),
      event('a', 4, { userAgent: huge }),
      event('a', 5),
    ];

    const messages = packNormalizedEvents(input);

    expect(messages.map((m) => decodeNormalizedEvents(m.value).map((e) => e.eventId))).toEqual([
      ['e-1', 'e-2'],
      ['e-3'],
      ['e-4'],
      ['e-5'],
    ]);
    for (const message of messages.slice(0, 2)) {
      expect(String(message.value).length).toBeLessThanOrEqual(MAX_NORMALIZED_MESSAGE_BYTES);
    }
  });

  it('sends nothing for no events', () => {
    expect(packNormalizedEvents([])).toEqual([]);
  });
});

describe('normalizedEventsMessageSchema', () => {
  it('reads the v2 array and the v1 single object alike', () => {
    const one = event('a', 1);
    expect(normalizedEventsMessageSchema.parse([one, event('a', 2)])).toHaveLength(2);
    expect(normalizedEventsMessageSchema.parse(one)).toEqual([one]);
  });

  it.each([
    ['an empty array', []],
    ['two accounts in one message', [event('a', 1), event('b', 2)]],
    [
      'more events than the cap',
      Array.from({ length: MAX_EVENTS_PER_MESSAGE + 1 }, (_, i) => event('a', i)),
    ],
    ['an event without a time', [{ ...event('a', 1), time: undefined }]],
    ['a bare string', 'a'],
  ])('rejects %s', (_name, value) => {
    expect(normalizedEventsMessageSchema.safeParse(value).success).toBe(false);
  });

  it('decodeNormalizedEvents names what is wrong', () => {
    expect(() => decodeNormalizedEvents(null)).toThrow('no value');
    expect(() => decodeNormalizedEvents('{')).toThrow(SyntaxError);
    expect(() => decodeNormalizedEvents('[]')).toThrow();
  });
});

describe('decodeNormalizedMessage', () => {
  const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));

  it('gives every event of a valid message, v2 or v1', () => {
    expect(decodeNormalizedMessage(bytes([event('a', 1), event('a', 2)]), 'a')).toEqual({
      ok: true,
      events: [event('a', 1), event('a', 2)],
      rejected: [],
    });
    expect(decodeNormalizedMessage(bytes(event('a', 1)), null)).toEqual({
      ok: true,
      events: [event('a', 1)],
      rejected: [],
    });
  });

  it('rejects only the bad events of an array, by position', () => {
    const bad = { ...event('a', 2), time: 'yesterday' };
    const decoded = decodeNormalizedMessage(
      bytes([event('a', 1), bad, event('b', 3), event('a', 4)]),
      'a',
    );

    expect(decoded).toMatchObject({ ok: true, events: [event('a', 1), event('a', 4)] });
    expect(decoded.ok && decoded.rejected.map((r) => [r.index, r.value])).toEqual([
      [1, JSON.stringify(bad)],
      [2, JSON.stringify(event('b', 3))],
    ]);
    expect(decoded.ok && decoded.rejected[0].detail).toContain('time');
  });

  it('takes the account of the first valid event when the message has no key', () => {
    const decoded = decodeNormalizedMessage(bytes([42, event('b', 1), event('a', 2)]), null);

    expect(decoded).toMatchObject({ ok: true, events: [event('b', 1)] });
    expect(decoded.ok && decoded.rejected.map((r) => r.index)).toEqual([0, 2]);
  });

  it.each([
    ['not JSON', Buffer.from('{"time":'), 'a', 'invalid-json'],
    ['an empty array', bytes([]), 'a', 'schema-mismatch'],
    ['a bare number', bytes(42), 'a', 'schema-mismatch'],
    ['a v1 event of another account than its key', bytes(event('b', 1)), 'a', 'schema-mismatch'],
  ])('refuses %s as a whole', (_name, value, key, reason) => {
    expect(decodeNormalizedMessage(value, key)).toMatchObject({ ok: false, reason });
  });
});
