import type { DestinationStream, Level } from 'pino';

/** What {@link ObservabilityModule.forRoot} needs; the app maps its parsed env onto this. */
export interface ObservabilityOptions {
  /** Service name: the `service` log binding and, snake-cased, the metric name prefix. */
  service: string;
  version: string;
  /** Default `info`. */
  logLevel?: Level | 'silent';
  /** Human-readable logs via pino-pretty, only when that package is installed (local use). */
  pretty?: boolean;
  /** Where JSON logs go (default stdout); tests pass a stream they can read or end. */
  destination?: DestinationStream;
  /** Collect prom-client's process/runtime metrics (default true). */
  defaultMetrics?: boolean;
  /**
   * Configuration warnings found while parsing the environment (e.g. a deprecated variable name,
   * `renamedEnvWarnings`), logged once at `warn` level when the root logger is created.
   */
  warnings?: readonly string[];
}

/** Resolved service identity, injectable as {@link SERVICE_INFO}. */
export interface ServiceInfo {
  service: string;
  version: string;
  /** `<service in snake_case>_`, e.g. `sink_oss_`: every metric name of the service starts with it. */
  metricsPrefix: string;
}
