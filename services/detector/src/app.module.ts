import { Module } from '@nestjs/common';

import { KafkaModule, RawRecordMetrics, Topic } from '@trail-insight/kafka';
import { ObservabilityModule } from '@trail-insight/observability';

import type { DynamicModule } from '@nestjs/common';

import { DetectorMetrics } from './detector.metrics';
import { DETECTOR_CONFIG, DetectorService } from './detector.service';
import { NormalizedEventsConsumer } from './normalized-events.consumer';
import { RawEventsConsumer } from './raw-events.consumer';

import type { DetectorConfig } from './config/env.schema';

@Module({})
export class AppModule {
  static register(config: DetectorConfig): DynamicModule {
    const consumers =
      config.detector.input === Topic.RawEvents
        ? [RawRecordMetrics, RawEventsConsumer]
        : [NormalizedEventsConsumer];
    return {
      imports: [
        ObservabilityModule.forRoot(config.observability),
        KafkaModule.forRoot(config.kafka),
      ],
      module: AppModule,
      providers: [
        { provide: DETECTOR_CONFIG, useValue: config },
        DetectorMetrics,
        DetectorService,
        ...consumers,
      ],
    };
  }
}
