import { InsightStoreKeys } from '@trail-insight/state-redis';
import { InsightStoreErrorCode, InsightStoreException } from './insight-store.exception';

import type { InsightEvent } from '@trail-insight/insights';
import type { Cluster, Redis } from 'ioredis';

import type { InsightStore, StoredInsight } from './insight-store';

/** Index members trimmed per save (bounded work per message). */
const TRIM_BATCH = 500;

/**
 * Redis implementation of {@link InsightStore}; key layout in services/aggregator/README.md.
 * Record and events share a hash tag and are written in one MULTI; the indexes (other slots)
 * follow as separate idempotent commands, so a crash in between is repaired by the redelivery.
 */
export class RedisInsightStore implements InsightStore {
  readonly keys: InsightStoreKeys;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    private readonly retentionMs: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.keys = new InsightStoreKeys(prefix);
  }

  async save(
    stored: Omit<StoredInsight, 'v' | 'insightEvents'>,
    events: InsightEvent[],
    managementEvents?: ReadonlyArray<Record<string, unknown>>,
  ): Promise<void> {
    const { insight } = stored;
    const document: StoredInsight = {
      v: 1,
      state: stored.state,
      provider: stored.provider,
      insight,
      attributions: stored.attributions,
      insightEvents: events,
    };
    const now = this.clock();
    const expiresAt = now + this.retentionMs;
    const recordKey = this.keys.record(insight.insightId);
    const eventsKey = this.keys.events(insight.insightId);
    try {
      const multi = this.redis.multi().set(recordKey, JSON.stringify(document), 'PXAT', expiresAt);
      if (managementEvents !== undefined) {
        multi.del(eventsKey);
        if (managementEvents.length > 0) {
          multi
            .rpush(eventsKey, ...managementEvents.map((event) => JSON.stringify(event)))
            .pexpireat(eventsKey, expiresAt);
        }
      } else {
        multi.pexpireat(eventsKey, expiresAt);
      }
      const results = await multi.exec();
      const failed = results?.find(([error]) => error !== null);
      if (results === null || failed !== undefined) {
        throw failed?.[0] ?? new Error('MULTI aborted');
      }
      await Promise.all([
        this.redis.zadd(this.keys.byStart(), Date.parse(insight.startTime), insight.insightId),
        this.redis.zadd(this.keys.byExpiry(), expiresAt, insight.insightId),
      ]);
      await this.trim(now);
    } catch (error) {
      if (error instanceof InsightStoreException) {
        throw error;
      }
      throw new InsightStoreException(
        InsightStoreErrorCode.Unavailable,
        `cannot store insight ${insight.insightId}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /** Drops index members whose record has expired. */
  private async trim(now: number): Promise<void> {
    const expired = await this.redis.zrangebyscore(
      this.keys.byExpiry(),
      '-inf',
      now,
      'LIMIT',
      0,
      TRIM_BATCH,
    );
    if (expired.length === 0) {
      return;
    }
    await this.redis.zrem(this.keys.byStart(), ...expired);
    await this.redis.zrem(this.keys.byExpiry(), ...expired);
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }
}
