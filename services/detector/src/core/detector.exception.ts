import { AppException, assertUnreachable } from '@trail-insight/state-redis';

export enum DetectorErrorCode {
  /** A Redis command failed; the checkpoint is redone from the durable state. */
  RedisFailed = 'REDIS_FAILED',
  /** Another writer started a checkpoint of the partition (rebalance or stale owner). */
  CheckpointConflict = 'CHECKPOINT_CONFLICT',
  /** A detector script answered outside its contract or rejected its arguments. */
  ScriptFailed = 'SCRIPT_FAILED',
  /** A spilled buffer entry in Redis holds something that is not a NormalizedEvent. */
  CorruptBuffer = 'CORRUPT_BUFFER',
  /** Producing the insights failed. */
  PublishFailed = 'PUBLISH_FAILED',
}

function isRetriable(code: DetectorErrorCode): boolean {
  switch (code) {
    case DetectorErrorCode.RedisFailed:
    case DetectorErrorCode.CheckpointConflict:
    case DetectorErrorCode.PublishFailed:
      return true;
    case DetectorErrorCode.ScriptFailed:
    case DetectorErrorCode.CorruptBuffer:
      // Retrying keeps the partition stopped (its batches are never dead-lettered): an operator
      // must look, and nothing is lost meanwhile.
      return true;
    default:
      return assertUnreachable(code);
  }
}

/** Every failure of the detector core. All are retriable: a batch is never dead-lettered. */
export class DetectorException extends AppException<DetectorErrorCode> {
  readonly retriable: boolean;

  constructor(code: DetectorErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.retriable = isRetriable(code);
  }

  static wrap(error: unknown, operation: string): Error {
    if (error instanceof DetectorException) {
      return error;
    }
    if (error instanceof Error && (error as { retriable?: unknown }).retriable === true) {
      return error;
    }
    return new DetectorException(DetectorErrorCode.RedisFailed, `${operation} failed`, {
      cause: error,
    });
  }
}
