import { matchesInsightFilter } from './insight-filter.util';

import type { InsightFilter, InsightRecord } from './console-web.types';
import type { InsightQueryRepository, StoredEventPage } from './insight-query.repository';
import type { RedisProvisionalInsightReader } from './redis-provisional-insight.reader';
import type { StoredInsightReader } from './redis-stored-insight.reader';

/**
 * The console's source in the streaming pipeline: confirmed and dismissed insights from the
 * aggregator's store, provisional ones from the detector's open windows. A stored record wins over
 * an open window with the same id (the verdict was reached, the window not yet deleted).
 */
export class RedisInsightRepository implements InsightQueryRepository {
  readonly description = 'redis';

  constructor(
    private readonly provisional: RedisProvisionalInsightReader,
    private readonly stored: StoredInsightReader,
    private readonly clock: () => number = Date.now,
  ) {}

  referenceTime(): number {
    return this.clock();
  }

  async find(filter: InsightFilter): Promise<InsightRecord[]> {
    const wantsStored =
      filter.states === null || filter.states.some((state) => state !== 'provisional');
    const wantsProvisional = filter.states === null || filter.states.includes('provisional');
    const [stored, open] = await Promise.all([
      wantsStored ? this.stored.find(filter) : Promise.resolve([]),
      wantsProvisional ? this.provisional.all() : Promise.resolve(new Map<string, InsightRecord>()),
    ]);
    const ids = new Set(stored.map((record) => record.insight.insightId));
    const provisional = [...open.values()].filter(
      (record) => !ids.has(record.insight.insightId) && matchesInsightFilter(record, filter),
    );
    return [...stored, ...provisional];
  }

  async get(insightId: string): Promise<InsightRecord | null> {
    return (
      (await this.stored.get(insightId)) ?? (await this.provisional.all()).get(insightId) ?? null
    );
  }

  async managementEvents(
    insightId: string,
    offset: number,
    limit: number,
  ): Promise<StoredEventPage | null> {
    const page = await this.stored.managementEvents(insightId, offset, limit);
    if (page !== null) {
      return page;
    }
    return (await this.provisional.all()).has(insightId) ? { total: 0, events: [] } : null;
  }
}
