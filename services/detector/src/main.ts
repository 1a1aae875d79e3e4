import 'reflect-metadata';

import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { EnvValidationError } from '@trail-insight/observability';

import { AppModule } from './app.module';
import { loadDetectorConfig } from './config/env.schema';

async function bootstrap(): Promise<void> {
  const config = loadDetectorConfig(process.env);
  const app = await NestFactory.create(AppModule.register(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
}

bootstrap().catch((error: unknown) => {
  const message =
    error instanceof EnvValidationError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`detector: ${message}\n`);
  process.exit(1);
});
