import fc from 'fast-check';

import {
  MAX_EVENTS_PER_MESSAGE,
  MAX_NORMALIZED_MESSAGE_BYTES,
  NORMALIZED_EVENTS_SCHEMA_HEADER,
  decodeNormalizedEvents,
  decodeNormalizedMessage,
  normalizedEventsMessageSchema,
  packNormalizedEvents,
  partitionOfKey,
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

/** Account ids of a 6-partition topic: the first two share a partition, the third does not. */
function accountsOfSixPartitions(): { a: string; b: string; c: string } {
  const ids = Array.from({ length: 200 }, (_, i) => String(100_000_000_000 + i));
  const [a] = ids;
  if (a === undefined) {
    throw new Error('no account ids');
  }
  const b = ids.find((id) => id !== a && partitionOfKey(id, 6) === partitionOfKey(a, 6)) as string;
  const c = ids.find((id) => partitionOfKey(id, 6) !== partitionOfKey(a, 6)) as string;
  return { a, b, c };
}

describe('partitionOfKey', () => {
  it('is murmur2 as Java clients compute it (positive hash modulo the partitions)', () => {
    // Known values of org.apache.kafka.common.utils.Utils.murmur2 for these keys.
    expect(partitionOfKey('21', 1000)).toBe((-973932308 & 0x7fffffff) % 1000);
    expect(partitionOfKey('foobar', 1000)).toBe((-790332482 & 0x7fffffff) % 1000);
  });

  it('stays within the partitions', () => {
    for (let i = 0; i < 100; i += 1) {
      const partition = partitionOfKey(`acct-${i}`, 7);
      expect(partition).toBeGreaterThanOrEqual(0);
      expect(partition).toBeLessThan(7);
    }
  });
});

describe('packNormalizedEvents', () => {
  it('packs one message per partition, in input order across the accounts that share it', () => {
    const { a, b, c } = accountsOfSixPartitions();
    const input = [event(a, 1), event(c, 2), event(b, 3), event(a, 4), event(c, 5)];

    const messages = packNormalizedEvents(input, 6);

    expect(messages.map((message) => message.partition)).toEqual([
      partitionOfKey(a, 6),
      partitionOfKey(c, 6),
    ]);
    expect(messages.every((m) => m.headers === NORMALIZED_EVENTS_SCHEMA_HEADER)).toBe(true);
    expect(messages.every((m) => m.key === null)).toBe(true);
    expect(
      messages.map((message) => decodeNormalizedEvents(message.value).map((e) => e.eventId)),
    ).toEqual([
      ['e-1', 'e-3', 'e-4'],
      ['e-2', 'e-5'],
    ]);
  });

  it('splits a partition at the event cap and keeps the order across its messages', () => {
    const input = Array.from({ length: 2 * MAX_EVENTS_PER_MESSAGE + 1 }, (_, i) => event('a', i));

    const messages = packNormalizedEvents(input, 1);

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

    const messages = packNormalizedEvents(input, 3);

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
    expect(packNormalizedEvents([], 6)).toEqual([]);
  });

  it('keeps every event once, in order, within both caps, whatever the event sizes', () => {
    // small events meet the event cap first (1,000 × ~210 characters), rare large ones the size cap
    const sizes = fc.array(
      fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 5 }), weight: 400 },
        {
          arbitrary: fc.integer({ min: 20_000, max: MAX_NORMALIZED_MESSAGE_BYTES + 50 }),
          weight: 1,
        },
      ),
      { maxLength: 2_500, size: 'max' },
    );
    fc.assert(
      fc.property(sizes, (agentLengths) => {
        const input = agentLengths.map((length, i) =>
          event('a', i, { userAgent: 'u'.repeat(length) }),
        );
        const messages = packNormalizedEvents(input, 1);
        const runs = messages.map((m) => decodeNormalizedEvents(m.value));
        expect(runs.flat()).toEqual(input);
        for (const [index, run] of runs.entries()) {
          expect(run.length).toBeLessThanOrEqual(MAX_EVENTS_PER_MESSAGE);
          if (run.length > 1) {
            expect(String(messages[index]?.value).length).toBeLessThanOrEqual(
              MAX_NORMALIZED_MESSAGE_BYTES,
            );
          }
        }
      }),
      { numRuns: 25, endOnFailure: true },
    );
  });
});

describe('normalizedEventsMessageSchema', () => {
  it('reads the v2 array (several accounts) and the v1 single object alike', () => {
    const one = event('a', 1);
    expect(normalizedEventsMessageSchema.parse([one, event('b', 2)])).toHaveLength(2);
    expect(normalizedEventsMessageSchema.parse(one)).toEqual([one]);
  });

  it.each([
    ['an empty array', []],
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
    expect(decodeNormalizedMessage(bytes([event('a', 1), event('b', 2)]))).toEqual({
      ok: true,
      events: [event('a', 1), event('b', 2)],
      rejected: [],
    });
    expect(decodeNormalizedMessage(bytes(event('a', 1)))).toEqual({
      ok: true,
      events: [event('a', 1)],
      rejected: [],
    });
  });

  it('rejects only the bad events of an array, by position', () => {
    const bad = { ...event('a', 2), time: 'yesterday' };
    const decoded = decodeNormalizedMessage(bytes([event('a', 1), bad, 42, event('a', 4)]));

    expect(decoded).toMatchObject({ ok: true, events: [event('a', 1), event('a', 4)] });
    expect(decoded.ok && decoded.rejected.map((r) => [r.index, r.value])).toEqual([
      [1, JSON.stringify(bad)],
      [2, '42'],
    ]);
    expect(decoded.ok && decoded.rejected[0]?.detail).toContain('time');
  });

  it.each([
    ['not JSON', Buffer.from('{"time":'), 'invalid-json'],
    ['an empty array', bytes([]), 'schema-mismatch'],
    ['a bare number', bytes(42), 'schema-mismatch'],
    ['an invalid single event', bytes({ ...event('a', 1), eventId: '' }), 'schema-mismatch'],
  ])('refuses %s as a whole', (_name, value, reason) => {
    expect(decodeNormalizedMessage(value)).toMatchObject({ ok: false, reason });
  });
});
