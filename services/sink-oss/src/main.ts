import 'reflect-metadata';

import { bootstrapService } from '@trail-insight/observability';

import { AppModule } from './app.module';
import { loadSinkOssConfig } from './config/env.schema';

bootstrapService('sink-oss', loadSinkOssConfig, (config) => AppModule.register(config));
