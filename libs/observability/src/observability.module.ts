import { Inject, Injectable, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { Registry, collectDefaultMetrics } from 'prom-client';

import { ObservabilityController } from './observability.controller';
import { PROBE_PATHS, ROOT_LOGGER, SERVICE_INFO } from './observability.constants';
import { ReadinessRegistry } from './readiness.registry';
import { createRootLogger, flushLoggerSync } from './root-logger.util';
import { metricsPrefixOf } from './metrics-prefix.util';

import type { DynamicModule, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import type { IncomingMessage } from 'node:http';

import type { ObservabilityOptions, ServiceInfo } from './observability-options';

/**
 * Logging, metrics and probes of a service. Global: import it once in the app module, first.
 * Provides the root pino logger ({@link ROOT_LOGGER}), a prom-client {@link Registry} (inject the
 * class), {@link ReadinessRegistry} and {@link SERVICE_INFO}; serves /health, /ready and /metrics;
 * makes nestjs-pino the Nest logger (call `app.useLogger(app.get(Logger))` in main.ts).
 */
/** Flushes the root logger last, after every module has stopped and logged. */
@Injectable()
class LogFlusher implements OnApplicationShutdown {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  onApplicationShutdown(): void {
    flushLoggerSync(this.logger);
  }
}

@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    const info: ServiceInfo = {
      service: options.service,
      version: options.version,
      metricsPrefix: metricsPrefixOf(options.service),
    };
    const logger = createRootLogger(options);
    for (const warning of options.warnings ?? []) {
      logger.warn({ component: 'config' }, warning);
    }
    const registry = new Registry();
    if (options.defaultMetrics !== false) {
      collectDefaultMetrics({ register: registry, prefix: info.metricsPrefix });
    }
    return {
      controllers: [ObservabilityController],
      exports: [ROOT_LOGGER, ReadinessRegistry, Registry, SERVICE_INFO],
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            logger,
            autoLogging: {
              ignore: (req: IncomingMessage) =>
                PROBE_PATHS.some((path) => (req.url ?? '').startsWith(path)),
            },
          },
        }),
      ],
      module: ObservabilityModule,
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: SERVICE_INFO, useValue: info },
        { provide: Registry, useValue: registry },
        ReadinessRegistry,
        LogFlusher,
      ],
    };
  }
}
