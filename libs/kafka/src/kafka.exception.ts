/** Error codes of the Kafka lib (stable strings). */
export enum KafkaErrorCode {
  DuplicateHandler = 'duplicate-handler',
  MissingHandler = 'missing-handler',
  UnexpectedHandler = 'unexpected-handler',
  InvalidConfig = 'invalid-config',
  NotConnected = 'not-connected',
  ProduceFailed = 'produce-failed',
  MetadataFailed = 'metadata-failed',
}

export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}

function isRetriableCode(code: KafkaErrorCode): boolean {
  switch (code) {
    case KafkaErrorCode.DuplicateHandler:
    case KafkaErrorCode.MissingHandler:
    case KafkaErrorCode.UnexpectedHandler:
    case KafkaErrorCode.InvalidConfig:
      return false;
    case KafkaErrorCode.NotConnected:
    case KafkaErrorCode.ProduceFailed:
    case KafkaErrorCode.MetadataFailed:
      return true;
    default:
      return assertUnreachable(code);
  }
}

/** Failure of the Kafka lib: wiring errors fail boot, I/O errors are retriable. */
export class KafkaException extends Error {
  override readonly name = 'KafkaException';
  readonly retriable: boolean;

  constructor(
    readonly code: KafkaErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retriable = isRetriableCode(code);
  }
}

/**
 * Thrown by a handler when the failure is transient (Redis down, network): the offset is not
 * committed and the message is retried with exponential backoff. Any error with `retriable: true`
 * is treated the same way, so other libs need not import this class.
 */
export class RetriableError extends Error {
  override readonly name: string = 'RetriableError';
  readonly retriable = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether a thrown value asks for a retry (`retriable === true`). */
export function isRetriable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { retriable?: unknown }).retriable === true
  );
}

const REASON_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,63}$/;

/**
 * The dead-letter reason of a non-retriable handler error: its `code` when that is a short stable
 * identifier (bounded metric label), else `handler-error`.
 */
export function deadLetterReasonOf(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string') {
    const lower = code.toLowerCase();
    if (REASON_PATTERN.test(lower)) {
      return lower;
    }
  }
  return 'handler-error';
}
