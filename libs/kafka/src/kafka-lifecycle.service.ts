import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER, ReadinessRegistry } from '@trail-insight/observability';

import {
  KAFKA_CLIENT,
  KAFKA_CONFIG,
  KAFKA_CONSUMER_CHECK,
  KAFKA_PRODUCER_CHECK,
} from './kafka.constants';
import { KafkaConsumerService } from './kafka-consumer.service';
import { KafkaProducerService } from './kafka-producer.service';
import { KafkaTopics } from './kafka-topics.service';
import { Topic } from './topics.constants';
import { ensureTopicsExist } from './topic-admin.util';

import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';

import type { KafkaModuleConfig } from './kafka-config';

/**
 * Orders the Kafka start and stop (Nest runs one module's hooks concurrently): check the handler
 * wiring, create topics if asked, connect the producer, then start the consumer; on shutdown stop
 * the consumer (finishing the message in hand) before the producer it flushes through.
 */
@Injectable()
export class KafkaLifecycleService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CONFIG) private readonly config: KafkaModuleConfig,
    private readonly producer: KafkaProducerService,
    private readonly consumer: KafkaConsumerService,
    private readonly topics: KafkaTopics,
    readiness: ReadinessRegistry,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'kafka' });
    readiness.register(KAFKA_PRODUCER_CHECK, () =>
      this.producer.isConnected ? { ok: true } : { ok: false, detail: 'producer not connected' },
    );
    if (this.consumer.enabled) {
      readiness.register(KAFKA_CONSUMER_CHECK, () => this.consumer.readiness());
      readiness.registerLiveness(KAFKA_CONSUMER_CHECK, () => {
        const reason = this.consumer.crashReason;
        return reason === null ? { ok: true } : { ok: false, detail: `crashed: ${reason}` };
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    const bindings = this.consumer.bindHandlers();
    const ensure = this.config.ensureTopics;
    if (ensure !== undefined) {
      const logical = new Set<Topic>([
        ...(this.config.consumer?.topics ?? []),
        ...(this.config.produces ?? []),
        Topic.DeadLetter,
      ]);
      const created = await ensureTopicsExist(
        this.kafka,
        [...logical].map((topic) => this.topics.name(topic)),
        ensure.partitions,
        ensure.replicationFactor,
      );
      if (created.length > 0) {
        this.log.info({ created }, 'created topics');
      }
    }
    await this.producer.connect();
    await this.consumer.start(bindings);
  }

  async onModuleDestroy(): Promise<void> {
    try {
      await this.consumer.stop();
    } finally {
      await this.producer.disconnect();
    }
  }
}
