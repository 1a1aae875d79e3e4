import { decodeBufferEntry, encodeBufferEntry } from './partition-log.repository';

import { DetectorException } from './detector.exception';

function event(id: number) {
  return {
    time: Date.UTC(2026, 0, 1) + id,
    eventId: `e-${id}`,
    accountId: '1',
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp: '203.0.113.7',
    provider: 'actiontrail' as const,
    userAgent: null,
    principalId: null,
    eventName: 'DescribeInstances',
    errorCode: null,
  };
}

describe('buffer entries', () => {
  it('round-trips a message with the checkpoint that absorbed it', () => {
    const latest = event(2);
    const events = [latest, event(1)];
    const entry = encodeBufferEntry(12, Buffer.from(JSON.stringify(events)));

    expect(entry.toString().startsWith('12:[')).toBe(true);
    const decoded = decodeBufferEntry('40', entry);
    expect(decoded).toEqual({ seq: 12, json: expect.any(Buffer), events });
    expect(decoded.json.toString()).toBe(JSON.stringify(events));
  });

  it('stores the consumed bytes as they are (a v1 single object too)', () => {
    const value = Buffer.from(JSON.stringify(event(3)));
    const entry = encodeBufferEntry(7, value);

    expect(entry.equals(Buffer.concat([Buffer.from('7:'), value]))).toBe(true);
    expect(decodeBufferEntry('3', entry)).toEqual({ seq: 7, json: value, events: [event(3)] });
  });

  it('reads an entry of an earlier detector (one event, no checkpoint number) as unapplied', () => {
    const legacy = Buffer.from(JSON.stringify(event(5)));

    expect(decodeBufferEntry('9', legacy)).toEqual({ seq: null, json: legacy, events: [event(5)] });
  });

  it.each([
    ['not JSON', '3:{'],
    ['not events', '3:[{"time":1}]'],
  ])('refuses a corrupt entry (%s)', (_name, text) => {
    expect(() => decodeBufferEntry('1', Buffer.from(text))).toThrow(DetectorException);
  });
});
