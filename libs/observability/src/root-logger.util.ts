import pino from 'pino';

import type { Logger, LoggerOptions } from 'pino';

import { REDACTED_PATHS } from './observability.constants';

import type { ObservabilityOptions } from './observability-options';

function prettyAvailable(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** pino options shared by every service: JSON, level label, base bindings, redaction. */
export function rootLoggerOptions(options: ObservabilityOptions): LoggerOptions {
  return {
    level: options.logLevel ?? 'info',
    base: { service: options.service, version: options.version },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
  };
}

/**
 * The root logger of a service. Pretty output only when asked and pino-pretty is installed; it is a
 * dev dependency we do not ship, so production images always log JSON.
 */
export function createRootLogger(options: ObservabilityOptions): Logger {
  const base = rootLoggerOptions(options);
  if (options.destination !== undefined) {
    return pino(base, options.destination);
  }
  if (options.pretty === true && prettyAvailable()) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  const logger = pino(base, pino.destination({ dest: 1, sync: true }));
  if (options.pretty === true) {
    logger.warn('LOG_PRETTY is set but pino-pretty is not installed; logging JSON');
  }
  return logger;
}

/**
 * Writes out whatever the logger's destination still buffers (a synchronous stdout write that met
 * a full pipe is retried later). Called at shutdown, because Nest re-raises SIGTERM after closing
 * the app and the last lines ("consumer stopped") would be lost.
 */
export function flushLoggerSync(logger: Logger): void {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    { flushSync?: () => void } | undefined;
  try {
    stream?.flushSync?.();
  } catch {
    // nothing buffered, or the stream is already closed
  }
}
