import { hostname } from 'node:os';

import { z } from 'zod';

import { Topic, kafkaConfigFromEnv, kafkaEnvShape, refineKafkaEnv } from '@trail-insight/kafka';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
} from '@trail-insight/observability';

import type { KafkaModuleConfig } from '@trail-insight/kafka';
import type { ObservabilityOptions } from '@trail-insight/observability';

export const SERVICE_NAME = 'ingest';

/** Every variable ingest reads; documented in services/ingest/README.md. */
export const EnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...observabilityEnvShape,
    INGEST_INPUT_TOPIC: z.string().min(1).default(Topic.RawEvents),
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8081),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    INGEST_EXACTLY_ONCE: z.stringbool().default(true),
    INGEST_TRANSACTIONAL_ID: z.string().min(1).max(200).optional(),
  })
  .superRefine(refineKafkaEnv);

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface IngestConfig {
  http: { port: number; host: string };
  kafka: KafkaModuleConfig;
  observability: ObservabilityOptions;
}

export function toIngestConfig(env: Env): IngestConfig {
  const kafka = kafkaConfigFromEnv(env, {
    clientId: `trail-insight-${SERVICE_NAME}`,
    groupId: `trail-insight-${SERVICE_NAME}`,
    consumes: [Topic.RawEvents],
    produces: [Topic.NormalizedEvents],
    topics: { [Topic.RawEvents]: env.INGEST_INPUT_TOPIC },
  });
  if (env.INGEST_EXACTLY_ONCE && kafka.consumer !== undefined) {
    kafka.consumer.exactlyOnce = {
      transactionalId:
        env.INGEST_TRANSACTIONAL_ID ?? `${kafka.clientId}-${hostname()}-${env.INGEST_INPUT_TOPIC}`,
    };
  }
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    kafka,
    observability: observabilityFromEnv(SERVICE_NAME, env),
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadIngestConfig(source: Record<string, string | undefined>): IngestConfig {
  return toIngestConfig(parseEnv(EnvSchema, source));
}
