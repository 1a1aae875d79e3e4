import { Counter, Gauge, Histogram } from 'prom-client';

import type { Registry } from 'prom-client';

/** Outcome of one object-store request; bounded (never a key or an error message). */
export type S3Outcome = 'ok' | 'not_found' | 'client_error' | 'server_error' | 'network_error';

/** Metrics of the OSS sink, registered on the service's registry with its prefix (`sink_oss_`). */
export class OssSinkMetrics {
  /** Objects written; `outcome` = `created` (new key), `merged` (added events), `unchanged` (skipped). Alert: OssSinkStalled. */
  readonly objects: Counter<'outcome'>;
  /** Insight events now stored in the bucket (counted once per object write that added them). */
  readonly eventsWritten: Counter;
  /** Requests to the object store by operation and outcome. Alert: OssSinkErrors (client/server errors). */
  readonly requests: Counter<'operation' | 'outcome'>;
  /** Latency of object-store requests. Alert: OssSinkSlow. */
  readonly requestDuration: Histogram<'operation'>;
  /** Existing objects at our keys that were not ours to merge (replaced). Alert: OssSinkForeignObject. */
  readonly unreadableObjects: Counter;
  /** Unix time of the last batch fully written. Alert: OssSinkStalled (with consumer lag > 0). */
  readonly lastSuccess: Gauge;

  constructor(registry: Registry, prefix: string) {
    const registers = [registry];
    this.objects = new Counter({
      name: `${prefix}objects_written_total`,
      help: 'Objects written to the bucket by outcome (created, merged, unchanged). Alert: OssSinkStalled.',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.eventsWritten = new Counter({
      name: `${prefix}insight_events_written_total`,
      help: 'Insight events added to objects in the bucket.',
      registers,
    });
    this.requests = new Counter({
      name: `${prefix}s3_requests_total`,
      help: 'Object-store requests by operation (get, put, head_bucket) and outcome. Alert: OssSinkErrors.',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    });
    this.requestDuration = new Histogram({
      name: `${prefix}s3_request_duration_seconds`,
      help: 'Latency of object-store requests by operation. Alert: OssSinkSlow.',
      labelNames: ['operation'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.unreadableObjects = new Counter({
      name: `${prefix}unreadable_objects_total`,
      help: 'Objects found at a sink key that were not gzip JSON insight events (replaced). Alert: OssSinkForeignObject.',
      registers,
    });
    this.lastSuccess = new Gauge({
      name: `${prefix}last_success_timestamp_seconds`,
      help: 'Unix time of the last batch written completely. Alert: OssSinkStalled.',
      registers,
    });
  }
}
