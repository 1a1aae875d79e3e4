import { Kafka, logLevel } from 'kafkajs';

import type { KafkaConfig, SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';

import type { KafkaConnectionConfig } from './kafka-config';

/**
 * kafkajs errors that kafkajs retries itself as part of normal operation, logged at debug:
 * CONCURRENT_TRANSACTIONS answers a transaction begun while the broker still writes the previous
 * one's commit markers (about once a second per transactional producer at 10,000 events/s, 1,620
 * error lines in an 11-minute benchmark). If the retries run out, the failed transaction is
 * reported by the caller.
 */
const ROUTINE_RETRY_ERRORS = ['another concurrent operation on the same transaction was ongoing'];

function isRoutineRetry(log: { message?: unknown; error?: unknown }): boolean {
  const text = `${typeof log.message === 'string' ? log.message : ''} ${
    typeof log.error === 'string' ? log.error : ''
  }`;
  return ROUTINE_RETRY_ERRORS.some((routine) => text.includes(routine));
}

/** The pino level of a kafkajs log entry; null drops it. */
export function pinoLevelOf(
  level: logLevel,
  log: { message?: unknown; error?: unknown } = {},
): 'error' | 'warn' | 'info' | 'debug' | null {
  if (level !== logLevel.NOTHING && isRoutineRetry(log)) {
    return 'debug';
  }
  switch (level) {
    case logLevel.ERROR:
      return 'error';
    case logLevel.WARN:
      return 'warn';
    case logLevel.INFO:
      return 'info';
    case logLevel.DEBUG:
      return 'debug';
    case logLevel.NOTHING:
      return null;
    default:
      return 'debug';
  }
}

function kafkaLogLevelFor(logger: Logger | undefined): logLevel {
  if (logger === undefined) {
    return logLevel.NOTHING;
  }
  if (logger.isLevelEnabled('debug')) {
    return logLevel.INFO;
  }
  return logLevel.WARN;
}

function saslOf(config: KafkaConnectionConfig): SASLOptions | undefined {
  const sasl = config.sasl;
  if (sasl === undefined) {
    return undefined;
  }
  return {
    mechanism: sasl.mechanism,
    username: sasl.username,
    password: sasl.password,
  };
}

/**
 * The kafkajs client: kafkajs' own logs go to the given pino logger (component `kafkajs`), at WARN
 * and above unless the logger is at debug.
 */
export function createKafkaClient(config: KafkaConnectionConfig, logger?: Logger): Kafka {
  const log = logger?.child({ component: 'kafkajs' });
  const kafkaConfig: KafkaConfig = {
    brokers: config.brokers,
    clientId: config.clientId,
    connectionTimeout: config.connectionTimeoutMs ?? 10_000,
    requestTimeout: config.requestTimeoutMs ?? 30_000,
    logLevel: kafkaLogLevelFor(logger),
    logCreator: () => (entry) => {
      const level = pinoLevelOf(entry.level, entry.log);
      if (log === undefined || level === null) {
        return;
      }
      const { message, ...fields } = entry.log;
      log[level]({ kafkajs: { namespace: entry.namespace, ...fields } }, message);
    },
  };
  const sasl = saslOf(config);
  if (sasl !== undefined) {
    kafkaConfig.sasl = sasl;
  }
  if (config.ssl !== undefined && config.ssl !== false) {
    kafkaConfig.ssl = config.ssl === true ? true : { ...config.ssl };
  }
  return new Kafka(kafkaConfig);
}
