import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';

import { KafkaModule } from '@trail-insight/kafka';
import { ObservabilityModule, ROOT_LOGGER, SERVICE_INFO } from '@trail-insight/observability';

import type { DynamicModule } from '@nestjs/common';
import type { ServiceInfo } from '@trail-insight/observability';
import type { Logger } from 'pino';

import { SLS_SINK_CONFIG } from './config/sink-sls.config';
import { InsightEventsConsumer } from './insight-events.consumer';
import { SlsSinkMetrics } from './metrics';
import { SlsLogProducer } from './sls-log.producer';
import { SlsSinkLifecycle } from './sls-sink.lifecycle';

import type { SinkSlsConfig } from './config/env.schema';
import type { SlsSinkConfig } from './config/sink-sls.config';

@Module({})
export class AppModule {
  static register(config: SinkSlsConfig): DynamicModule {
    return {
      imports: [
        ObservabilityModule.forRoot(config.observability),
        KafkaModule.forRoot(config.kafka),
      ],
      module: AppModule,
      providers: [
        { provide: SLS_SINK_CONFIG, useValue: config.sls },
        {
          provide: SlsSinkMetrics,
          useFactory: (registry: Registry, info: ServiceInfo) =>
            new SlsSinkMetrics(registry, info.metricsPrefix),
          inject: [Registry, SERVICE_INFO],
        },
        {
          provide: SlsLogProducer,
          useFactory: (sls: SlsSinkConfig, metrics: SlsSinkMetrics, logger: Logger) =>
            new SlsLogProducer(sls, metrics, logger),
          inject: [SLS_SINK_CONFIG, SlsSinkMetrics, ROOT_LOGGER],
        },
        SlsSinkLifecycle,
        InsightEventsConsumer,
      ],
    };
  }
}
