import { Counter, Gauge, Histogram } from 'prom-client';

import type { Registry } from 'prom-client';

/** Metrics of the SLS sink, registered on the service's registry with its prefix (`sink_sls_`). */
export class SlsSinkMetrics {
  /** Insight events written to the logstore. */
  readonly eventsSent: Counter;
  /** Failed connects or sends by kind (auth, tls, network, rejected, other). Alert: SlsSinkAuthFailing / SlsSinkErrors. */
  readonly failures: Counter<'kind'>;
  /** 1 while the SLS producer is connected and the last send succeeded. Alert: SlsSinkDisconnected. */
  readonly connected: Gauge;
  /** Latency of one batch produced to SLS (acks = all). Alert: SlsSinkSlow. */
  readonly sendDuration: Histogram;
  /** Unix time of the last batch written. Alert: SlsSinkStalled. */
  readonly lastSuccess: Gauge;

  constructor(registry: Registry, prefix: string) {
    const registers = [registry];
    this.eventsSent = new Counter({
      name: `${prefix}events_sent_total`,
      help: 'Insight events written to the SLS logstore.',
      registers,
    });
    this.failures = new Counter({
      name: `${prefix}sls_failures_total`,
      help: 'Failed SLS connects or sends by kind (auth, tls, network, rejected, other). Alerts: SlsSinkAuthFailing, SlsSinkErrors.',
      labelNames: ['kind'] as const,
      registers,
    });
    this.connected = new Gauge({
      name: `${prefix}sls_connected`,
      help: '1 while connected to SLS and the last send succeeded. Alert: SlsSinkDisconnected.',
      registers,
    });
    this.sendDuration = new Histogram({
      name: `${prefix}sls_send_duration_seconds`,
      help: 'Latency of one batch produced to SLS. Alert: SlsSinkSlow.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: `${prefix}last_success_timestamp_seconds`,
      help: 'Unix time of the last batch written to SLS. Alert: SlsSinkStalled.',
      registers,
    });
  }
}
