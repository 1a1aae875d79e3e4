import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';

import { SERVICE_INFO } from '@trail-insight/observability';

import type { ServiceInfo } from '@trail-insight/observability';

/** Metrics of the console API (prefix `console_`). `route` is the route pattern, never a value. */
@Injectable()
export class ConsoleMetrics {
  /** Requests by route and status class. Alert: ConsoleStoreUnavailable (5xx). */
  readonly requests: Counter<'route' | 'status'>;
  /** Latency by route. Alert: ConsoleSlow. */
  readonly duration: Histogram<'route'>;
  /** Stored records or events that could not be decoded (skipped). Alert: ConsoleCorruptRecords. */
  readonly corrupt: Counter;

  constructor(registry: Registry, @Inject(SERVICE_INFO) info: ServiceInfo) {
    const registers = [registry];
    this.requests = new Counter({
      name: `${info.metricsPrefix}api_requests_total`,
      help: 'Console API requests by route and status class (2xx, 4xx, 5xx). Alert: ConsoleStoreUnavailable.',
      labelNames: ['route', 'status'] as const,
      registers,
    });
    this.duration = new Histogram({
      name: `${info.metricsPrefix}api_request_duration_seconds`,
      help: 'Console API latency by route. Alert: ConsoleSlow.',
      labelNames: ['route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.corrupt = new Counter({
      name: `${info.metricsPrefix}store_corrupt_records_total`,
      help: 'Stored insight records or events that could not be decoded. Alert: ConsoleCorruptRecords.',
      registers,
    });
  }
}
