import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

import { SERVICE_INFO } from '@trail-insight/observability';

import type { ServiceInfo } from '@trail-insight/observability';

/** Record-level metrics of ingest (message-level ones come from @trail-insight/kafka). */
@Injectable()
export class IngestMetrics {
  /** Panels: records in vs. valid events out. */
  readonly records: Counter<'outcome'>;
  /** Alert `IngestInvalidRecords`: a spike of one reason means a producer changed its format. */
  readonly invalidRecords: Counter<'reason'>;

  constructor(registry: Registry, @Inject(SERVICE_INFO) info: ServiceInfo) {
    this.records = new Counter({
      name: `${info.metricsPrefix}records_total`,
      help: 'Records read from raw messages by outcome (valid, invalid); alert IngestInvalidRecords',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.invalidRecords = new Counter({
      name: `${info.metricsPrefix}invalid_records_total`,
      help: 'Invalid records dead-lettered, by SPEC §1 reason; alert IngestInvalidRecords',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
  }
}
