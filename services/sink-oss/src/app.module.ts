import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';

import { KafkaModule } from '@trail-insight/kafka';
import { ObservabilityModule, ReadinessRegistry, SERVICE_INFO } from '@trail-insight/observability';

import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { ServiceInfo } from '@trail-insight/observability';

import { OSS_SINK_CONFIG } from './config/sink-oss.config';
import { InsightEventsConsumer } from './insight-events.consumer';
import { OssSinkMetrics } from './metrics';
import { OssObjectStore } from './oss-object.store';
import { OssSinkService } from './oss-sink.service';

import type { SinkOssConfig } from './config/env.schema';
import type { OssSinkConfig } from './config/sink-oss.config';

/** Registers the bucket readiness check and releases the S3 client after the consumer stopped. */
class ObjectStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly store: OssObjectStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('oss-bucket', async () => {
      await this.store.checkBucket();
      return true;
    });
  }

  onApplicationShutdown(): void {
    this.store.destroy();
  }
}

@Module({})
export class AppModule {
  static register(config: SinkOssConfig): DynamicModule {
    return {
      imports: [
        ObservabilityModule.forRoot(config.observability),
        KafkaModule.forRoot(config.kafka),
      ],
      module: AppModule,
      providers: [
        { provide: OSS_SINK_CONFIG, useValue: config.oss },
        {
          provide: OssSinkMetrics,
          useFactory: (registry: Registry, info: ServiceInfo) =>
            new OssSinkMetrics(registry, info.metricsPrefix),
          inject: [Registry, SERVICE_INFO],
        },
        {
          provide: OssObjectStore,
          useFactory: (oss: OssSinkConfig, metrics: OssSinkMetrics) =>
            new OssObjectStore(oss, metrics),
          inject: [OSS_SINK_CONFIG, OssSinkMetrics],
        },
        {
          provide: ObjectStoreLifecycle,
          useFactory: (store: OssObjectStore, readiness: ReadinessRegistry) =>
            new ObjectStoreLifecycle(store, readiness),
          inject: [OssObjectStore, ReadinessRegistry],
        },
        OssSinkService,
        InsightEventsConsumer,
      ],
    };
  }
}
