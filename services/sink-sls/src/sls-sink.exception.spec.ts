import { classifySlsFailure } from './sls-sink.exception';

function error(name: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('message text is never read'), { name, ...extra });
}

describe(classifySlsFailure.name, () => {
  it.each([
    [error('KafkaJSSASLAuthenticationError'), 'auth'],
    [error('KafkaJSNonRetriableError', { cause: error('KafkaJSSASLAuthenticationError') }), 'auth'],
    [
      error('KafkaJSConnectionError', {
        cause: error('Error', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }),
      }),
      'tls',
    ],
    [error('Error', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'tls'],
    [
      error('KafkaJSNumberOfRetriesExceeded', {
        originalError: error('KafkaJSConnectionError', { code: 'ECONNREFUSED' }),
      }),
      'network',
    ],
    [error('KafkaJSRequestTimeoutError'), 'network'],
    [error('KafkaJSProtocolError', { type: 'TOPIC_AUTHORIZATION_FAILED' }), 'rejected'],
    [error('TypeError'), 'other'],
    ['a string', 'other'],
  ])('classifies %p as %s', (input, kind) => {
    expect(classifySlsFailure(input)).toBe(kind);
  });

  it('survives cause cycles', () => {
    const first = error('Error');
    const second = error('Error', { cause: first });
    Object.assign(first, { cause: second });
    expect(classifySlsFailure(first)).toBe('other');
  });
});
