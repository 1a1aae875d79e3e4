/**
 * Ingest end to end on the REAL Kafka of deploy/local/stack.sh (needs: kafka).
 *
 * Proves: raw messages of every SPEC §1 shape (one record, an array, a `Records` object, JSON lines,
 * SLS rows) come out on normalized-events as one NormalizedEvent per valid record, in the partition
 * its account's key routes to (JSON arrays, one per partition of a fetched batch);
 * every invalid record or message goes to dead-letter with its bytes, reason and source offset; and
 * thousands of fast-check generated hostile records are all dead-lettered while the valid events
 * around them are all delivered, exactly once (no crash in this test, so no redelivery).
 */
import { NestFactory } from '@nestjs/core';
import fc from 'fast-check';

import { createProducer, decodeNormalizedEvents, partitionOfKey } from '@trail-insight/kafka';
import {
  collectTestTopics,
  createTestTopics,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import type { INestApplication } from '@nestjs/common';
import type { KafkaInboundMessage, PlainProducer, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

import { AppModule } from '../src/app.module';
import { loadIngestConfig } from '../src/config/env.schema';
import { splitRawMessage } from '@trail-insight/events';

type Topics = 'raw' | 'normalized' | 'dlq';

jest.setTimeout(120_000);

function actionTrail(id: string, account: string, extra: Record<string, unknown> = {}) {
  return {
    eventId: id,
    eventTime: '2026-03-10T02:03:04Z',
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: '42.120.1.2',
    userIdentity: { accountId: account, principalId: 'p-1' },
    eventName: 'DescribeInstances',
    ...extra,
  };
}

function cloudTrail(id: string, account: string) {
  return {
    eventID: id,
    eventTime: '2026-03-10T02:03:04.123456Z',
    awsRegion: 'us-east-1',
    sourceIPAddress: '3.225.16.109',
    eventSource: 'ec2.amazonaws.com',
    recipientAccountId: account,
  };
}

const header = (message: KafkaInboundMessage, name: string) => message.headers[name];

describe('ingest (real Kafka)', () => {
  let topics: TestTopics<Topics>;
  let app: INestApplication;
  let producer: PlainProducer;
  let collector: TopicCollector;

  beforeAll(async () => {
    topics = await createTestTopics<Topics>({ raw: 3, normalized: 3, dlq: 1 });
    const config = loadIngestConfig({
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      KAFKA_GROUP_ID: uniqueName('ingest-group'),
      INGEST_INPUT_TOPIC: topics.names.raw,
      KAFKA_TOPIC_NORMALIZED_EVENTS: topics.names.normalized,
      KAFKA_TOPIC_DEAD_LETTER: topics.names.dlq,
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.create(AppModule.register(config), { logger: false });
    await app.init();
    producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    collector = await collectTestTopics([topics.names.normalized, topics.names.dlq]);
  });

  afterAll(async () => {
    await collector?.stop();
    await producer?.disconnect();
    await app?.close();
    await topics?.cleanup();
  });

  it('normalizes every shape, keys by account and dead-letters invalid input with reasons', async () => {
    const messages: Array<{ key: string | null; value: Buffer | string | null }> = [
      { key: '111', value: JSON.stringify(actionTrail('a-1', '111')) },
      {
        key: null,
        value: JSON.stringify({ Records: [cloudTrail('c-1', '222'), cloudTrail('c-2', '222')] }),
      },
      {
        key: null,
        value: [
          JSON.stringify(actionTrail('a-2', '333')),
          '{this is not json',
          JSON.stringify(actionTrail('a-3', '333', { eventTime: 'redacted' })),
          '',
          JSON.stringify({ event: JSON.stringify(actionTrail('a-4', '444')) }),
        ].join('\r\n'),
      },
      { key: null, value: JSON.stringify([actionTrail('a-5', '555'), 42]) },
      { key: null, value: '[]' },
      { key: null, value: Buffer.from([0xff, 0xfe, 0x00]) },
      { key: null, value: JSON.stringify(actionTrail('', '666')) },
      { key: null, value: null },
    ];
    await producer.send(
      topics.names.raw,
      messages.map(({ key, value }) => ({ key, value: value as Buffer })),
    );

    const normalized = () => collector.of(topics.names.normalized);
    const dlq = () => collector.of(topics.names.dlq);
    const events = () =>
      normalized().flatMap((message) =>
        decodeNormalizedEvents(message.value).map((event) => ({
          partition: message.partition,
          event,
        })),
      );
    await waitFor(() => events().length >= 6 && dlq().length >= 7, 30_000, 'ingest output', {
      abort: collector.crashed,
    });

    expect(
      events()
        .map(({ event }) => event.eventId)
        .sort(),
    ).toEqual(['a-1', 'a-2', 'a-4', 'a-5', 'c-1', 'c-2'].sort());
    // Each event in the partition its account's key routes to (3 partitions), as a keyed produce.
    for (const { partition, event } of events()) {
      expect(partition).toBe(partitionOfKey(event.accountId, 3));
    }
    // One message per partition of a fetched batch: c-1 and c-2 (one raw message) leave together.
    expect(normalized().length).toBeLessThan(events().length);
    expect(normalized().every((m) => header(m, 'schema') === 'normalized-events.v2')).toBe(true);

    const dead = dlq().map((message) => ({
      reason: header(message, 'reason'),
      offset: header(message, 'source-offset'),
      topic: header(message, 'source-topic'),
      value: message.value?.toString('latin1') ?? '',
    }));
    expect(dead.every((entry) => entry.topic === topics.names.raw)).toBe(true);
    expect(dead.map((entry) => entry.reason).sort()).toEqual(
      [
        'empty-message',
        'invalid-time',
        'malformed',
        'malformed',
        'missing-event-id',
        'no-records',
        'not-an-object',
      ].sort(),
    );
    const malformedLine = dead.find((entry) => entry.value === '{this is not json');
    expect(malformedLine?.reason).toBe('malformed');
    const garbage = dead.find((entry) => entry.value === '\xff\xfe\x00');
    expect(garbage?.reason).toBe('malformed');
    const missingId = dead.find((entry) => entry.reason === 'missing-event-id');
    expect(missingId?.value).toBe(JSON.stringify(actionTrail('', '666')));
    expect(dlq().every((m) => /^\d+$/.test(header(m, 'source-offset') ?? ''))).toBe(true);
  });

  it('dead-letters thousands of hostile records and loses none of the valid events around them', async () => {
    const badTime = fc.constantFrom(
      'redacted',
      '2026-03-10',
      '2026-03-10T25:00:00Z',
      '2026-03-10T10:00:60Z',
      ' 2026-03-10T10:00:00Z',
      '2026-03-10t10:00:00z',
      '2026-03-10T10:00:00+24:00',
      '',
      1_773_108_184_000,
      null,
    );
    const badAccount = fc.constantFrom('', 1.5, 2 ** 53, -(2 ** 53), null, {}, [], true);
    const broken = fc.oneof(
      badTime.map((eventTime) => JSON.stringify(actionTrail('x', '1', { eventTime }))),
      badAccount.map((accountId) =>
        JSON.stringify({ ...actionTrail('x', '1'), userIdentity: { accountId } }),
      ),
      fc
        .constantFrom('', null, 7, [])
        .map((acsRegion) => JSON.stringify(actionTrail('x', '1', { acsRegion }))),
      fc
        .constantFrom('', null, 7)
        .map((eventId) => JSON.stringify({ ...actionTrail('x', '1'), eventId })),
      fc.string({ maxLength: 40 }).map((event) => JSON.stringify({ event })),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
      fc.constant(`${'['.repeat(600)}${']'.repeat(600)}`),
      fc.constant('{"__proto__":{"eventTime":"2026-03-10T02:03:04Z"},"constructor":1}'),
      fc.constant('{"eventTime": NaN}'),
    );
    const hostile = fc
      .sample(broken, { numRuns: 3_000, seed: 4242 })
      .filter((text) => splitRawMessage(Buffer.from(text, 'latin1')).every((r) => !r.ok));
    expect(hostile.length).toBeGreaterThan(2_900);

    const validIds: string[] = [];
    const batch: Array<{ key: string | null; value: Buffer }> = [];
    hostile.forEach((text, index) => {
      batch.push({ key: null, value: Buffer.from(text, 'latin1') });
      if (index % 3 === 0) {
        const id = `fc-valid-${index}`;
        validIds.push(id);
        batch.push({
          key: String(index % 17),
          value: Buffer.from(JSON.stringify(actionTrail(id, String(index % 17)))),
        });
      }
    });
    const dlqBefore = collector.of(topics.names.dlq).length;
    const expectedDead = hostile.reduce(
      (sum, text) => sum + splitRawMessage(Buffer.from(text, 'latin1')).length,
      0,
    );
    await producer.send(topics.names.raw, batch);

    const validSeen = () =>
      collector
        .of(topics.names.normalized)
        .flatMap((m) => decodeNormalizedEvents(m.value).map((event) => event.eventId))
        .filter((id) => id.startsWith('fc-valid-'));
    await waitFor(
      () =>
        validSeen().length >= validIds.length &&
        collector.of(topics.names.dlq).length - dlqBefore >= expectedDead,
      60_000,
      `${validIds.length} valid events and ${expectedDead} dead letters`,
      { abort: collector.crashed },
    );
    expect(validSeen().sort()).toEqual([...validIds].sort());
    const newDead = collector.of(topics.names.dlq).slice(dlqBefore);
    expect(newDead).toHaveLength(expectedDead);
    expect(newDead.every((m) => (header(m, 'reason') ?? '').length > 0)).toBe(true);
  });
});
