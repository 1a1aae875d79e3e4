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

/**
 * A renamed variable whose old name is still read for one release: when only `from` is set, its
 * value stands for `to` (with a boot warning, {@link renamedEnvWarnings}); when both are set they
 * must agree ({@link refineRenamedEnv}). Keep `from` in the schema, optional, next to `to`.
 */
export interface RenamedVariable {
  /** The deprecated name. */
  readonly from: string;
  /** The name that replaces it. */
  readonly to: string;
}

/**
 * A `superRefine` step: an old name and its replacement both set to different values is an
 * error naming both (the service cannot tell which one is meant).
 */
export function refineRenamedEnv(
  renames: readonly RenamedVariable[],
): (env: Record<string, unknown>, context: z.RefinementCtx) => void {
  return (env, context) => {
    for (const { from, to } of renames) {
      const old = env[from];
      const current = env[to];
      if (old !== undefined && current !== undefined && old !== current) {
        context.addIssue({
          code: 'custom',
          path: [from],
          // values not echoed: a renamed variable may be a credential
          message: `${from} is the deprecated name of ${to} and both are set, to different values: set only ${to}`,
        });
      }
    }
  };
}

/** One boot warning per deprecated name in use (log them: {@link ObservabilityOptions.warnings}). */
export function renamedEnvWarnings(
  env: Record<string, unknown>,
  renames: readonly RenamedVariable[],
): string[] {
  return renames
    .filter(({ from }) => env[from] !== undefined)
    .map(({ from, to }) =>
      env[to] === undefined
        ? `${from} is deprecated and will be removed in the next release: rename it to ${to} (its value is used as ${to} until then)`
        : `${from} is deprecated and will be removed in the next release: ${to} is set to the same value, remove ${from}`,
    );
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
