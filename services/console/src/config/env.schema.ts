import { redisConnectionFromEnv, redisEnvShape, refineRedisEnv } from '@trail-insight/state-redis';
import type { RedisConnectionConfig } from '@trail-insight/state-redis';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
  refineRenamedEnv,
  renamedEnvWarnings,
} from '@trail-insight/observability';
import { DEFAULT_STATE_PREFIX } from '@trail-insight/state-redis';
import { z } from 'zod';

import type { ObservabilityOptions, RenamedVariable } from '@trail-insight/observability';

export const SERVICE_NAME = 'console';

const PREFIX = z
  .string()
  .max(64)
  .regex(/^[^{}]*$/, 'must not contain { or }');

/**
 * Old names still read for one release (with a boot warning). `STATE_PREFIX` named the detector's
 * key prefix here while the detector itself reads `REDIS_PREFIX`: one name for the same keys now.
 */
export const RENAMED_VARIABLES: readonly RenamedVariable[] = [
  { from: 'STATE_PREFIX', to: 'REDIS_PREFIX' },
];

/** Every variable the console reads; documented in services/console/README.md. */
export const EnvSchema = z
  .object({
    ...observabilityEnvShape,
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
    ...redisEnvShape,
    /** The detector's key prefix (the detector's own REDIS_PREFIX); default `ti:`. */
    REDIS_PREFIX: PREFIX.optional(),
    /** Deprecated name of REDIS_PREFIX, read when REDIS_PREFIX is unset; removed next release. */
    STATE_PREFIX: PREFIX.optional(),
    INSIGHT_STORE_PREFIX: PREFIX.default('ti:'),
    PROVISIONAL_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  })
  .superRefine(refineRedisEnv)
  .superRefine(refineRenamedEnv(RENAMED_VARIABLES));

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
    observability: {
      ...observabilityFromEnv(SERVICE_NAME, env),
      warnings: renamedEnvWarnings(env, RENAMED_VARIABLES),
    },
    redis,
    store: {
      statePrefix: env.REDIS_PREFIX ?? env.STATE_PREFIX ?? DEFAULT_STATE_PREFIX,
      insightPrefix: env.INSIGHT_STORE_PREFIX,
      provisionalCacheMs: env.PROVISIONAL_CACHE_MS,
    },
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadConsoleConfig(source: Record<string, string | undefined>): ConsoleConfig {
  return toConsoleConfig(parseEnv(EnvSchema, source));
}
