import type { Topic } from './topics.constants';

/**
 * Most bytes one fetch returns per partition. 4 MiB (kafkajs' default is 1 MiB): a replay of
 * history through ingest → detector → aggregator ran 22 % faster on the benchmark's trail than
 * with 1 MiB, with half the broker CPU and a quarter of the detector's checkpoints (a checkpoint
 * and, in ingest, a transaction per fetched batch); 10 MiB gained nothing more
 * (docs/benchmarks.md). At a steady rate fetches are small anyway, so latency does not change.
 */
export const DEFAULT_MAX_BYTES_PER_PARTITION = 4 * 1024 * 1024;

/**
 * How often a consumer heartbeats. A member learns that its group rebalances from a heartbeat's
 * answer, and a joining member waits for every other one to rejoin, so this bounds how long a new
 * or restarted replica idles before it gets partitions: 1 s instead of kafkajs' 3 s (a second
 * detector joining a busy one idled 3 s of a 15 s benchmark run). One small request per second
 * per consumer costs the broker nothing noticeable.
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1_000;

export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

/** Connection settings shared by the Nest module and the plain helpers. */
export interface KafkaConnectionConfig {
  brokers: string[];
  clientId: string;
  sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
  /** `true` for TLS with the system CAs; an object to pin a CA (PEM text) or relax checks. */
  ssl?: boolean | { ca?: string[]; rejectUnauthorized?: boolean };
  /** Default 10 000 ms. */
  connectionTimeoutMs?: number;
  /** Default 30 000 ms. */
  requestTimeoutMs?: number;
}

/** Backoff of a handler that throws a retriable error. */
export interface KafkaRetryConfig {
  /** First delay (default 200 ms), doubled per attempt. */
  initialMs: number;
  /** Cap (default 30 000 ms). */
  maxMs: number;
}

export interface KafkaConsumerConfig {
  groupId: string;
  /** Logical topics the app consumes: each must have exactly one handler (checked at boot). */
  topics: Topic[];
  /** Where a new group starts (default true: earliest, so nothing produced before is skipped). */
  fromBeginning?: boolean;
  /** Partitions processed at once (default 1). */
  partitionsConsumedConcurrently?: number;
  /** Default 30 000 ms. */
  sessionTimeoutMs?: number;
  /** Default {@link DEFAULT_HEARTBEAT_INTERVAL_MS}. */
  heartbeatIntervalMs?: number;
  /** Default {@link DEFAULT_MAX_BYTES_PER_PARTITION}. */
  maxBytesPerPartition?: number;
  /** How long the broker holds an empty fetch (default 1 000 ms; bounds shutdown time). */
  maxWaitTimeMs?: number;
  retry?: Partial<KafkaRetryConfig>;
  /**
   * Per-message handlers: how many messages are processed before their outputs are produced and
   * their offsets resolved (default 500). Larger is faster; the redelivery on a crash is at most
   * this many messages per partition.
   */
  flushEvery?: number;
  /**
   * Produce each flush's outputs (a per-message handler's `flushEvery` messages, or a batch
   * handler's whole batch) and commit the consumed offsets in one Kafka transaction, so a crash
   * never leaves outputs that a `read_committed` consumer (every consumer of this lib) would see
   * twice. `transactionalId` must be stable per instance (fences its zombie).
   */
  exactlyOnce?: { transactionalId: string };
}

/** Configuration of {@link KafkaModule.forRoot}. */
export interface KafkaModuleConfig extends KafkaConnectionConfig {
  /** Physical names, by logical topic; missing ones keep their default name. */
  topics?: Partial<Record<Topic, string>>;
  /** Omit for a producer-only app. */
  consumer?: KafkaConsumerConfig;
  /** Logical topics the app produces to; created at boot with `ensureTopics`. */
  produces?: Topic[];
  /**
   * Create the consumed and produced topics (and dead-letter) at boot when missing. Off by default:
   * production topics are provisioned by the platform.
   */
  ensureTopics?: { partitions: number; replicationFactor?: number };
}
