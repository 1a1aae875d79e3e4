import { redisConnectionFromEnv, redisEnvShape, refineRedisEnv } from '@trail-insight/state-redis';
import type { RedisConnectionConfig } from '@trail-insight/state-redis';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
} from '@trail-insight/observability';
import { DEFAULT_STATE_PREFIX } from '@trail-insight/state-redis';
import { z } from 'zod';

import type { ObservabilityOptions } from '@trail-insight/observability';

export const SERVICE_NAME = 'console';

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
    ...redisEnvShape,
    STATE_PREFIX: PREFIX.default(DEFAULT_STATE_PREFIX),
    INSIGHT_STORE_PREFIX: PREFIX.default('ti:'),
    PROVISIONAL_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  })
  .superRefine(refineRedisEnv);

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface ConsoleConfig {
  http: { port: number; host: string };
  observability: ObservabilityOptions;
  redis: RedisConnectionConfig;
  store: { statePrefix: string; insightPrefix: string; provisionalCacheMs: number };
}

export function toConsoleConfig(env: Env): ConsoleConfig {
  const redis = redisConnectionFromEnv(env);
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    observability: observabilityFromEnv(SERVICE_NAME, env),
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
