import 'reflect-metadata';

import { bootstrapService } from '@trail-insight/observability';

import { AppModule } from './app.module';
import { loadIngestConfig } from './config/env.schema';

bootstrapService('ingest', loadIngestConfig, (config) => AppModule.register(config));
