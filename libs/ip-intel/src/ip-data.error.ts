/** The IP data package is missing or not in the expected format (e.g. after a bump that changed it). */
export class IpDataError extends Error {
  override readonly name = 'IpDataError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
