import { observabilityEnvShape, parseEnv, SERVICE_VERSION } from '@trail-insight/observability';
import { DEFAULT_STATE_PREFIX } from '@trail-insight/state-redis';
import { z } from 'zod';

import type { ObservabilityOptions } from '@trail-insight/observability';

export const SERVICE_NAME = 'console';

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;
const PREFIX = z
  .string()
  .max(64)
  .regex(/^[^{}]*$/, 'must not contain { or }');

/** Every variable the console reads; documented in services/console/README.md. */
export const EnvSchema = z
  .object({
    ...observabilityEnvShape,
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
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
    STATE_PREFIX: PREFIX.default(DEFAULT_STATE_PREFIX),
    INSIGHT_STORE_PREFIX: PREFIX.default('ti:'),
    PROVISIONAL_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  })
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

/** How to reach Redis: one server, or the seed nodes of a cluster. */
export type RedisConnectionConfig =
  | { mode: 'single'; url: string }
  | { mode: 'cluster'; nodes: Array<{ host: string; port: number }>; password?: string };

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface ConsoleConfig {
  http: { port: number; host: string };
  observability: ObservabilityOptions;
  redis: RedisConnectionConfig;
  store: { statePrefix: string; insightPrefix: string; provisionalCacheMs: number };
}

export function toConsoleConfig(env: Env): ConsoleConfig {
  const redis: RedisConnectionConfig =
    env.REDIS_CLUSTER_NODES !== undefined
      ? {
          mode: 'cluster',
          nodes: env.REDIS_CLUSTER_NODES.map((node) => {
            const separator = node.lastIndexOf(':');
            return { host: node.slice(0, separator), port: Number(node.slice(separator + 1)) };
          }),
          ...(env.REDIS_PASSWORD === undefined ? {} : { password: env.REDIS_PASSWORD }),
        }
      : { mode: 'single', url: env.REDIS_URL as string };
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    observability: {
      service: SERVICE_NAME,
      version: SERVICE_VERSION,
      logLevel: env.LOG_LEVEL,
      pretty: env.LOG_PRETTY,
    },
    redis,
    store: {
      statePrefix: env.STATE_PREFIX,
      insightPrefix: env.INSIGHT_STORE_PREFIX,
      provisionalCacheMs: env.PROVISIONAL_CACHE_MS,
    },
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadConsoleConfig(source: Record<string, string | undefined>): ConsoleConfig {
  return toConsoleConfig(parseEnv(EnvSchema, source));
}
