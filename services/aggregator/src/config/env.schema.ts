import { z } from 'zod';

import { Topic, kafkaConfigFromEnv, kafkaEnvShape, refineKafkaEnv } from '@trail-insight/kafka';
import { SERVICE_VERSION, observabilityEnvShape, parseEnv } from '@trail-insight/observability';

import type { KafkaModuleConfig } from '@trail-insight/kafka';
import type { ObservabilityOptions } from '@trail-insight/observability';

import type { RedisConnectionConfig } from '../insight-store/redis-client.factory';

export const SERVICE_NAME = 'aggregator';

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/** Every variable the aggregator reads; documented in services/aggregator/README.md. */
export const EnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...observabilityEnvShape,
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8083),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    REDIS_CLUSTER_NODES: z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      )
      .pipe(z.array(z.string().regex(HOST_PORT, 'each node must be host:port')).min(1))
      .optional(),
    REDIS_PASSWORD: z.string().min(1).optional(),
    INSIGHT_STORE_PREFIX: z
      .string()
      .max(64)
      .regex(/^[^{}]*$/, 'must not contain { or }')
      .default('ti:'),
    INSIGHT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  })
  .superRefine(refineKafkaEnv)
  .superRefine((env, context) => {
    if ((env.REDIS_URL === undefined) === (env.REDIS_CLUSTER_NODES === undefined)) {
      context.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message:
          'set exactly one of REDIS_URL (single Redis) and REDIS_CLUSTER_NODES (Redis Cluster)',
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface AggregatorConfig {
  http: { port: number; host: string };
  kafka: KafkaModuleConfig;
  redis: RedisConnectionConfig;
  store: { prefix: string; retentionMs: number };
  observability: ObservabilityOptions;
}

function redisOf(env: Env): RedisConnectionConfig {
  if (env.REDIS_URL !== undefined) {
    return { mode: 'single', url: env.REDIS_URL };
  }
  const nodes = (env.REDIS_CLUSTER_NODES ?? []).map((node) => {
    const split = node.lastIndexOf(':');
    return { host: node.slice(0, split), port: Number(node.slice(split + 1)) };
  });
  return env.REDIS_PASSWORD === undefined
    ? { mode: 'cluster', nodes }
    : { mode: 'cluster', nodes, password: env.REDIS_PASSWORD };
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
    redis: redisOf(env),
    store: {
      prefix: env.INSIGHT_STORE_PREFIX,
      retentionMs: env.INSIGHT_RETENTION_DAYS * 86_400_000,
    },
    observability: {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      logLevel: env.LOG_LEVEL,
      pretty: env.LOG_PRETTY,
    },
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadAggregatorConfig(source: Record<string, string | undefined>): AggregatorConfig {
  return toAggregatorConfig(parseEnv(EnvSchema, source));
}
