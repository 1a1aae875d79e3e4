/**
 * The Kafka lib's consumer on the REAL Kafka of deploy/local/stack.sh (needs: kafka).
 *
 * Proves the delivery contract with a ledger of (partition, offset) and of outputs per key:
 * - per-message handlers: no input offset is lost and per-key output order is preserved while a
 *   second member joins mid-stream (rebalance) and the first one shuts down mid-batch; duplicates
 *   stay bounded;
 * - whole-batch handlers: every valid message is handed over once per successful batch, invalid
 *   ones are dead-lettered with their source offset, and outputs are produced before commit;
 * - a batch handler's rewind, and a seek through KafkaAssignments, fetch a partition again from
 *   the offset asked for (the detector rebuilding its reorder buffer);
 * - a member joining a group moves only the partitions it needs (sticky assignment), and a group
 *   starting on a backlog gives its heavy partition a member of its own (load-aware assignment);
 * - the readiness checks report the group membership.
 */
import { Inject, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka, logLevel } from 'kafkajs';
import { z } from 'zod';

import {
  KafkaAssignments,
  KafkaBatchHandler,
  KafkaHandler,
  KafkaModule,
  Topic,
  createProducer,
  parseBrokerList,
} from '@trail-insight/kafka';
import type {
  DecodedMessage,
  KafkaBatchContext,
  KafkaMessageContext,
  TopicCollector,
} from '@trail-insight/kafka';
import { ObservabilityModule, ReadinessRegistry } from '@trail-insight/observability';
import { collectTestTopics, createTestTopics, requireTestEnv, uniqueName, waitFor } from './index';

import type { INestApplicationContext } from '@nestjs/common';
import type { TestTopics } from './index';

jest.setTimeout(180_000);

const INSTANCE = Symbol('instance');
const payloadSchema = z.object({ key: z.string(), seq: z.number().int() });
type Payload = z.infer<typeof payloadSchema>;

interface LedgerEntry {
  instance: string;
  partition: number;
  offset: string;
}

const ledger: LedgerEntry[] = [];
/** Holds every handler once `limit` messages were handled, so a shutdown lands mid-stream. */
const gate = { limit: Number.POSITIVE_INFINITY, opened: Promise.resolve(), open: () => {} };
const batchSizes: number[] = [];

@Injectable()
class MessageHandler {
  constructor(@Inject(INSTANCE) private readonly instance: string) {}

  @KafkaHandler({ topic: Topic.RawEvents, schema: payloadSchema })
  async handle(payload: Payload, context: KafkaMessageContext): Promise<void> {
    if (ledger.length >= gate.limit) {
      await gate.opened;
    }
    ledger.push({
      instance: this.instance,
      partition: context.message.partition,
      offset: context.message.offset,
    });
    if (payload.seq % 100 === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    context.send(Topic.NormalizedEvents, [
      { key: payload.key, value: JSON.stringify({ ...payload, by: this.instance }) },
    ]);
  }
}

@Injectable()
class BatchHandler {
  @KafkaBatchHandler({ topic: Topic.RawEvents, schema: payloadSchema })
  handleBatch(messages: Array<DecodedMessage<Payload>>, context: KafkaBatchContext): void {
    batchSizes.push(messages.length);
    expect(BigInt(context.highWatermark)).toBeGreaterThan(BigInt(messages.at(-1)?.offset ?? -1));
    for (const message of messages) {
      ledger.push({ instance: 'batch', partition: message.partition, offset: message.offset });
    }
    context.send(
      Topic.NormalizedEvents,
      messages.map((message) => ({
        key: message.payload.key,
        value: JSON.stringify(message.payload),
      })),
    );
  }
}

/** Fetches seen by {@link RewindingHandler}: partition, fetched offset, first and last offset. */
const fetches: Array<{ partition: number; fetched: string; first: string; last: string }> = [];
/** Partitions whose first batch fetched after offset 0 {@link RewindingHandler} rewinds to 0. */
const rewindOnce = new Set<number>();

@Injectable()
class RewindingHandler {
  @KafkaBatchHandler({ topic: Topic.RawEvents, schema: payloadSchema })
  handleBatch(messages: Array<DecodedMessage<Payload>>, context: KafkaBatchContext): void {
    fetches.push({
      partition: context.partition,
      fetched: context.fetchedOffset,
      first: messages[0]?.offset ?? '',
      last: context.lastOffset,
    });
    if (context.fetchedOffset !== '0' && rewindOnce.delete(context.partition)) {
      context.rewind('0');
      return;
    }
    for (const message of messages) {
      ledger.push({ instance: 'rewind', partition: message.partition, offset: message.offset });
    }
  }
}

async function startApp(
  instance: string,
  handler: typeof MessageHandler | typeof BatchHandler | typeof RewindingHandler,
  topics: Record<'in' | 'out' | 'dlq', string>,
  groupId: string,
): Promise<INestApplicationContext> {
  const module = {
    module: class LedgerTestModule {},
    imports: [
      ObservabilityModule.forRoot({
        service: `kafka-test-${instance}`,
        version: '0',
        logLevel: 'silent',
        defaultMetrics: false,
      }),
      KafkaModule.forRoot({
        brokers: parseBrokerList(requireTestEnv('KAFKA_BROKERS')),
        clientId: `ledger-${instance}`,
        topics: {
          [Topic.RawEvents]: topics.in,
          [Topic.NormalizedEvents]: topics.out,
          [Topic.DeadLetter]: topics.dlq,
        },
        consumer: {
          groupId,
          topics: [Topic.RawEvents],
          sessionTimeoutMs: 6_000,
          heartbeatIntervalMs: 1_000,
          maxBytesPerPartition: 16 * 1024,
          flushEvery: 50,
        },
      }),
    ],
    providers: [handler, { provide: INSTANCE, useValue: instance }],
  };
  return NestFactory.createApplicationContext(module, { logger: false });
}

function outputsByKey(collector: TopicCollector, topic: string): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const message of collector.of(topic)) {
    const { key, seq } = JSON.parse(String(message.value)) as Payload;
    byKey.set(key, [...(byKey.get(key) ?? []), seq]);
  }
  return byKey;
}

