import type { IpInsight } from '@trail-insight/insights';

import { matchesInsightFilter } from './insight-filter.util';

import type { InsightFilter, InsightRecord, InsightState } from './console-web.types';
import type { InsightQueryRepository, StoredEventPage } from './insight-query.repository';

/** One insight handed to the in-memory source, with what the console shows beside it. */
export interface MemoryInsightEntry {
  insight: IpInsight;
  /** Default `confirmed`. */
  state?: InsightState;
  /** The original management event records (full JSON), in processing order. */
  managementEvents?: readonly unknown[];
  /** Its insight events (SPEC §5), e.g. from `toInsightEvents`. */
  insightEvents?: readonly object[];
}

export interface MemoryInsightRepositoryOptions {
  /**
   * The instant the 90-day horizon counts back from. Default: the latest verdict time of the
   * insights held, so a demo over an old trail still shows it; the wall clock when empty.
   */
  referenceTime?: number;
  description?: string;
}

interface StoredEntry {
  record: InsightRecord;
  events: readonly unknown[];
}

/** The console's data source for the embedded `demo`: everything held in process memory. */
export class MemoryInsightRepository implements InsightQueryRepository {
  readonly description: string;
  private readonly entries = new Map<string, StoredEntry>();
  private readonly fixedReferenceTime: number | undefined;

  constructor(
    entries: Iterable<MemoryInsightEntry> = [],
    options: MemoryInsightRepositoryOptions = {},
  ) {
    this.description = options.description ?? 'memory';
    this.fixedReferenceTime = options.referenceTime;
    for (const entry of entries) {
      this.upsert(entry);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds or replaces an insight (a provisional one is replaced by its confirmed version). */
  upsert(entry: MemoryInsightEntry): void {
    const events = entry.managementEvents ?? [];
    this.entries.set(entry.insight.insightId, {
      record: {
        state: entry.state ?? 'confirmed',
        insight: entry.insight,
        insightEvents: entry.insightEvents ?? [],
        storedEventCount: events.length,
      },
      events,
    });
  }

  referenceTime(): number {
    if (this.fixedReferenceTime !== undefined) {
      return this.fixedReferenceTime;
    }
    let latest = Number.NEGATIVE_INFINITY;
    for (const { record } of this.entries.values()) {
      latest = Math.max(latest, Date.parse(record.insight.verdictTime));
    }
    return Number.isFinite(latest) ? latest : Date.now();
  }

  find(filter: InsightFilter): Promise<InsightRecord[]> {
    const found: InsightRecord[] = [];
    for (const { record } of this.entries.values()) {
      if (matchesInsightFilter(record, filter)) {
        found.push(record);
      }
    }
    return Promise.resolve(found);
  }

  get(insightId: string): Promise<InsightRecord | null> {
    return Promise.resolve(this.entries.get(insightId)?.record ?? null);
  }

  managementEvents(
    insightId: string,
    offset: number,
    limit: number,
  ): Promise<StoredEventPage | null> {
    const entry = this.entries.get(insightId);
    if (entry === undefined) {
      return Promise.resolve(null);
    }
    return Promise.resolve({
      total: entry.events.length,
      events: entry.events.slice(offset, offset + limit),
    });
  }
}
