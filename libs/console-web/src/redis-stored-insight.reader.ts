import { z } from 'zod';

import { InsightStoreKeys } from '@trail-insight/state-redis';

import type { Cluster, Redis } from 'ioredis';

import { INSIGHT_STATES } from './console-web.types';
import { matchesInsightFilter } from './insight-filter.util';

import type { InsightFilter, InsightRecord } from './console-web.types';
import type { StoredEventPage } from './insight-query.repository';

/** Longest possible insight: an observation window is 7 days (SPEC §3.3). */
const WINDOW_MS = 7 * 86_400_000;

const storedInsightDocumentSchema = z.object({
  state: z.enum(INSIGHT_STATES),
  insight: z.looseObject({
    insightType: z.string(),
    insightId: z.string(),
    accountId: z.string(),
    region: z.string(),
    sourceIpAddress: z.string(),
    startTime: z.string(),
    endTime: z.string(),
    verdictTime: z.string(),
    eventCount: z.number(),
    heterogeneity: z.number(),
    predictedValue: z.number(),
    threshold: z.number(),
    buckets: z.array(
      z.object({ startTime: z.string(), durationSeconds: z.number(), count: z.number() }),
    ),
    eventIds: z.array(z.string()),
  }),
  insightEvents: z.array(z.record(z.string(), z.unknown())).default([]),
});

/** The JSON of `<prefix>insight:{<id>}`. */
export type StoredInsightDocument = z.input<typeof storedInsightDocumentSchema>;

/** Confirmed and dismissed insights, as the aggregator stores them for the console. */
export interface StoredInsightReader {
  find(filter: InsightFilter): Promise<InsightRecord[]>;
  get(insightId: string): Promise<InsightRecord | null>;
  managementEvents(
    insightId: string,
    offset: number,
    limit: number,
  ): Promise<StoredEventPage | null>;
}

const CHUNK = 200;

/** Reads the {@link InsightStoreKeys} layout. A record that does not parse is skipped (logged by the caller's metrics). */
export class RedisStoredInsightReader implements StoredInsightReader {
  readonly keys: InsightStoreKeys;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    private readonly onCorrupt: (key: string) => void = () => undefined,
  ) {
    this.keys = new InsightStoreKeys(prefix);
  }

  async find(filter: InsightFilter): Promise<InsightRecord[]> {
    const ids = await this.redis.zrangebyscore(
      this.keys.byStart(),
      filter.from - WINDOW_MS,
      filter.to === null ? '+inf' : `(${filter.to}`,
    );
    const records: InsightRecord[] = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      const found = await Promise.all(chunk.map((id) => this.readRecord(id)));
      for (const record of found) {
        if (record !== null && matchesInsightFilter(record, filter)) {
          records.push(record);
        }
      }
    }
    return records;
  }

  get(insightId: string): Promise<InsightRecord | null> {
    return this.readRecord(insightId);
  }

  async managementEvents(
    insightId: string,
    offset: number,
    limit: number,
  ): Promise<StoredEventPage | null> {
    const key = this.keys.events(insightId);
    const [total, items] = await Promise.all([
      this.redis.llen(key),
      limit > 0 ? this.redis.lrange(key, offset, offset + limit - 1) : Promise.resolve([]),
    ]);
    if (total === 0 && (await this.redis.exists(this.keys.record(insightId))) === 0) {
      return null;
    }
    const events = items.map((item) => {
      try {
        return JSON.parse(item) as unknown;
      } catch {
        this.onCorrupt(key);
        return { unparseable: item };
      }
    });
    return { total, events };
  }

  private async readRecord(insightId: string): Promise<InsightRecord | null> {
    const key = this.keys.record(insightId);
    const [text, total] = await Promise.all([
      this.redis.get(key),
      this.redis.llen(this.keys.events(insightId)),
    ]);
    if (text === null) {
      return null;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.onCorrupt(key);
      return null;
    }
    const parsed = storedInsightDocumentSchema.safeParse(json);
    if (!parsed.success || parsed.data.insight.insightId !== insightId) {
      this.onCorrupt(key);
      return null;
    }
    const { state, insight, insightEvents } = parsed.data;
    return {
      state,
      insight: insight as unknown as InsightRecord['insight'],
      insightEvents,
      storedEventCount: total,
    };
  }
}
