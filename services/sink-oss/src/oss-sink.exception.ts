/** Failures of the OSS sink (stable strings; the Kafka lib uses `retriable` to back off). */
export enum OssSinkErrorCode {
  /** A GET or PUT failed: network, throttling, 5xx, or a bucket/credential problem an operator fixes. */
  ObjectStoreFailed = 'object-store-failed',
  /** The consumer is stopping or lost the partition: the batch will be redelivered. */
  Interrupted = 'interrupted',
}

/**
 * Every failure of the sink is retriable: insight events are never dropped or dead-lettered for an
 * object-store problem (a wrong bucket or key is fixed by an operator, then delivery resumes).
 */
export class OssSinkException extends Error {
  override readonly name = 'OssSinkException';
  readonly retriable = true;

  constructor(
    readonly code: OssSinkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
