import { Topic, kafkaConfigFromEnv, kafkaEnvShape, refineKafkaEnv } from '@trail-insight/kafka';
import {
  observabilityEnvShape,
  parseEnv,
  observabilityFromEnv,
} from '@trail-insight/observability';
import { z } from 'zod';

import type { KafkaModuleConfig } from '@trail-insight/kafka';
import type { ObservabilityOptions } from '@trail-insight/observability';

import { defaultOssEndpoint } from './sink-oss.config';

import type { OssSinkConfig } from './sink-oss.config';

export const SERVICE_NAME = 'sink-oss';

const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Every variable sink-oss reads; documented in services/sink-oss/README.md. */
export const EnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...observabilityEnvShape,
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: z.coerce.number().int().min(0).max(65_535).default(8085),
    OSS_BUCKET: z.string().regex(BUCKET, '3-63 lower-case letters, digits and hyphens'),
    OSS_REGION: z.string().regex(/^[a-z0-9-]{2,64}$/, 'a region id such as cn-hangzhou'),
    OSS_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    OSS_ACCESS_KEY_ID: z.string().min(1),
    OSS_ACCESS_KEY_SECRET: z.string().min(1),
    OSS_PREFIX: z
      .string()
      .max(512)
      .default('')
      .refine((prefix) => !prefix.split('/').some((part) => part === '.' || part === '..'), {
        message: 'must not contain . or .. segments',
      }),
    OSS_FORCE_PATH_STYLE: z.stringbool().default(false),
  })
  .superRefine(refineKafkaEnv);

export type Env = z.infer<typeof EnvSchema>;

/** Typed, nested configuration of the app, built once from {@link Env}. */
export interface SinkOssConfig {
  http: { port: number; host: string };
  kafka: KafkaModuleConfig;
  observability: ObservabilityOptions;
  oss: OssSinkConfig;
}

export function toSinkOssConfig(env: Env): SinkOssConfig {
  return {
    http: { port: env.HTTP_PORT, host: env.HTTP_HOST },
    kafka: kafkaConfigFromEnv(env, {
      clientId: `trail-insight-${SERVICE_NAME}`,
      groupId: `trail-insight-${SERVICE_NAME}`,
      consumes: [Topic.InsightEvents],
    }),
    observability: observabilityFromEnv(SERVICE_NAME, env),
    oss: {
      bucket: env.OSS_BUCKET,
      prefix: env.OSS_PREFIX,
      region: env.OSS_REGION,
      endpoint: env.OSS_ENDPOINT ?? defaultOssEndpoint(env.OSS_REGION),
      forcePathStyle: env.OSS_FORCE_PATH_STYLE,
      accessKeyId: env.OSS_ACCESS_KEY_ID,
      accessKeySecret: env.OSS_ACCESS_KEY_SECRET,
    },
  };
}

/** Parses `process.env` (or a test's env) once; throws naming every bad variable. */
export function loadSinkOssConfig(source: Record<string, string | undefined>): SinkOssConfig {
  return toSinkOssConfig(parseEnv(EnvSchema, source));
}
