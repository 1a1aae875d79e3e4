import type { InsightAttributions, InsightEvent, IpInsight } from '@trail-insight/insights';
import type { TrailProvider } from '@trail-insight/events';

/** What the aggregator stores per confirmed insight (the JSON of `<P>insight:{<id>}`). */
export interface StoredInsight {
  /** Document version. */
  v: 1;
  state: 'confirmed';
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
    stored: Omit<StoredInsight, 'v' | 'state' | 'insightEvents'>,
    events: InsightEvent[],
    managementEvents?: ReadonlyArray<Record<string, unknown>>,
  ): Promise<void>;
}

/** Injection token of {@link InsightStore}. */
export const INSIGHT_STORE = Symbol('trail-insight:insight-store');

/**
 * The one place the store's keys are built (mirrors `InsightStoreKeys` of @trail-insight/console-web,
 * the reader). `{<insightId>}` hash tags keep an insight's record and events in one cluster slot.
 */
export class InsightStoreKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) {
      throw new Error(`insight store prefix must not contain braces: ${JSON.stringify(prefix)}`);
    }
  }

  /** String: JSON {@link StoredInsight}. */
  record(insightId: string): string {
    return `${this.prefix}insight:{${insightId}}`;
  }

  /** List: management event JSON records, processing order, capped at 100. */
  events(insightId: string): string {
    return `${this.prefix}insight:{${insightId}}:events`;
  }

  /** Sorted set: insight id scored by startTime (epoch ms). */
  byStart(): string {
    return `${this.prefix}insights:by-start`;
  }

  /** Sorted set: insight id scored by the expiry time of its record (epoch ms), to trim `byStart`. */
  byExpiry(): string {
    return `${this.prefix}insights:by-expiry`;
  }
}
