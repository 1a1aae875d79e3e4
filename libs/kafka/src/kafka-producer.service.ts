import { Inject, Injectable } from '@nestjs/common';

import { KAFKA_CLIENT, KAFKA_CONFIG } from './kafka.constants';
import { KafkaErrorCode, KafkaException } from './kafka.exception';
import { KafkaMetrics } from './metrics';
import { KafkaTopics } from './kafka-topics.service';
import { ProducerCore } from './producer-core';

import type { Kafka } from 'kafkajs';

import type { OutboundMessage } from './kafka-message';
import type { KafkaModuleConfig } from './kafka-config';
import type { OutboxSink, TopicBatch, TransactionOffsets } from './outbox';
import type { Topic } from './topics.constants';

/** How long a topic's partition count is trusted before it is read again. */
const PARTITION_COUNT_TTL_MS = 60_000;

/**
 * The app's producer. Handlers should emit through their context (`context.send`), which ties
 * outputs to offsets; use `send` directly only outside consumers (e.g. an HTTP use case).
 */

@Injectable()
export class KafkaProducerService implements OutboxSink {
  private readonly core: ProducerCore;
  private readonly partitionCounts = new Map<string, { count: number; readAt: number }>();

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CONFIG) config: KafkaModuleConfig,
    private readonly topics: KafkaTopics,
    private readonly metrics: KafkaMetrics,
  ) {
    this.core = new ProducerCore(kafka, config.consumer?.exactlyOnce?.transactionalId);
  }

  inTransaction(
    offsets: TransactionOffsets,
    produce: (sink: OutboxSink) => Promise<void>,
  ): Promise<void> {
    return this.core.inTransaction(offsets, produce);
  }

  get isConnected(): boolean {
    return this.core.isConnected;
  }

  connect(): Promise<void> {
    return this.core.connect();
  }

  disconnect(): Promise<void> {
    return this.core.disconnect();
  }

  sendBatch(batches: TopicBatch[]): Promise<void> {
    return this.core.sendBatch(batches);
  }

  /**
   * The partition count of a logical topic (read from the brokers, then trusted for a minute), for
   * producers that route messages to partitions themselves. A failure is retriable.
   */
  async partitionCount(topic: Topic): Promise<number> {
    const name = this.topics.name(topic);
    const cached = this.partitionCounts.get(name);
    if (cached !== undefined && Date.now() - cached.readAt < PARTITION_COUNT_TTL_MS) {
      return cached.count;
    }
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [name] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count === 0) {
        throw new Error(`topic '${name}' has no partitions`);
      }
      this.partitionCounts.set(name, { count, readAt: Date.now() });
      return count;
    } catch (error) {
      throw new KafkaException(
        KafkaErrorCode.MetadataFailed,
        `partition count of '${name}': ${(error as Error).message}`,
        { cause: error },
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  /** Produces to a logical topic with acks = all; resolves once written. */
  async send(topic: Topic, messages: readonly OutboundMessage[]): Promise<void> {
    try {
      await this.core.sendBatch([{ topic: this.topics.name(topic), messages: [...messages] }]);
    } catch (error) {
      this.metrics.produceErrors.inc();
      throw error;
    }
    this.metrics.messagesOut.inc({ topic }, messages.length);
  }
}
