import { NO_RECORDS_REASON, splitRawMessage } from './split-raw-message.util';

const record = (id: string, extra: Record<string, unknown> = {}) => ({
  eventId: id,
  eventTime: '2026-03-10T02:03:04Z',
  acsRegion: 'cn-hangzhou',
  sourceIpAddress: '42.120.1.2',
  userIdentity: { accountId: '1234' },
  ...extra,
});

describe(splitRawMessage.name, () => {
  it('splits arrays, Records objects and JSON lines into events', () => {
    const array = splitRawMessage(Buffer.from(JSON.stringify([record('a'), record('b')])));
    expect(array.map((r) => r.ok && r.event.eventId)).toEqual(['a', 'b']);
    const lines = splitRawMessage(
      Buffer.from(
        `${JSON.stringify(record('c'))}\n\n${JSON.stringify({ Records: [record('d')] })}\n`,
      ),
    );
    expect(lines.map((r) => r.ok && r.event.eventId)).toEqual(['c', 'd']);
  });

  it('dead-letters a lone invalid record as the whole message', () => {
    const bytes = Buffer.from(JSON.stringify(record('x', { eventTime: 'redacted' })));
    const [only] = splitRawMessage(bytes);
    expect(only).toMatchObject({ ok: false, reason: 'invalid-time', index: 1 });
    expect(only?.ok === false && only.value.equals(bytes)).toBe(true);
  });

  it('dead-letters the raw line of a malformed line and the JSON of a bad record in a batch', () => {
    const results = splitRawMessage(
      Buffer.from(`${JSON.stringify(record('ok'))}\r\n{oops\r\n${JSON.stringify(record(''))}`),
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual([
      'ok',
      'malformed',
      'missing-event-id',
    ]);
    const malformed = results[1];
    expect(malformed?.ok === false && malformed.value.toString()).toBe('{oops');
    expect(malformed?.ok === false && malformed.index).toBe(2);
    const bad = results[2];
    expect(bad?.ok === false && JSON.parse(bad.value.toString())).toEqual(record(''));
  });

  it('reports a message without records', () => {
    for (const text of ['[]', '{"Records":[]}', '', ' \n\t\n']) {
      const [only, ...rest] = splitRawMessage(Buffer.from(text));
      expect(rest).toEqual([]);
      expect(only).toMatchObject({ ok: false, reason: NO_RECORDS_REASON });
    }
  });
});
