import type { Cluster, Redis } from 'ioredis';

import { DetectorException } from './detector.exception';

import type { ProvisionalInsight } from './provisional-preview';

/** What one partition last wrote to an account's preview hash. */
interface WrittenPreview {
  /** Field → the JSON written. */
  fields: Map<string, string>;
  /** When it was last written (and its expiry renewed). */
  writtenAt: number;
}

/**
 * What a partition last wrote to its accounts' preview hashes, so a checkpoint writes only the
 * fields that changed. Dropped with the partition's other in-memory state: an account's first
 * write after that replaces its hash whole.
 */
export class WrittenPreviews {
  readonly accounts = new Map<string, WrittenPreview>();
}

/**
 * The provisional-insight preview of each account (`P{acct:<id>}:preview`), expiring, so a crash
 * leaves it stale only briefly. A checkpoint that changes an account's preview writes the fields
 * that changed and deletes those that went, and renews the expiry; the hash is replaced whole on
 * the first write of a partition's runtime, and when half its expiry passed without a write (it
 * may have expired since).
 * Rewriting every account's whole preview at every checkpoint made the preview the largest
 * writer of the pipeline (each buffered unusual IP rewritten many times a second).
 */
export class PreviewRepository {
  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  key(accountId: string): string {
    return `${this.prefix}{acct:${accountId}}:preview`;
  }

  async write(
    previews: ReadonlyMap<string, ReadonlyMap<string, ProvisionalInsight>>,
    written: WrittenPreviews,
    now = Date.now(),
  ): Promise<void> {
    const staleAfterMs = (this.ttlSeconds * 1_000) / 2;
    const work: Array<Promise<unknown>> = [];
    for (const [accountId, insights] of previews) {
      const fields = new Map<string, string>();
      for (const [field, insight] of insights) {
        fields.set(field, JSON.stringify(insight));
      }
      const before = written.accounts.get(accountId);
      const key = this.key(accountId);
      const transaction = this.redis.multi();
      if (before === undefined || now - before.writtenAt >= staleAfterMs) {
        transaction.del(key);
        if (fields.size > 0) {
          transaction.hset(key, ...[...fields].flat()).expire(key, this.ttlSeconds);
        }
      } else {
        const gone = [...before.fields.keys()].filter((field) => !fields.has(field));
        const changed = [...fields].filter(([field, json]) => before.fields.get(field) !== json);
        if (gone.length === 0 && changed.length === 0) {
          continue;
        }
        if (gone.length > 0) {
          transaction.hdel(key, ...gone);
        }
        if (changed.length > 0) {
          transaction.hset(key, ...changed.flat());
        }
        transaction.expire(key, this.ttlSeconds);
      }
      // Forgotten until the write succeeds: a failed write is followed by a whole one.
      written.accounts.delete(accountId);
      work.push(
        transaction.exec().then((replies) => {
          const failed = replies?.find(([error]) => error !== null)?.[0];
          if (replies === null || failed !== undefined) {
            throw failed ?? new Error(`preview transaction of ${accountId} was discarded`);
          }
          written.accounts.set(accountId, { fields, writtenAt: now });
        }),
      );
    }
    try {
      await Promise.all(work);
    } catch (error) {
      throw DetectorException.wrap(error, 'write provisional previews');
    }
  }

  async read(accountId: string): Promise<ProvisionalInsight[]> {
    const hash = await this.redis.hgetall(this.key(accountId));
    return Object.values(hash).map((json) => JSON.parse(json) as ProvisionalInsight);
  }
}
