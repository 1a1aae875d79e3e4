export enum InsightStoreErrorCode {
  Unavailable = 'insight-store-unavailable',
}

/** A Redis failure while storing an insight: retriable (the offset is not committed). */
export class InsightStoreException extends Error {
  override readonly name = 'InsightStoreException';
  readonly retriable = true;

  constructor(
    readonly code: InsightStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
