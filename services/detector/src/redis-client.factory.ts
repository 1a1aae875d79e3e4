import { Cluster, Redis } from 'ioredis';

/** How to reach Redis: one server, or the seed nodes of a cluster. */
export type RedisConnectionConfig =
  | { mode: 'single'; url: string }
  | { mode: 'cluster'; nodes: Array<{ host: string; port: number }>; password?: string };

/**
 * The detector's Redis client. Commands fail fast while disconnected (3 retries), so an outage
 * surfaces as a retriable error and the batch is retried; auto-pipelining batches the many small
 * per-account commands of a checkpoint into few round trips.
 */
export function createRedisClient(config: RedisConnectionConfig): Redis | Cluster {
  if (config.mode === 'single') {
    return new Redis(config.url, {
      maxRetriesPerRequest: 3,
      lazyConnect: true,
      enableAutoPipelining: true,
    });
  }
  const options = config.password === undefined ? {} : { password: config.password };
  return new Cluster(config.nodes, {
    lazyConnect: true,
    enableAutoPipelining: true,
    redisOptions: { maxRetriesPerRequest: 3, ...options },
  });
}
