/** Thrown by {@link waitFor} when the condition does not hold in time; names what was awaited. */
export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
}

export interface WaitForOptions {
  /** Delay between polls (default 50 ms). */
  intervalMs?: number;
  /** Rejects the wait early, e.g. on a consumer's CRASH event. */
  abort?: Promise<never>;
}

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or `timeoutMs` passes,
 * then fails with `label` and the last error the predicate threw. Tests wait on conditions, never
 * on time (STYLE rule 17).
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs: number,
  label: string,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const interval = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let aborted: unknown;
  let isAborted = false;
  options.abort?.catch((error: unknown) => {
    aborted = error;
    isAborted = true;
  });
  for (;;) {
    if (isAborted) {
      throw new Error(`waitFor(${label}) aborted: ${String(aborted)}`, { cause: aborted });
    }
    try {
      const value = await predicate();
      if (value) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason =
        lastError === undefined ? '' : `; last error: ${(lastError as Error).message ?? lastError}`;
      throw new WaitForTimeoutError(
        `timed out after ${timeoutMs} ms waiting for ${label}${reason}`,
        {
          cause: lastError,
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
