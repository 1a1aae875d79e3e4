import { Module } from '@nestjs/common';

import { KafkaModule, RawRecordMetrics } from '@trail-insight/kafka';
import { ObservabilityModule } from '@trail-insight/observability';

import type { DynamicModule } from '@nestjs/common';

import { RawEventsConsumer } from './raw-events.consumer';

import type { IngestConfig } from './config/env.schema';

@Module({})
export class AppModule {
  static register(config: IngestConfig): DynamicModule {
    return {
      imports: [
        ObservabilityModule.forRoot(config.observability),
        KafkaModule.forRoot(config.kafka),
      ],
      module: AppModule,
      providers: [RawRecordMetrics, RawEventsConsumer],
    };
  }
}
