import { Cluster, Redis } from 'ioredis';

/** How to reach Redis: one server, or the seed nodes of a cluster. */
export type RedisConnectionConfig =
  | { mode: 'single'; url: string }
  | { mode: 'cluster'; nodes: Array<{ host: string; port: number }>; password?: string };

/**
 * A Redis client for the insight store. Commands fail fast while disconnected (3 retries), so a
 * Redis outage surfaces as a retriable error and the Kafka offset is not committed.
 */
export function createRedisClient(config: RedisConnectionConfig): Redis | Cluster {
  if (config.mode === 'single') {
    return new Redis(config.url, { maxRetriesPerRequest: 3, lazyConnect: true });
  }
  const options = config.password === undefined ? {} : { password: config.password };
  return new Cluster(config.nodes, {
    lazyConnect: true,
    redisOptions: { maxRetriesPerRequest: 3, ...options },
  });
}
