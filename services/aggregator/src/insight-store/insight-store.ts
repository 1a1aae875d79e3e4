import type { InsightAttributions, InsightEvent, IpInsight } from '@trail-insight/insights';
import type { TrailProvider } from '@trail-insight/events';

/** What the aggregator stores per confirmed insight (the JSON of `<P>insight:{<id>}`). */
export interface StoredInsight {
  /** Document version. */
  v: 1;
  /** `dismissed`: a provisional insight that ended without a verdict (no insight events). */
  state: 'confirmed' | 'dismissed';
  provider: TrailProvider;
  insight: IpInsight;
  attributions: InsightAttributions;
  /** The insight events produced for it, exactly as on `insight-events`. */
  insightEvents: InsightEvent[];
}

/** Where insights are kept for the query API (90-day retention). */
export interface InsightStore {
  /**
   * Stores (or overwrites: idempotent) an insight with its insight events and, when known, its
   * first management events as JSON. Throws a retriable error when the store is unreachable.
   */
  save(
    stored: Omit<StoredInsight, 'v' | 'insightEvents'>,
    events: InsightEvent[],
    managementEvents?: ReadonlyArray<Record<string, unknown>>,
  ): Promise<void>;
}

/** Injection token of {@link InsightStore}. */
export const INSIGHT_STORE = Symbol('trail-insight:insight-store');
