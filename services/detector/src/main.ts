import 'reflect-metadata';

import { bootstrapService } from '@trail-insight/observability';

import { AppModule } from './app.module';
import { loadDetectorConfig } from './config/env.schema';

bootstrapService('detector', loadDetectorConfig, (config) => AppModule.register(config));
