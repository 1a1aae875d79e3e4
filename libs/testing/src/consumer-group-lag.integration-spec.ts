/**
 * The Kafka lib's lag helpers (`consumerGroupLag`, `createLagAdmin`) on the REAL Kafka of
 * deploy/local/stack.sh (needs: kafka).
 *
 * A group consumes and commits the first messages of a 3-partition topic (all on one partition, so
 * the group has committed offsets on one partition and none on the others), then more messages are
 * produced on every partition: its lag is exactly the uncommitted count, while a group that never
 * committed lags by the whole topic; per partition, a partition without a committed offset counts
 * from its start or its end, as the group's consumers would start.
 */
import { Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';

import {
  KafkaHandler,
  KafkaModule,
  Topic,
  consumerGroupLag,
  createGroupBacklog,
  createLagAdmin,
  createProducer,
  topicEndOffsets,
} from '@trail-insight/kafka';
import type { LagAdmin, OutboundMessage } from '@trail-insight/kafka';
import { ObservabilityModule } from '@trail-insight/observability';
import { createTestTopics, testKafkaConnection, uniqueName, waitFor } from './index';

import type { INestApplicationContext } from '@nestjs/common';
import type { TestTopics } from './index';

jest.setTimeout(120_000);

const handled = { count: 0 };

@Injectable()
class CountingHandler {
  @KafkaHandler({ topic: Topic.RawEvents })
  handle(): void {
    handled.count += 1;
  }
}

function startConsumer(
  topics: Record<'in' | 'dlq', string>,
  groupId: string,
): Promise<INestApplicationContext> {
  const connection = testKafkaConnection(uniqueName('lag-consumer'));
  return NestFactory.createApplicationContext(
    {
      module: class LagTestModule {},
      imports: [
        ObservabilityModule.forRoot({
          service: 'kafka-lag-test',
          version: '0',
          logLevel: 'silent',
          defaultMetrics: false,
        }),
        KafkaModule.forRoot({
          ...connection,
          topics: { [Topic.RawEvents]: topics.in, [Topic.DeadLetter]: topics.dlq },
          consumer: {
            groupId,
            topics: [Topic.RawEvents],
            sessionTimeoutMs: 6_000,
            heartbeatIntervalMs: 1_000,
          },
        }),
      ],
      providers: [CountingHandler],
    },
    { logger: false },
  );
}

/** How many partitions of `topic` hold messages. */
async function filledPartitions(topic: string): Promise<number> {
  const ends = await topicEndOffsets(testKafkaConnection(), topic);
  return [...ends.values()].filter((end) => end > 0n).length;
}

function messages(count: number, keys: number, from: number): OutboundMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    key: `k${index % keys}`,
    value: JSON.stringify({ seq: from + index }),
  }));
}

describe('consumer group lag (real Kafka)', () => {
  let topics: TestTopics<'in' | 'dlq'>;
  let admin: LagAdmin;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    topics = await createTestTopics({ in: 3, dlq: 1 });
    admin = createLagAdmin(testKafkaConnection(uniqueName('lag-admin')));
    await admin.connect();
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    // before the topics are deleted: an admin keeps retrying the topics it looked at
    await admin.close();
    await topics.cleanup();
  });

  it('is the uncommitted count for a group, the whole topic for a group that never committed', async () => {
    const topic = topics.names.in;
    const groupId = uniqueName('lag-group');
    const neverCommitted = uniqueName('lag-idle');
    const producer = createProducer(testKafkaConnection().brokers, uniqueName('lag-producer'));
    await producer.connect();
    try {
      // 400 messages of one key: one partition
      await producer.send(topic, messages(400, 1, 0));
      expect(await filledPartitions(topic)).toBe(1);
      expect(await admin.topicSize(topic)).toBe(400);
      expect(await admin.lag(groupId, topic)).toBe(400);

      app = await startConsumer(topics.names, groupId);
      // polled every 100 ms through the one admin
      await waitFor(
        async () => handled.count >= 400 && (await admin.lag(groupId, topic)) === 0,
        60_000,
        'the group to commit the first 400 messages',
        { intervalMs: 100 },
      );
      await app.close();
      app = undefined;
      expect(handled.count).toBe(400);
      expect(await admin.lag(groupId, topic)).toBe(0);

      // 300 more over 30 keys: every partition
      await producer.send(topic, messages(300, 30, 400));
    } finally {
      await producer.disconnect();
    }
    expect(await filledPartitions(topic)).toBe(3);

    expect(await admin.topicSize(topic)).toBe(700);
    expect(await admin.lag(groupId, topic)).toBe(300);
    expect(await consumerGroupLag(testKafkaConnection(), groupId, topic)).toBe(300);
    expect(await admin.lag(neverCommitted, topic)).toBe(700);
    expect(await consumerGroupLag(testKafkaConnection(), neverCommitted, topic)).toBe(700);

    // per partition, as the sticky assignment's leader reads it: the committed partition lags by
    // what came after its commit; the others by all they hold, or nothing for a group starting
    // at the end
    const ends = await topicEndOffsets(testKafkaConnection(), topic);
    const first = [...ends].find(([, end]) => end >= 400n)?.[0] as number;
    const lags = await admin.partitionLag(groupId, topic);
    expect(lags.get(first)).toBe(Number(ends.get(first)) - 400);
    expect([...lags].filter(([p]) => p !== first)).toEqual(
      [...ends].filter(([p]) => p !== first).map(([p, end]) => [p, Number(end)]),
    );
    const fromEnd = await admin.partitionLag(groupId, topic, false);
    expect(fromEnd.get(first)).toBe(Number(ends.get(first)) - 400);
    expect([...fromEnd].filter(([p]) => p !== first).map(([, lag]) => lag)).toEqual([0, 0]);

    // what a group leader reads at a rebalance: the same, by topic, through one admin
    const backlog = createGroupBacklog(
      new Kafka({
        brokers: testKafkaConnection().brokers,
        clientId: uniqueName('backlog'),
        logLevel: logLevel.NOTHING,
      }),
      groupId,
      true,
    );
    try {
      expect(await backlog.read([topic])).toEqual({ [topic]: lags });
      expect(await backlog.read([topic])).toEqual({ [topic]: lags });
    } finally {
      await backlog.close();
    }
  });
});
