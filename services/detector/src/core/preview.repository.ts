import type { Cluster, Redis } from 'ioredis';

import { DetectorException } from './detector.exception';

import type { ProvisionalInsight } from './provisional-preview';

/**
 * The provisional-insight preview of each account (`P{acct:<id>}:preview`): replaced whole after
 * each checkpoint that changes it, and expiring, so a crash leaves it stale only briefly.
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
  ): Promise<void> {
    try {
      await Promise.all(
        [...previews].map(([accountId, fields]) => {
          const key = this.key(accountId);
          const transaction = this.redis.multi().del(key);
          if (fields.size > 0) {
            const args: string[] = [];
            for (const [field, insight] of fields) {
              args.push(field, JSON.stringify(insight));
            }
            transaction.hset(key, ...args).expire(key, this.ttlSeconds);
          }
          return transaction.exec();
        }),
      );
    } catch (error) {
      throw DetectorException.wrap(error, 'write provisional previews');
    }
  }

  async read(accountId: string): Promise<ProvisionalInsight[]> {
    const hash = await this.redis.hgetall(this.key(accountId));
    return Object.values(hash).map((json) => JSON.parse(json) as ProvisionalInsight);
  }
}
