import { Cluster, Redis } from 'ioredis';
import { z } from 'zod';

import type { RefinementCtx } from 'zod';

const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;

/** How to reach Redis: one server, or the seed nodes of a cluster. */
export type RedisConnectionConfig =
  | { mode: 'single'; url: string }
  | { mode: 'cluster'; nodes: Array<{ host: string; port: number }>; password?: string };

/** The Redis variables every service that uses Redis reads (set exactly one of URL and nodes). */
export const redisEnvShape = {
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== ''),
    )
    .pipe(z.array(z.string().regex(HOST_PORT, 'each node must be host:port')).min(1))
    .optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
};

type RedisEnv = {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: string[] | undefined;
  REDIS_PASSWORD?: string | undefined;
};

/** zod `superRefine` step: exactly one of REDIS_URL and REDIS_CLUSTER_NODES. */
export function refineRedisEnv(env: RedisEnv, context: RefinementCtx): void {
  if ((env.REDIS_URL === undefined) === (env.REDIS_CLUSTER_NODES === undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['REDIS_URL'],
      message:
        'set exactly one of REDIS_URL (single Redis) and REDIS_CLUSTER_NODES (Redis Cluster)',
    });
  }
}

/** The connection of a validated environment (see {@link refineRedisEnv}). */
export function redisConnectionFromEnv(env: RedisEnv): RedisConnectionConfig {
  if (env.REDIS_CLUSTER_NODES === undefined) {
    return { mode: 'single', url: env.REDIS_URL ?? '' };
  }
  const nodes = env.REDIS_CLUSTER_NODES.map((node) => {
    const separator = node.lastIndexOf(':');
    return { host: node.slice(0, separator), port: Number(node.slice(separator + 1)) };
  });
  return env.REDIS_PASSWORD === undefined
    ? { mode: 'cluster', nodes }
    : { mode: 'cluster', nodes, password: env.REDIS_PASSWORD };
}

/**
 * A Redis or Redis Cluster client. Commands fail fast while disconnected (3 retries), so an outage
 * surfaces as a retriable error and the Kafka batch is retried rather than committed.
 * Auto-pipelining batches many small commands into few round trips.
 */
export function createRedisClient(
  config: RedisConnectionConfig,
  options: { autoPipelining?: boolean } = {},
): Redis | Cluster {
  const enableAutoPipelining = options.autoPipelining ?? false;
  if (config.mode === 'single') {
    return new Redis(config.url, {
      maxRetriesPerRequest: 3,
      lazyConnect: true,
      enableAutoPipelining,
    });
  }
  const password = config.password === undefined ? {} : { password: config.password };
  return new Cluster(config.nodes, {
    lazyConnect: true,
    enableAutoPipelining,
    redisOptions: { maxRetriesPerRequest: 3, ...password },
  });
}
