import 'reflect-metadata';

import { bootstrapService } from '@trail-insight/observability';

import { AppModule } from './app.module';
import { loadAggregatorConfig } from './config/env.schema';

bootstrapService('aggregator', loadAggregatorConfig, (config) => AppModule.register(config));
