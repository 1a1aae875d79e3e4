import type { InsightFilter, InsightRecord } from './console-web.types';

/** A page of the management events stored for one insight. */
export interface StoredEventPage {
  /** How many the store holds for the insight. */
  total: number;
  events: unknown[];
}

/**
 * Where the console reads insights from. Two implementations: Redis (the streaming pipeline's
 * store, `services/console`) and memory (the CLI's embedded `demo`).
 */
export interface InsightQueryRepository {
  /** Shown in the page header, e.g. `redis` or `memory (demo)`. */
  readonly description: string;
  /** The instant the 90-day horizon counts back from (wall clock, or the data's latest time). */
  referenceTime(): number;
  /** Every record matching the filter, in any order. */
  find(filter: InsightFilter): Promise<InsightRecord[]>;
  get(insightId: string): Promise<InsightRecord | null>;
  /** Null when the insight is unknown. */
  managementEvents(
    insightId: string,
    offset: number,
    limit: number,
  ): Promise<StoredEventPage | null>;
}
