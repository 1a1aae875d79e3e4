import { z } from 'zod';

import { SERVICE_VERSION } from './service-version.constant';

import type { ObservabilityOptions } from './observability-options';

/** Logging variables shared by every service; spread into the app's `EnvSchema`. */
export const observabilityEnvShape = {
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: z.stringbool().default(false),
};

/** The {@link ObservabilityOptions} of a service from its parsed logging variables. */
export function observabilityFromEnv(
  service: string,
  env: { LOG_LEVEL: ObservabilityOptions['logLevel']; LOG_PRETTY: boolean },
): ObservabilityOptions {
  return { service, version: SERVICE_VERSION, logLevel: env.LOG_LEVEL, pretty: env.LOG_PRETTY };
}

/** Thrown by {@link parseEnv}; the message lists every bad variable (z.prettifyError). */
export class EnvValidationError extends Error {
  override readonly name = 'EnvValidationError';
}

/**
 * Parses the environment once with the app's schema. On failure throws
 * {@link EnvValidationError} naming every bad variable, so bootstrap aborts before anything starts.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    throw new EnvValidationError(`invalid environment:\n${z.prettifyError(result.error)}`);
  }
  return result.data;
}
