import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Registry } from 'prom-client';

import { ROOT_LOGGER, SERVICE_INFO } from '@trail-insight/observability';

import type { ServiceInfo } from '@trail-insight/observability';

import { KAFKA_CLIENT, KAFKA_CONFIG } from './kafka.constants';
import { createKafkaClient } from './kafka-client.factory';
import { KafkaAssignments } from './kafka-assignments.service';
import { KafkaConsumerService } from './kafka-consumer.service';
import { KafkaHandlerExplorer } from './kafka-handler.explorer';
import { KafkaLifecycleService } from './kafka-lifecycle.service';
import { KafkaMetrics } from './metrics';
import { KafkaProducerService } from './kafka-producer.service';
import { KafkaTopics } from './kafka-topics.service';
import { resolveTopicNames } from './topics.constants';
import { KafkaErrorCode, KafkaException } from './kafka.exception';

import type { DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';

import type { KafkaModuleConfig } from './kafka-config';

function validate(config: KafkaModuleConfig): void {
  if (config.brokers.length === 0) {
    throw new KafkaException(KafkaErrorCode.InvalidConfig, 'no Kafka brokers configured');
  }
  if (config.consumer !== undefined && config.consumer.topics.length === 0) {
    throw new KafkaException(KafkaErrorCode.InvalidConfig, 'a consumer needs at least one topic');
  }
}

/**
 * The one place that owns kafkajs clients (STYLE rules 8–11). Global; needs
 * `ObservabilityModule.forRoot` imported first (logger, metrics registry, readiness).
 * Exports {@link KafkaProducerService}, {@link KafkaTopics}, {@link KafkaMetrics}.
 */
@Module({})
export class KafkaModule {
  static forRoot(config: KafkaModuleConfig): DynamicModule {
    validate(config);
    return {
      exports: [KafkaAssignments, KafkaMetrics, KafkaProducerService, KafkaTopics],
      global: true,
      imports: [DiscoveryModule],
      module: KafkaModule,
      providers: [
        KafkaAssignments,
        { provide: KAFKA_CONFIG, useValue: config },
        {
          provide: KAFKA_CLIENT,
          useFactory: (logger: Logger) => createKafkaClient(config, logger),
          inject: [ROOT_LOGGER],
        },
        { provide: KafkaTopics, useValue: new KafkaTopics(resolveTopicNames(config.topics)) },
        {
          provide: KafkaMetrics,
          useFactory: (registry: Registry, info: ServiceInfo) =>
            new KafkaMetrics(registry, info.metricsPrefix),
          inject: [Registry, SERVICE_INFO],
        },
        KafkaConsumerService,
        KafkaHandlerExplorer,
        KafkaLifecycleService,
        KafkaProducerService,
      ],
    };
  }
}
