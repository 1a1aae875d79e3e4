import 'reflect-metadata';

import { bootstrapService } from '@trail-insight/observability';

import { AppModule } from './app.module';
import { loadSinkSlsConfig } from './config/env.schema';

bootstrapService('sink-sls', loadSinkSlsConfig, (config) => AppModule.register(config));
