import { createRedisClient } from '@trail-insight/state-redis';
import type { RedisConnectionConfig } from '@trail-insight/state-redis';
import { Inject, Module } from '@nestjs/common';

import { ReadinessRegistry } from '@trail-insight/observability';

import { INSIGHT_STORE } from './insight-store';
import { RedisInsightStore } from './redis-insight.store';

import type { DynamicModule, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

const REDIS_CLIENT = Symbol('trail-insight:aggregator-redis');

/** The Redis insight store: connects at init, registers the `redis` readiness check, quits last. */
@Module({})
export class InsightStoreModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis | Cluster,
    @Inject(INSIGHT_STORE) private readonly store: RedisInsightStore,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static register(options: {
    redis: RedisConnectionConfig;
    prefix: string;
    retentionMs: number;
  }): DynamicModule {
    return {
      exports: [INSIGHT_STORE],
      module: InsightStoreModule,
      providers: [
        { provide: REDIS_CLIENT, useFactory: () => createRedisClient(options.redis) },
        {
          provide: INSIGHT_STORE,
          useFactory: (redis: Redis | Cluster) =>
            new RedisInsightStore(redis, options.prefix, options.retentionMs),
          inject: [REDIS_CLIENT],
        },
      ],
    };
  }

  async onModuleInit(): Promise<void> {
    await this.redis.connect();
    this.readiness.register('redis', async () => ({ ok: await this.store.ping() }));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
