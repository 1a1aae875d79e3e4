/** Why a console request failed. Stable strings: they are the `error` field of the JSON body. */
export enum ConsoleApiErrorCode {
  InvalidRequest = 'invalid-request',
  NotFound = 'not-found',
  /** The store did not answer (Redis down or timing out); retrying later may succeed. */
  SourceUnavailable = 'source-unavailable',
}

function statusOf(code: ConsoleApiErrorCode): number {
  switch (code) {
    case ConsoleApiErrorCode.InvalidRequest:
      return 400;
    case ConsoleApiErrorCode.NotFound:
      return 404;
    case ConsoleApiErrorCode.SourceUnavailable:
      return 503;
    default:
      return assertUnreachable(code);
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}

/** A failed console request, with the HTTP status and JSON body to answer it with. */
export class ConsoleApiException extends Error {
  readonly status: number;
  readonly retriable: boolean;

  constructor(
    readonly code: ConsoleApiErrorCode,
    message: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConsoleApiException';
    this.status = statusOf(code);
    this.retriable = code === ConsoleApiErrorCode.SourceUnavailable;
  }

  toJSON(): {
    error: ConsoleApiErrorCode;
    message: string;
    issues?: Array<{ path: string; message: string }>;
  } {
    return this.issues.length === 0
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, issues: [...this.issues] };
  }
}
