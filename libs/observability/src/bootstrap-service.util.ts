import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import type { DynamicModule, INestApplication } from '@nestjs/common';

import { EnvValidationError } from './env.util';

/** What every service's typed config carries for its HTTP server (health, readiness, metrics). */
export interface HttpServiceConfig {
  http: { port: number; host: string };
}

/**
 * The one `main.ts` of every service: parse and validate the environment once (a bad variable
 * aborts with every problem named), start Nest with the pino logger, enable graceful shutdown and
 * listen. Exits 1 with the reason on stderr when boot fails.
 */
export function bootstrapService<C extends HttpServiceConfig>(
  service: string,
  loadConfig: (env: NodeJS.ProcessEnv) => C,
  moduleFor: (config: C) => DynamicModule,
  configure?: (app: INestApplication) => void,
): void {
  const boot = async (): Promise<void> => {
    const config = loadConfig(process.env);
    const app = await NestFactory.create(moduleFor(config), { bufferLogs: true });
    configure?.(app);
    app.useLogger(app.get(Logger));
    app.enableShutdownHooks();
    await app.listen(config.http.port, config.http.host);
  };
  boot().catch((error: unknown) => {
    const message =
      error instanceof EnvValidationError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error);
    process.stderr.write(`${service}: ${message}\n`);
    process.exit(1);
  });
}
