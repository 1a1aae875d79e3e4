/** Why talking to SLS failed; bounded (a metric label). */
export type SlsFailureKind = 'auth' | 'tls' | 'network' | 'rejected' | 'other';

const TLS_CODES =
  /^(CERT_|ERR_TLS_|ERR_SSL_|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_(GET|VERIFY)_)/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/**
 * Classifies a failure by the error names and codes along its cause chain (kafkajs error classes,
 * Node TLS and socket codes); never by message text.
 */
export function classifySlsFailure(error: unknown): SlsFailureKind {
  const seen = new Set<unknown>();
  let kind: SlsFailureKind = 'other';
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) {
      continue;
    }
    seen.add(current);
    const { name, code, cause, originalError } = current as ErrorLike;
    if (typeof name === 'string' && name.includes('SASLAuthentication')) {
      return 'auth';
    }
    if (typeof code === 'string' && TLS_CODES.test(code)) {
      return 'tls';
    }
    if (
      (typeof code === 'string' && NETWORK_CODES.has(code)) ||
      name === 'KafkaJSConnectionError' ||
      name === 'KafkaJSRequestTimeoutError' ||
      name === 'KafkaJSConnectionClosedError'
    ) {
      kind = 'network';
    } else if (name === 'KafkaJSProtocolError' && kind === 'other') {
      kind = 'rejected';
    }
    queue.push(cause, originalError);
  }
  return kind;
}

/** A failed connect or send. Always retriable: insight events wait in Kafka until SLS takes them. */
export class SlsSinkException extends Error {
  override readonly name = 'SlsSinkException';
  readonly retriable = true;

  constructor(
    readonly kind: SlsFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** The code the Kafka lib logs: `sls-auth`, `sls-network`, … */
  get code(): string {
    return `sls-${this.kind}`;
  }
}
