import { Inject, Injectable } from '@nestjs/common';
import { PartitionAssigners } from 'kafkajs';

import { ROOT_LOGGER } from '@trail-insight/observability';

import { BatchRunner } from './batch-runner';
import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MAX_BYTES_PER_PARTITION } from './kafka-config';
import { KAFKA_CLIENT, KAFKA_CONFIG } from './kafka.constants';
import { KafkaAssignments } from './kafka-assignments.service';
import { KafkaHandlerExplorer } from './kafka-handler.explorer';
import { KafkaMetrics } from './metrics';
import { KafkaProducerService } from './kafka-producer.service';
import { KafkaTopics } from './kafka-topics.service';
import { PartitionLoad } from './partition-load';
import { stickyAssigner } from './sticky-assigner';
import { createGroupBacklog } from './topic-admin.util';
import { ALL_TOPICS } from './topics.constants';

import type { ReadinessStatus } from '@trail-insight/observability';
import type { Assignment, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';

import type { HandlerBinding } from './batch-runner';
import type { KafkaModuleConfig } from './kafka-config';
import type { GroupBacklog } from './topic-admin.util';

const DEFAULT_RETRY = { initialMs: 200, maxMs: 30_000 };
/** Resolved offsets are committed at batch end, and mid-batch at most this often. */
const AUTO_COMMIT_INTERVAL_MS = 1_000;

/**
 * The app's consumer group member: subscribes to the consumed topics, runs {@link BatchRunner}
 * over `eachBatch`, tracks group membership for readiness.
 */
@Injectable()
export class KafkaConsumerService {
  private consumer: Consumer | null = null;
  private joined = false;
  /** Partitions of the last join by physical topic, sent at the next one (sticky assignment). */
  private owned: Assignment = {};
  /** Load of each held partition (bytes consumed, decayed, and behind): weights at the next join. */
  private readonly load = new PartitionLoad();
  private crashed: string | null = null;
  /** Reads the group's backlog when this member leads a rebalance. */
  private backlog: GroupBacklog | null = null;
  private readonly log: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CONFIG) private readonly config: KafkaModuleConfig,
    private readonly explorer: KafkaHandlerExplorer,
    private readonly producer: KafkaProducerService,
    private readonly topics: KafkaTopics,
    private readonly metrics: KafkaMetrics,
    private readonly assignments: KafkaAssignments,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.log = logger.child({
      component: 'kafka-consumer',
      groupId: config.consumer?.groupId ?? null,
    });
  }

  get enabled(): boolean {
    return this.config.consumer !== undefined;
  }

  /** Checks the handler wiring (throws on any error); call before connecting anything. */
  bindHandlers(): Map<string, HandlerBinding> {
    const consumer = this.config.consumer;
    const byTopic = this.explorer.explore(consumer?.topics ?? []);
    const bindings = new Map<string, HandlerBinding>();
    for (const [topic, binding] of byTopic) {
      bindings.set(this.topics.name(topic), binding);
    }
    return bindings;
  }

  async start(bindings: Map<string, HandlerBinding>): Promise<void> {
    const settings = this.config.consumer;
    if (settings === undefined) {
      return;
    }
    const backlog = createGroupBacklog(
      this.kafka,
      settings.groupId,
      settings.fromBeginning ?? true,
    );
    this.backlog = backlog;
    const consumer = this.kafka.consumer({
      groupId: settings.groupId,
      sessionTimeout: settings.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: settings.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      maxBytesPerPartition: settings.maxBytesPerPartition ?? DEFAULT_MAX_BYTES_PER_PARTITION,
      maxWaitTimeInMs: settings.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: true,
      // sticky first; round robin while members of an older release are still in the group
      partitionAssigners: [
        stickyAssigner(
          () => ({
            owned: this.owned,
            load: this.load.weights(),
            sizes: this.load.messageSizes(),
          }),
          (topics) => backlog.read(topics),
        ),
        PartitionAssigners.roundRobin,
      ],
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.joined = true;
      this.owned = event.payload.memberAssignment;
      this.load.retain(this.owned);
      const assigned = Object.entries(event.payload.memberAssignment).flatMap(
        ([topic, partitions]) =>
          partitions.map((partition) => ({
            topic: this.topics.logical(topic) ?? topic,
            partition,
          })),
      );
      this.metrics.retainPartitions(assigned);
      this.assignments.publish(assigned);
      this.log.info(
        { memberId: event.payload.memberId, assignment: event.payload.memberAssignment },
        'joined consumer group',
      );
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.joined = false;
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.joined = false;
      this.log.error(
        { err: event.payload.error, restart: event.payload.restart },
        'consumer crashed',
      );
      if (!event.payload.restart) {
        this.crashed = event.payload.error.message;
      }
    });
    const runner = new BatchRunner({
      bindings,
      topicNames: this.topics.names,
      sink: this.producer,
      metrics: this.metrics,
      logger: this.log,
      retry: { ...DEFAULT_RETRY, ...settings.retry },
      flushEvery: settings.flushEvery ?? 500,
      producedBy: this.config.clientId,
      ...(settings.exactlyOnce === undefined ? {} : { transactionalGroupId: settings.groupId }),
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...bindings.keys()],
      fromBeginning: settings.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: true,
      autoCommitInterval: AUTO_COMMIT_INTERVAL_MS,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => {
        const { batch } = payload;
        this.load.addBatch(batch.topic, batch.partition, batch.messages, Number(batch.offsetLag()));
        return runner.eachBatch({
          ...payload,
          batch: {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            // Set by kafkajs' Batch, missing from its typings; the first offset is a safe stand-in.
            fetchedOffset:
              (batch as { fetchedOffset?: string }).fetchedOffset ??
              batch.firstOffset() ??
              batch.lastOffset(),
            lastOffset: batch.lastOffset(),
            messages: batch.messages,
          },
        });
      },
    });
    this.assignments.attachSeeker(({ topic, partition }, offset) => {
      const logical = ALL_TOPICS.find((known) => String(known) === topic);
      const name = logical === undefined ? topic : this.topics.name(logical);
      try {
        consumer.seek({ topic: name, partition, offset });
      } catch (error) {
        // e.g. the consumer is stopping: its next owner starts from the committed offset.
        this.log.warn({ err: error, topic: name, partition, offset }, 'seek refused');
        return false;
      }
      this.log.info(
        { topic: name, partition, offset },
        'fetching a partition again from an offset',
      );
      return true;
    });
    this.log.info({ topics: [...bindings.keys()] }, 'consumer started');
  }

  /** Stops fetching, lets the message in hand finish (outputs produced, offsets committed), leaves. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    this.joined = false;
    this.assignments.attachSeeker(null);
    if (consumer !== null) {
      await consumer.disconnect();
      this.log.info('consumer stopped');
    }
    const backlog = this.backlog;
    this.backlog = null;
    await backlog?.close();
  }

  readiness(): ReadinessStatus {
    if (this.crashed !== null) {
      return { ok: false, detail: `crashed: ${this.crashed}` };
    }
    if (this.consumer === null) {
      return { ok: false, detail: 'not started' };
    }
    return this.joined ? { ok: true } : { ok: false, detail: 'not in the consumer group' };
  }

  get crashReason(): string | null {
    return this.crashed;
  }
}
