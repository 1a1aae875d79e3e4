import { Topic, kafkaConfigFromEnv, kafkaEnvShape, refineKafkaEnv } from '@trail-insight/kafka';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
} from '@trail-insight/observability';
import { z } from 'zod';

import type { KafkaModuleConfig } from '@trail-insight/kafka';
import type { ObservabilityOptions } from '@trail-insight/observability';

import { slsSinkConfigOf } from './sink-sls.config';

import type { SlsSinkConfig } from './sink-sls.config';

export const SERVICE_NAME = 'sink-sls';

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/** Every variable sink-sls reads; documented in services/sink-sls/README.md. */
export const EnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...observabilityEnvShape,
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8086),
    SLS_PROJECT: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
        'an SLS project name (3-63 lower-case letters, digits, hyphens)',
      ),
    SLS_LOGSTORE: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/,
        'an SLS logstore name (3-63 lower-case letters, digits, _ and -)',
      ),
    SLS_REGION: z
      .string()
      .regex(/^[a-z0-9-]{2,64}$/, 'a region id such as cn-hangzhou')
      .optional(),
    SLS_ENDPOINT: z
      .string()
      .transform((text) =>
        text
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== ''),
      )
      .pipe(z.array(z.string().regex(HOST_PORT, 'each endpoint must be host:port')).min(1))
      .optional(),
    SLS_ACCESS_KEY_ID: z
      .string()
      .min(1)
      .regex(/^[^#]*$/, 'must not contain #'),
    SLS_ACCESS_KEY_SECRET: z.string().min(1),
    SLS_CA_FILE: z.string().min(1).optional(),
    SLS_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  })
  .superRefine(refineKafkaEnv)
  .superRefine((env, context) => {
    if (env.SLS_REGION === undefined && env.SLS_ENDPOINT === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['SLS_REGION'],
        message:
          'required unless SLS_ENDPOINT is set (the endpoint is <project>.<region>.log.aliyuncs.com:10012)',
      });
    }
  });

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface SinkSlsConfig {
  http: { port: number; host: string };
  kafka: KafkaModuleConfig;
  observability: ObservabilityOptions;
  sls: SlsSinkConfig;
}

export function toSinkSlsConfig(env: Env): SinkSlsConfig {
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    kafka: kafkaConfigFromEnv(env, {
      clientId: `trail-insight-${SERVICE_NAME}`,
      groupId: `trail-insight-${SERVICE_NAME}`,
      consumes: [Topic.InsightEvents],
    }),
    observability: observabilityFromEnv(SERVICE_NAME, env),
    sls: slsSinkConfigOf(env),
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadSinkSlsConfig(source: Record<string, string | undefined>): SinkSlsConfig {
  return toSinkSlsConfig(parseEnv(EnvSchema, source));
}