describe('Kafka consumer delivery (real Kafka)', () => {
  const apps: INestApplicationContext[] = [];
  let topics: TestTopics<'in' | 'out' | 'dlq'>;
  let collector: TopicCollector;

  beforeEach(async () => {
    ledger.length = 0;
    topics = await createTestTopics({ in: 4, out: 4, dlq: 1 });
    collector = await collectTestTopics([topics.names.out, topics.names.dlq]);
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close().catch(() => undefined)));
    await collector.stop();
    await topics.cleanup();
  });

  it('loses nothing and keeps per-key order across a rebalance and a mid-batch shutdown', async () => {
    const keys = 20;
    const perKey = 500;
    const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('ledger'));
    await producer.connect();
    const messages = [];
    for (let seq = 0; seq < perKey; seq += 1) {
      for (let k = 0; k < keys; k += 1) {
        messages.push({ key: `k${k}`, value: JSON.stringify({ key: `k${k}`, seq }) });
      }
    }
    await producer.send(topics.names.in, messages);
    await producer.disconnect();
    const total = keys * perKey;
    const groupId = uniqueName('ledger-group');
    const out = () => collector.of(topics.names.out).length;

    gate.limit = total * 0.6;
    gate.opened = new Promise<void>((resolve) => {
      gate.open = resolve;
    });
    const first = await startApp('a', MessageHandler, topics.names, groupId);
    apps.push(first);
    await waitFor(() => out() >= total * 0.2, 60_000, '20 % processed by a', {
      abort: collector.crashed,
      intervalMs: 5,
    });
    const second = await startApp('b', MessageHandler, topics.names, groupId);
    apps.push(second);
    await waitFor(() => ledger.length >= total * 0.6, 60_000, '60 % handled, then held', {
      abort: collector.crashed,
      intervalMs: 5,
    });
    const atClose = out();
    const closing = first.close();
    gate.open();
    await closing;
    gate.limit = Number.POSITIVE_INFINITY;
    apps.splice(apps.indexOf(first), 1);
    const readiness = await second.get(ReadinessRegistry).evaluate();
    expect(readiness.checks['kafka-producer']?.ok).toBe(true);

    await waitFor(
      () => {
        const byKey = outputsByKey(collector, topics.names.out);
        return [...byKey.values()].reduce((sum, seqs) => sum + new Set(seqs).size, 0) === total;
      },
      90_000,
      `all ${total} outputs`,
      { abort: collector.crashed, intervalMs: 200 },
    );

    expect(atClose).toBeLessThan(total);
    const processedBy = new Set(ledger.map((entry) => entry.instance));
    expect([...processedBy].sort()).toEqual(['a', 'b']);
    const offsets = new Set(ledger.map((entry) => `${entry.partition}/${entry.offset}`));
    expect(offsets.size).toBe(total);
    for (const [, seqs] of outputsByKey(collector, topics.names.out)) {
      const firstSeen = seqs.filter((seq, index) => seqs.indexOf(seq) === index);
      expect(firstSeen).toEqual([...Array(perKey).keys()]);
    }
    const duplicates = collector.of(topics.names.out).length - total;
    expect(duplicates).toBeLessThanOrEqual(1_000);
    process.stdout.write(
      `kafka ledger: ${total} messages, ${duplicates} duplicates across a rebalance and a shutdown\n`,
    );
  });

  it('hands whole batches over, dead-letters invalid messages and produces before commit', async () => {
    const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('batch'));
    await producer.connect();
    const messages = Array.from({ length: 3_000 }, (_, seq) =>
      seq % 300 === 7
        ? { key: `k${seq % 7}`, value: `{"key":"k${seq % 7}","seq":"not a number"}` }
        : { key: `k${seq % 7}`, value: JSON.stringify({ key: `k${seq % 7}`, seq }) },
    );
    await producer.send(topics.names.in, messages);
    await producer.disconnect();
    const app = await startApp('batch', BatchHandler, topics.names, uniqueName('batch-group'));
    apps.push(app);
    await waitFor(
      () =>
        collector.of(topics.names.out).length >= 2_990 &&
        collector.of(topics.names.dlq).length >= 10,
      60_000,
      'batch outputs and dead letters',
      { abort: collector.crashed },
    );
    await waitFor(async () => (await app.get(ReadinessRegistry).evaluate()).ready, 10_000, 'ready');
    expect(collector.of(topics.names.out)).toHaveLength(2_990);
    expect(collector.of(topics.names.dlq).map((m) => m.headers['reason'])).toEqual(
      Array(10).fill('schema-mismatch'),
    );
    expect(
      new Set(collector.of(topics.names.dlq).map((m) => m.headers['source-offset'])).size,
    ).toBe(10);
    expect(batchSizes.some((size) => size > 1)).toBe(true);
    expect(new Set(ledger.map((entry) => `${entry.partition}/${entry.offset}`)).size).toBe(2_990);
  });

  it('keeps partitions where they are, its loaded one included, when a member joins (sticky assignment)', async () => {
    const sticky = await createTestTopics({ in: 6, out: 1, dlq: 1 });
    try {
      const groupId = uniqueName('sticky');
      const partitionsOf = (app: INestApplicationContext): number[] =>
        app
          .get(KafkaAssignments)
          .assigned.map((assigned) => assigned.partition)
          .sort((a, b) => a - b);
      const settled = async (members: INestApplicationContext[]): Promise<number[][]> => {
        // every member at its share (a member's list changes only at its own join)
        await waitFor(
          () =>
            new Set(members.flatMap(partitionsOf)).size === 6 &&
            members.every((app) => partitionsOf(app).length === 6 / members.length),
          30_000,
          `6 partitions over ${members.length} members`,
        );
        return members.map(partitionsOf);
      };
      const first = await startApp('sticky-1', BatchHandler, sticky.names, groupId);
      const second = await startApp('sticky-2', BatchHandler, sticky.names, groupId);
      apps.push(first, second);
      const [ofFirst = [], ofSecond = []] = await settled([first, second]);
      // Load one partition of the first member: the one it would give away if it kept its
      // lowest-numbered ones.
      const hot = Math.max(...ofFirst);
      const handledBefore = ledger.length;
      const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('sticky'));
      await producer.connect();
      await producer.send(
        sticky.names.in,
        Array.from({ length: 300 }, (_, seq) => ({
          key: 'hot',
          partition: hot,
          value: JSON.stringify({ key: 'hot', seq, pad: 'x'.repeat(200) }),
        })),
      );
      await producer.disconnect();
      await waitFor(
        () => ledger.slice(handledBefore).filter((entry) => entry.partition === hot).length >= 300,
        30_000,
        'the hot partition consumed',
      );

      const third = await startApp('sticky-3', BatchHandler, sticky.names, groupId);
      apps.push(third);
      const [firstAfter = [], secondAfter = [], thirdAfter = []] = await settled([
        first,
        second,
        third,
      ]);
      // Round robin would move 4 of the 6 here; sticky moves the 2 the new member needs.
      expect(firstAfter.filter((partition) => ofFirst.includes(partition))).toHaveLength(2);
      expect(secondAfter.filter((partition) => ofSecond.includes(partition))).toHaveLength(2);
      expect(thirdAfter).toHaveLength(2);
      expect(firstAfter).toContain(hot);
    } finally {
      await Promise.all(apps.splice(0).map((app) => app.close().catch(() => undefined)));
      await sticky.cleanup();
    }
  });

  it('gives the heavy partition of a backlog a member of its own when a group starts (load-aware assignment)', async () => {
    const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('backlog'));
    await producer.connect();
    try {
      // a hot account's partition: 2,000 messages behind; the three others 20 each
      await producer.send(
        topics.names.in,
        [3, 0, 1, 2].flatMap((partition) =>
          Array.from({ length: partition === 3 ? 2_000 : 20 }, (_, seq) => ({
            key: `p${partition}`,
            partition,
            value: JSON.stringify({ key: `p${partition}`, seq, pad: 'x'.repeat(200) }),
          })),
        ),
      );
    } finally {
      await producer.disconnect();
    }
    const groupId = uniqueName('backlog');
    const members = await Promise.all([
      startApp('backlog-1', BatchHandler, topics.names, groupId),
      startApp('backlog-2', BatchHandler, topics.names, groupId),
    ]);
    apps.push(...members);
    const partitionsOf = (app: INestApplicationContext): number[] =>
      app
        .get(KafkaAssignments)
        .assigned.map((assigned) => assigned.partition)
        .sort((a, b) => a - b);

    // Equal counts (round robin, or the sticky plan without load) would pair 3 with another.
    await waitFor(
      () => {
        const held = members.map(partitionsOf).sort((a, b) => a.length - b.length);
        return JSON.stringify(held) === JSON.stringify([[3], [0, 1, 2]]);
      },
      30_000,
      'partition 3 alone on one member',
    );
    await waitFor(() => ledger.length >= 2_060, 30_000, 'the backlog consumed');
  });

  it('fetches a partition again from where a batch handler rewinds to, or a seek on assignments asks', async () => {
    const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('rewind'));
    await producer.connect();
    // Partition 0 only, in small fetches (16 KiB): the first batch ends well before the last offset.
    await producer.send(
      topics.names.in,
      Array.from({ length: 2_000 }, (_, seq) => ({
        key: 'k',
        partition: 0,
        value: JSON.stringify({ key: 'k', seq, pad: 'x'.repeat(40) }),
      })),
    );
    await producer.disconnect();
    fetches.length = 0;
    rewindOnce.add(0);
    const app = await startApp('rewind', RewindingHandler, topics.names, uniqueName('rewind'));
    apps.push(app);
    const handled = () => ledger.filter((entry) => entry.partition === 0);
    await waitFor(
      // every offset once, plus those of the first batch again after the rewind
      () => handled().length >= 2_000 + Number(fetches[1]?.fetched ?? 2_000),
      60_000,
      'rewound batches',
    );
    // The first batch is handled, the second (fetched after it) rewinds to 0: offsets 0 up to the
    // second fetch come twice, the rest once, and nothing is skipped.
    const [first, second, third] = fetches;
    expect(first?.fetched).toBe('0');
    const resumed = Number(second?.fetched);
    expect(resumed).toBe(Number(first?.last) + 1);
    expect(third?.fetched).toBe('0');
    const counts = new Map<number, number>();
    for (const { offset } of handled()) {
      counts.set(Number(offset), (counts.get(Number(offset)) ?? 0) + 1);
    }
    expect(counts.size).toBe(2_000);
    for (const [offset, count] of counts) {
      expect([offset, count]).toEqual([offset, offset < resumed ? 2 : 1]);
    }

    // A seek through KafkaAssignments (by logical topic) once the partition is idle.
    await waitFor(() => app.get(KafkaAssignments).assigned.length > 0, 10_000, 'assignment');
    const before = handled().length;
    expect(app.get(KafkaAssignments).seek({ topic: Topic.RawEvents, partition: 0 }, '1990')).toBe(
      true,
    );
    await waitFor(() => handled().length >= before + 10, 30_000, 'the partition read again');
    expect(fetches.some((fetch) => fetch.fetched === '1990')).toBe(true);
    expect(
      handled()
        .slice(before)
        .map((entry) => Number(entry.offset)),
    ).toEqual(Array.from({ length: 10 }, (_, i) => 1_990 + i));
  });

  it('ends a batch of transactional messages after its transaction marker: the next fetch starts right after lastOffset', async () => {
    fetches.length = 0;
    const app = await startApp('tx', RewindingHandler, topics.names, uniqueName('tx'));
    apps.push(app);
    await waitFor(() => app.get(KafkaAssignments).assigned.length > 0, 30_000, 'assignment');
    const kafka = new Kafka({
      brokers: parseBrokerList(requireTestEnv('KAFKA_BROKERS')),
      clientId: uniqueName('tx'),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer({
      transactionalId: uniqueName('tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      // One transaction at a time, each handled before the next: one fetch per transaction.
      for (let round = 0; round < 4; round += 1) {
        const transaction = await producer.transaction();
        await transaction.send({
          topic: topics.names.in,
          messages: [0, 1, 2].map((i) => ({
            key: 'k',
            partition: 0,
            value: JSON.stringify({ key: 'k', seq: round * 3 + i }),
          })),
        });
        await transaction.commit();
        await waitFor(() => ledger.length >= (round + 1) * 3, 30_000, `transaction ${round}`);
      }
    } finally {
      await producer.disconnect();
    }
    // Each transaction's three messages, then its marker: four offsets per round.
    expect(ledger.map((entry) => Number(entry.offset))).toEqual([
      0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14,
    ]);
    const ofPartition = fetches.filter((fetch) => fetch.partition === 0);
    expect(ofPartition.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < ofPartition.length; i += 1) {
      expect(Number(ofPartition[i]?.fetched)).toBe(Number(ofPartition[i - 1]?.last) + 1);
    }
  });
});
