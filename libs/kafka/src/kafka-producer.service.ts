import { Inject, Injectable } from '@nestjs/common';

import { KAFKA_CLIENT, KAFKA_CONFIG } from './kafka.constants';
import { KafkaMetrics } from './metrics';
import { KafkaTopics } from './kafka-topics.service';
import { ProducerCore } from './producer-core';

import type { Kafka } from 'kafkajs';

import type { OutboundMessage } from './kafka-message';
import type { KafkaModuleConfig } from './kafka-config';
import type { OutboxSink, TopicBatch, TransactionOffsets } from './outbox';
import type { Topic } from './topics.constants';

/**
 * The app's producer. Handlers should emit through their context (`context.send`), which ties
 * outputs to offsets; use `send` directly only outside consumers (e.g. an HTTP use case).
 */
@Injectable()
export class KafkaProducerService implements OutboxSink {
  private readonly core: ProducerCore;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
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
