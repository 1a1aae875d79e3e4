import { redisConnectionFromEnv, redisEnvShape, refineRedisEnv } from '@trail-insight/state-redis';
import { z } from 'zod';

import { parseCidr } from '@trail-insight/events';
import { Topic, kafkaConfigFromEnv, kafkaEnvShape, refineKafkaEnv } from '@trail-insight/kafka';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
} from '@trail-insight/observability';

import { DEFAULT_SPILL_AFTER_MS } from '../core/detector-core';

import type { Cidr } from '@trail-insight/events';
import type { KafkaModuleConfig } from '@trail-insight/kafka';
import type { ObservabilityOptions } from '@trail-insight/observability';

import type { RedisConnectionConfig } from '@trail-insight/state-redis';

export const SERVICE_NAME = 'detector';

function commaList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

const cidrList = z.string().transform((text, context): Cidr[] => {
  const cidrs: Cidr[] = [];
  for (const part of commaList(text)) {
    const cidr = parseCidr(part);
    if (cidr === null) {
      context.addIssue({ code: 'custom', message: `not a CIDR: ${JSON.stringify(part)}` });
    } else {
      cidrs.push(cidr);
    }
  }
  return cidrs;
});

/** Every variable the detector reads; documented in services/detector/README.md. */
export const EnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...observabilityEnvShape,
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8082),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    ...redisEnvShape,
    REDIS_PREFIX: z
      .string()
      .max(64)
      .regex(/^[^{}]*$/, 'must not contain { or }')
      .default('ti:'),
    DETECTOR_MIN_BASELINE: z.coerce.number().int().min(0).default(10_000),
    DETECTOR_HOME_REGION: z.string().min(1).optional(),
    DETECTOR_ALLOW_CIDRS: cidrList.default([]),
    DETECTOR_MODEL: z.enum(['none', 'default']).default('default'),
    DETECTOR_ALLOWED_LATENESS_MS: z.coerce.number().int().min(0).max(86_400_000).default(600_000),
    DETECTOR_IDLE_ADVANCE: z.stringbool().default(true),
    DETECTOR_IDLE_AFTER_MS: z.coerce.number().int().min(100).max(86_400_000).default(30_000),
    DETECTOR_STATE_CACHE_SIZE: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
    DETECTOR_SPILL_AFTER_MS: z.coerce
      .number()
      .int()
      .min(1_000)
      .max(7 * 86_400_000)
      .default(DEFAULT_SPILL_AFTER_MS),
    DETECTOR_INPUT: z.enum(['normalized', 'raw']).default('normalized'),
    DETECTOR_RAW_INPUT_TOPIC: z.string().min(1).default(Topic.RawEvents),
  })
  .superRefine(refineKafkaEnv)
  .superRefine(refineRedisEnv);

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface DetectorConfig {
  http: { port: number; host: string };
  kafka: KafkaModuleConfig;
  redis: RedisConnectionConfig;
  detector: {
    /**
     * The consumed topic: `normalized-events` (from ingest), or raw management events read directly
     * (`DETECTOR_INPUT=raw`, ingest folded in; needs the raw topic keyed by account id).
     */
    input: Topic.NormalizedEvents | Topic.RawEvents;
    keyPrefix: string;
    minBaseline: number;
    homeRegion: string | null;
    allowList: Cidr[];
    model: 'none' | 'default';
    allowedLatenessMs: number;
    idleAdvance: boolean;
    idleAfterMs: number;
    stateCacheSize: number;
    /** A buffered message held longer than this is copied to Redis (the committed offset moves on). */
    spillAfterMs: number;
  };
  observability: ObservabilityOptions;
}

export function toDetectorConfig(env: Env): DetectorConfig {
  const input = env.DETECTOR_INPUT === 'raw' ? Topic.RawEvents : Topic.NormalizedEvents;
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    kafka: kafkaConfigFromEnv(env, {
      clientId: `trail-insight-${SERVICE_NAME}`,
      groupId: `trail-insight-${SERVICE_NAME}`,
      consumes: [input],
      produces: [Topic.IpInsights],
      topics: { [Topic.RawEvents]: env.DETECTOR_RAW_INPUT_TOPIC },
    }),
    redis: redisConnectionFromEnv(env),
    detector: {
      input,
      keyPrefix: env.REDIS_PREFIX,
      minBaseline: env.DETECTOR_MIN_BASELINE,
      homeRegion: env.DETECTOR_HOME_REGION ?? null,
      allowList: env.DETECTOR_ALLOW_CIDRS,
      model: env.DETECTOR_MODEL,
      allowedLatenessMs: env.DETECTOR_ALLOWED_LATENESS_MS,
      idleAdvance: env.DETECTOR_IDLE_ADVANCE,
      idleAfterMs: env.DETECTOR_IDLE_AFTER_MS,
      stateCacheSize: env.DETECTOR_STATE_CACHE_SIZE,
      spillAfterMs: env.DETECTOR_SPILL_AFTER_MS,
    },
    observability: observabilityFromEnv(SERVICE_NAME, env),
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadDetectorConfig(source: Record<string, string | undefined>): DetectorConfig {
  return toDetectorConfig(parseEnv(EnvSchema, source));
}
