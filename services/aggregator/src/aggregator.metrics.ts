import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

import { SERVICE_INFO } from '@trail-insight/observability';

import type { ServiceInfo } from '@trail-insight/observability';

/** Metrics of the aggregator (message-level ones come from @trail-insight/kafka). */
@Injectable()
export class AggregatorMetrics {
  /** Panels: confirmed insights turned into events, by trail family. */
  readonly insights: Counter<'provider'>;
  /** Panels: insight events produced, by state (Start/Update/End). */
  readonly insightEvents: Counter<'state'>;
  /** Alert `InsightStoreSlow`: Redis write latency per insight. */
  readonly storeDuration: Histogram;
  /** Alert `InsightStoreFailing`: failed writes (retried; the offset is not committed). */
  readonly storeErrors: Counter;

  constructor(registry: Registry, @Inject(SERVICE_INFO) info: ServiceInfo) {
    const prefix = info.metricsPrefix;
    this.insights = new Counter({
      name: `${prefix}insights_total`,
      help: 'Confirmed IP insights turned into insight events and stored, by provider',
      labelNames: ['provider'] as const,
      registers: [registry],
    });
    this.insightEvents = new Counter({
      name: `${prefix}insight_events_total`,
      help: 'Insight events produced to insight-events, by state',
      labelNames: ['state'] as const,
      registers: [registry],
    });
    this.storeDuration = new Histogram({
      name: `${prefix}store_duration_seconds`,
      help: 'Time to store one insight in Redis (record, events, indexes); alert InsightStoreSlow',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.storeErrors = new Counter({
      name: `${prefix}store_errors_total`,
      help: 'Failed insight store writes (retried with backoff); alert InsightStoreFailing',
      registers: [registry],
    });
  }
}
