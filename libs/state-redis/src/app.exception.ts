/**
 * Base of every exception a lib throws on purpose: a stable string code to branch on (never the
 * message), whether retrying the same work may succeed, and the underlying cause.
 */
export abstract class AppException<Code extends string> extends Error {
  abstract readonly retriable: boolean;

  protected constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Ends an exhaustive `switch`: a new enum member makes the call a compile error. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
