import { redisConnectionFromEnv, redisEnvShape, refineRedisEnv } from '@trail-insight/state-redis';
import { z } from 'zod';

import { Topic, kafkaConfigFromEnv, kafkaEnvShape, refineKafkaEnv } from '@trail-insight/kafka';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
} from '@trail-insight/observability';

import type { KafkaModuleConfig } from '@trail-insight/kafka';
import type { ObservabilityOptions } from '@trail-insight/observability';

import type { RedisConnectionConfig } from '@trail-insight/state-redis';

export const SERVICE_NAME = 'aggregator';

/** Every variable the aggregator reads; documented in services/aggregator/README.md. */
export const EnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...observabilityEnvShape,
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    ...redisEnvShape,
    INSIGHT_STORE_PREFIX: z
      .string()
      .max(64)
      .regex(/^[^{}]*$/, 'must not contain { or }')
      .default('ti:'),
    INSIGHT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  })
  .superRefine(refineKafkaEnv)
  .superRefine(refineRedisEnv);

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface AggregatorConfig {
  http: { port: number; host: string };
  kafka: KafkaModuleConfig;
  redis: RedisConnectionConfig;
  store: { prefix: string; retentionMs: number };
  observability: ObservabilityOptions;
}

export function toAggregatorConfig(env: Env): AggregatorConfig {
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    kafka: kafkaConfigFromEnv(env, {
      clientId: `trail-insight-${SERVICE_NAME}`,
      groupId: `trail-insight-${SERVICE_NAME}`,
      consumes: [Topic.IpInsights],
      produces: [Topic.InsightEvents],
    }),
    redis: redisConnectionFromEnv(env),
    store: {
      prefix: env.INSIGHT_STORE_PREFIX,
      retentionMs: env.INSIGHT_RETENTION_DAYS * 86_400_000,
    },
    observability: observabilityFromEnv(SERVICE_NAME, env),
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadAggregatorConfig(source: Record<string, string | undefined>): AggregatorConfig {
  return toAggregatorConfig(parseEnv(EnvSchema, source));
}
