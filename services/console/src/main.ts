import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { EnvValidationError } from '@trail-insight/observability';

import type { NestExpressApplication } from '@nestjs/platform-express';

import { AppModule } from './app.module';
import { loadConsoleConfig } from './config/env.schema';

async function bootstrap(): Promise<void> {
  const config = loadConsoleConfig(process.env);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config), {
    bufferLogs: true,
  });
  app.disable('x-powered-by');
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}

bootstrap().catch((error: unknown) => {
  const message =
    error instanceof EnvValidationError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`console: ${message}\n`);
  process.exit(1);
});
