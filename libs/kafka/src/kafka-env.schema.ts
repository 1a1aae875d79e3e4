import { z } from 'zod';

import { DEFAULT_HEARTBEAT_INTERVAL_MS, DEFAULT_MAX_BYTES_PER_PARTITION } from './kafka-config';
import { parseBrokerList } from './plain-producer';
import { Topic } from './topics.constants';

import type { KafkaModuleConfig } from './kafka-config';

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/**
 * Kafka variables shared by every service; spread into the app's `EnvSchema` and refine it with
 * {@link refineKafkaEnv}. Documented once in libs/kafka/README.md; app READMEs list them too.
 */
export const kafkaEnvShape = {
  KAFKA_BROKERS: z
    .string()
    .transform(parseBrokerList)
    .pipe(
      z
        .array(z.string().regex(HOST_PORT, 'each broker must be host:port'))
        .min(1, 'at least one broker (host:port[,host:port...])'),
    ),
  KAFKA_CLIENT_ID: z.string().min(1).optional(),
  KAFKA_GROUP_ID: z.string().min(1).optional(),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL: z.stringbool().default(false),
  KAFKA_SSL_REJECT_UNAUTHORIZED: z.stringbool().default(true),
  KAFKA_TOPIC_NORMALIZED_EVENTS: z.string().min(1).default(Topic.NormalizedEvents),
  KAFKA_TOPIC_IP_INSIGHTS: z.string().min(1).default(Topic.IpInsights),
  KAFKA_TOPIC_INSIGHT_EVENTS: z.string().min(1).default(Topic.InsightEvents),
  KAFKA_TOPIC_DEAD_LETTER: z.string().min(1).default(Topic.DeadLetter),
  KAFKA_ENSURE_TOPICS: z.stringbool().default(false),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(6),
  KAFKA_PARTITIONS_CONCURRENTLY: z.coerce.number().int().min(1).max(64).optional(),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  KAFKA_MAX_BYTES_PER_PARTITION: z.coerce
    .number()
    .int()
    .min(64 * 1024)
    .max(64 * 1024 * 1024)
    .default(DEFAULT_MAX_BYTES_PER_PARTITION),
};

export type KafkaEnv = z.infer<z.ZodObject<typeof kafkaEnvShape>>;

/** Cross-variable checks (SASL needs user and password); use as `.superRefine(refineKafkaEnv)`. */
export function refineKafkaEnv(env: Partial<KafkaEnv>, ctx: z.RefinementCtx): void {
  if (env.KAFKA_SASL_MECHANISM !== undefined) {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[name] === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `required when KAFKA_SASL_MECHANISM is set`,
        });
      }
    }
  }
}

export interface KafkaEnvDefaults {
  /** Default client id (e.g. `trail-insight-ingest`). */
  clientId: string;
  /** Default consumer group; omit for producer-only apps. */
  groupId?: string;
  /** Consumed logical topics (need a groupId). */
  consumes?: Topic[];
  produces?: Topic[];
  /** Physical names of topics not covered by the shared variables (e.g. ingest's input). */
  topics?: Partial<Record<Topic, string>>;
  /**
   * Partitions processed at once when `KAFKA_PARTITIONS_CONCURRENTLY` is unset (default 1): more
   * lets one partition's processing overlap another's round trips to Kafka and Redis.
   */
  partitionsConcurrently?: number;
}

/** Maps the parsed shared variables to {@link KafkaModuleConfig}. */
export function kafkaConfigFromEnv(env: KafkaEnv, defaults: KafkaEnvDefaults): KafkaModuleConfig {
  const config: KafkaModuleConfig = {
    brokers: env.KAFKA_BROKERS,
    clientId: env.KAFKA_CLIENT_ID ?? defaults.clientId,
    topics: {
      [Topic.NormalizedEvents]: env.KAFKA_TOPIC_NORMALIZED_EVENTS,
      [Topic.IpInsights]: env.KAFKA_TOPIC_IP_INSIGHTS,
      [Topic.InsightEvents]: env.KAFKA_TOPIC_INSIGHT_EVENTS,
      [Topic.DeadLetter]: env.KAFKA_TOPIC_DEAD_LETTER,
      ...defaults.topics,
    },
    produces: defaults.produces ?? [],
  };
  if (env.KAFKA_SASL_MECHANISM !== undefined) {
    config.sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME ?? '',
      password: env.KAFKA_SASL_PASSWORD ?? '',
    };
  }
  if (env.KAFKA_SSL) {
    config.ssl = env.KAFKA_SSL_REJECT_UNAUTHORIZED ? true : { rejectUnauthorized: false };
  }
  if (env.KAFKA_ENSURE_TOPICS) {
    config.ensureTopics = { partitions: env.KAFKA_TOPIC_PARTITIONS };
  }
  const groupId = env.KAFKA_GROUP_ID ?? defaults.groupId;
  if (defaults.consumes !== undefined && defaults.consumes.length > 0) {
    if (groupId === undefined) {
      throw new Error('a consuming app needs a consumer group id');
    }
    config.consumer = {
      groupId,
      topics: defaults.consumes,
      partitionsConsumedConcurrently:
        env.KAFKA_PARTITIONS_CONCURRENTLY ?? defaults.partitionsConcurrently ?? 1,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
      maxBytesPerPartition: env.KAFKA_MAX_BYTES_PER_PARTITION,
      heartbeatIntervalMs: Math.min(
        DEFAULT_HEARTBEAT_INTERVAL_MS,
        Math.floor(env.KAFKA_SESSION_TIMEOUT_MS / 3),
      ),
    };
  }
  return config;
}
