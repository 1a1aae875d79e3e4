import { logLevel } from 'kafkajs';

import { pinoLevelOf } from './kafka-client.factory';

describe('kafkajs log levels', () => {
  it('maps kafkajs levels to pino levels', () => {
    expect(pinoLevelOf(logLevel.ERROR, { message: 'Connection error' })).toBe('error');
    expect(pinoLevelOf(logLevel.WARN)).toBe('warn');
    expect(pinoLevelOf(logLevel.INFO)).toBe('info');
    expect(pinoLevelOf(logLevel.NOTHING)).toBeNull();
  });

  it('logs the CONCURRENT_TRANSACTIONS retries kafkajs makes itself at debug', () => {
    const error =
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    expect(pinoLevelOf(logLevel.ERROR, { message: 'Response AddPartitionsToTxn', error })).toBe(
      'debug',
    );
    expect(pinoLevelOf(logLevel.ERROR, { message: `Failed to send messages: ${error}` })).toBe(
      'debug',
    );
    expect(pinoLevelOf(logLevel.ERROR, { message: 'Failed to send messages: timeout' })).toBe(
      'error',
    );
  });
});
