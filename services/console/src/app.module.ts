import { createRedisClient } from '@trail-insight/state-redis';
import { Inject, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { Cluster, Redis } from 'ioredis';

import {
  ConsoleApi,
  RedisInsightRepository,
  RedisProvisionalInsightReader,
  RedisStoredInsightReader,
} from '@trail-insight/console-web';
import { ObservabilityModule, ReadinessRegistry } from '@trail-insight/observability';

import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';

import { ConsoleController } from './console.controller';
import { ConsoleExceptionFilter, ConsoleHttpInterceptor } from './console-http.interceptor';
import { ConsoleMetrics } from './console.metrics';

import type { ConsoleConfig } from './config/env.schema';

const REDIS = Symbol('console:redis');

/** Readiness = Redis answers PING; closes the connection at shutdown. */
class RedisLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis | Cluster,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register('redis', async () => (await this.redis.ping()) === 'PONG');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

@Module({})
export class AppModule {
  static register(config: ConsoleConfig): DynamicModule {
    return {
      controllers: [ConsoleController],
      imports: [ObservabilityModule.forRoot(config.observability)],
      module: AppModule,
      providers: [
        { provide: REDIS, useFactory: () => createRedisClient(config.redis) },
        {
          provide: RedisLifecycle,
          useFactory: (redis: Redis | Cluster, readiness: ReadinessRegistry) =>
            new RedisLifecycle(redis, readiness),
          inject: [REDIS, ReadinessRegistry],
        },
        ConsoleMetrics,
        {
          provide: ConsoleApi,
          useFactory: (redis: Redis | Cluster, metrics: ConsoleMetrics) =>
            new ConsoleApi(
              new RedisInsightRepository(
                new RedisProvisionalInsightReader(redis, {
                  prefix: config.store.statePrefix,
                  cacheMs: config.store.provisionalCacheMs,
                }),
                new RedisStoredInsightReader(redis, config.store.insightPrefix, () =>
                  metrics.corrupt.inc(),
                ),
              ),
            ),
          inject: [REDIS, ConsoleMetrics],
        },
        { provide: APP_INTERCEPTOR, useClass: ConsoleHttpInterceptor },
        { provide: APP_FILTER, useClass: ConsoleExceptionFilter },
      ],
    };
  }
}
