import pino from 'pino';
import { Registry } from 'prom-client';

import { RawRecordMetrics, splitRawBatch } from './raw-records';

import type { DeadLetterOptions, DecodedMessage, KafkaBatchContext } from './kafka-message';

const record = (id: string, extra: Record<string, unknown> = {}) => ({
  eventId: id,
  eventTime: '2026-03-10T02:03:04Z',
  acsRegion: 'cn-hangzhou',
  sourceIpAddress: '42.120.1.2',
  userIdentity: { accountId: '1234' },
  ...extra,
});

function rawMessage(offset: number, text: string): DecodedMessage<Buffer> {
  const value = Buffer.from(text);
  return {
    topic: 'raw',
    partition: 2,
    offset: String(offset),
    key: null,
    value,
    headers: {},
    timestamp: '0',
    payload: value,
  };
}

interface DeadLetterCall {
  offset: string;
  reason: string;
  options: DeadLetterOptions | undefined;
}

function batchContext(deadLetters: DeadLetterCall[]): KafkaBatchContext {
  return {
    topic: 'raw',
    partition: 2,
    highWatermark: '10',
    log: pino({ enabled: false }),
    send: () => undefined,
    deadLetter: (message, reason, _detail, options) => {
      deadLetters.push({ offset: message.offset, reason, options });
    },
    heartbeat: () => Promise.resolve(),
    isRunning: () => true,
    isStale: () => false,
    fetchedOffset: '0',
    lastOffset: '9',
    flush: () => Promise.resolve(),
    rewind: () => undefined,
  };
}

/** A detector's record metrics on their own registry, and a list of dead-letter calls. */
function setup(): { registry: Registry; metrics: RawRecordMetrics; deadLetters: DeadLetterCall[] } {
  const registry = new Registry();
  const metrics = new RawRecordMetrics(registry, {
    service: 'detector',
    version: 'test',
    metricsPrefix: 'detector_',
  });
  return { registry, metrics, deadLetters: [] };
}

describe(splitRawBatch.name, () => {
  it('keeps each message with its valid events and dead-letters every invalid record', async () => {
    const { registry, metrics, deadLetters } = setup();
    const split = splitRawBatch(
      [
        rawMessage(0, JSON.stringify(record('a'))),
        rawMessage(1, JSON.stringify({ Records: [record('b'), record('c', { eventTime: 'x' })] })),
        rawMessage(2, '{"eventId": '),
        rawMessage(3, '[]'),
        rawMessage(4, `${JSON.stringify(record('d'))}\n${JSON.stringify(record('e'))}`),
      ],
      batchContext(deadLetters),
      metrics,
    );

    expect(
      split.map(({ message, events }) => [message.offset, events.map((e) => e.eventId)]),
    ).toEqual([
      ['0', ['a']],
      ['1', ['b']],
      ['4', ['d', 'e']],
    ]);
    expect(deadLetters.map(({ offset, reason }) => [offset, reason])).toEqual([
      ['1', 'invalid-time'],
      ['2', 'malformed'],
      ['3', 'no-records'],
    ]);
    // a record of several carries its own bytes; a message's only record dead-letters it whole
    expect(deadLetters[0]?.options?.value?.toString()).toContain('"eventId":"c"');
    // record-index counts from 1 (the second record of the Records array)
    expect(deadLetters[0]?.options?.headers).toEqual({ 'record-index': '2' });
    expect(deadLetters[1]?.options?.value).toBeUndefined();
    const text = await registry.metrics();
    expect(text).toMatch(/^detector_records_total\{outcome="valid"\} 4$/m);
    expect(text).toMatch(/^detector_records_total\{outcome="invalid"\} 3$/m);
    expect(text).toMatch(/^detector_invalid_records_total\{reason="malformed"\} 1$/m);
  });

  it('neither counts nor dead-letters again the records of messages below reportedBelow', async () => {
    const { registry, metrics, deadLetters } = setup();
    const messages = [
      rawMessage(0, JSON.stringify({ Records: [record('a'), record('b', { eventTime: 'x' })] })),
      rawMessage(1, '{"eventId": '),
      rawMessage(2, JSON.stringify({ Records: [record('c'), record('d', { eventTime: 'x' })] })),
    ];
    const split = splitRawBatch(messages, batchContext(deadLetters), metrics, 2);

    // Read again only to rebuild state: the valid events of 0 come back, 0 and 1 report nothing.
    expect(
      split.map(({ message, events }) => [message.offset, events.map((e) => e.eventId)]),
    ).toEqual([
      ['0', ['a']],
      ['2', ['c']],
    ]);
    expect(deadLetters.map(({ offset, reason }) => [offset, reason])).toEqual([
      ['2', 'invalid-time'],
    ]);
    const text = await registry.metrics();
    expect(text).toMatch(/^detector_records_total\{outcome="valid"\} 1$/m);
    expect(text).toMatch(/^detector_records_total\{outcome="invalid"\} 1$/m);
  });
});
