import { randomUUID } from 'node:crypto';

import { Redis } from 'ioredis';

import type { NormalizedEvent } from '@trail-insight/events';

/** The Redis of the integration tier: deploy/local/stack.sh's through globalSetup, or a local one. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:16379';

/** A fresh key prefix per test, so tests sharing one Redis never see each other's keys. */
export function testPrefix(): string {
  return `test-${randomUUID()}:`;
}

export function connectRedis(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 });
}

/** Deletes every key under `prefix` (SCAN, so it never blocks the server). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) {
      await redis.unlink(...keys);
    }
  } while (cursor !== '0');
}

export async function keysByPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** Every key under `prefix` with its DUMP, to assert that nothing was written. */
export async function snapshot(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const key of await keysByPrefix(redis, prefix)) {
    const dump = await redis.dumpBuffer(key);
    result.set(key, dump === null ? '' : dump.toString('base64'));
  }
  return result;
}

export const T0 = Date.UTC(2026, 2, 10, 2, 3, 4);

export function makeEvent(partial: Partial<NormalizedEvent> & { time: number }): NormalizedEvent {
  return {
    eventId: randomUUID(),
    accountId: '1234',
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp: '42.120.1.2',
    provider: 'actiontrail',
    userAgent: null,
    principalId: null,
    eventName: null,
    errorCode: null,
    ...partial,
  };
}
