import { Module } from '@nestjs/common';

import { KafkaModule } from '@trail-insight/kafka';
import { ObservabilityModule } from '@trail-insight/observability';

import type { DynamicModule } from '@nestjs/common';

import { AggregateInsightUseCase } from './aggregate-insight.use-case';
import { AggregatorMetrics } from './aggregator.metrics';
import { InsightStoreModule } from './insight-store/insight-store.module';
import { IpInsightsConsumer } from './ip-insights.consumer';

import type { AggregatorConfig } from './config/env.schema';

@Module({})
export class AppModule {
  static register(config: AggregatorConfig): DynamicModule {
    return {
      imports: [
        ObservabilityModule.forRoot(config.observability),
        InsightStoreModule.register({ redis: config.redis, ...config.store }),
        KafkaModule.forRoot(config.kafka),
      ],
      module: AppModule,
      providers: [AggregateInsightUseCase, AggregatorMetrics, IpInsightsConsumer],
    };
  }
}
