import { AppException, assertUnreachable } from './app.exception';

export enum StateStoreErrorCode {
  /** A Redis command failed or the connection dropped; the script may or may not have run. */
  RedisCommandFailed = 'REDIS_COMMAND_FAILED',
  /** The persist script rejected its arguments (code -2): a bug in the argument builder. */
  ScriptArgumentsRejected = 'SCRIPT_ARGUMENTS_REJECTED',
  /** The stored state was written by another schema version (code -3). */
  SchemaVersionMismatch = 'SCHEMA_VERSION_MISMATCH',
  /** The script answered something outside its contract. */
  UnexpectedScriptReply = 'UNEXPECTED_SCRIPT_REPLY',
  /** A stored value cannot be decoded. */
  CorruptState = 'CORRUPT_STATE',
  /** The in-memory state holds a value the store cannot encode (e.g. a non-integer time). */
  UnencodableState = 'UNENCODABLE_STATE',
  /** More dirty entries than one atomic write may carry: persist more often. */
  BatchTooLarge = 'BATCH_TOO_LARGE',
  /** Topic, partition, offset or key prefix outside what Kafka and the key layout allow. */
  InvalidArgument = 'INVALID_ARGUMENT',
  /** A Lua file is missing next to the compiled code (a bundler did not copy `lua/`). */
  ScriptNotFound = 'SCRIPT_NOT_FOUND',
}

/** Every failure of `@trail-insight/state-redis`, classified for the consumer's retry policy. */
export class StateStoreException extends AppException<StateStoreErrorCode> {
  readonly retriable: boolean;

  constructor(code: StateStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.retriable = isRetriable(code);
  }

  /** Wraps a failure of the Redis client; our own exceptions pass through unchanged. */
  static fromRedis(error: unknown, operation: string): StateStoreException {
    if (error instanceof StateStoreException) {
      return error;
    }
    return new StateStoreException(
      StateStoreErrorCode.RedisCommandFailed,
      `redis: ${operation} failed`,
      { cause: error },
    );
  }
}

function isRetriable(code: StateStoreErrorCode): boolean {
  switch (code) {
    case StateStoreErrorCode.RedisCommandFailed:
      return true;
    case StateStoreErrorCode.ScriptArgumentsRejected:
    case StateStoreErrorCode.SchemaVersionMismatch:
    case StateStoreErrorCode.UnexpectedScriptReply:
    case StateStoreErrorCode.CorruptState:
    case StateStoreErrorCode.UnencodableState:
    case StateStoreErrorCode.BatchTooLarge:
    case StateStoreErrorCode.InvalidArgument:
    case StateStoreErrorCode.ScriptNotFound:
      return false;
    default:
      return assertUnreachable(code);
  }
}
