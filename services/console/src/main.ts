import 'reflect-metadata';

import { bootstrapService } from '@trail-insight/observability';

import type { NestExpressApplication } from '@nestjs/platform-express';

import { AppModule } from './app.module';
import { loadConsoleConfig } from './config/env.schema';

bootstrapService(
  'console',
  loadConsoleConfig,
  (config) => AppModule.register(config),
  (app) => (app as NestExpressApplication).disable('x-powered-by'),
);
