import type { IpInsight } from '@trail-insight/insights';

/**
 * Lifecycle of an insight (SPEC §5): `provisional` while its window is open, `confirmed` at the
 * verdict, `dismissed` when the IP turned usual before the verdict.
 */
export const INSIGHT_STATES = ['provisional', 'confirmed', 'dismissed'] as const;
export type InsightState = (typeof INSIGHT_STATES)[number];

/** What the console keeps of one insight: the IPInsight record (running counts while provisional). */
export interface InsightRecord {
  state: InsightState;
  insight: IpInsight;
  /** The insight events delivered for it (SPEC §5), empty while provisional or when unknown. */
  insightEvents: readonly object[];
  /** Management events the store holds for it (may be capped below `insight.eventCount`). */
  storedEventCount: number;
}

/** One row of a listing: the record without its buckets and ids, plus derived fields. */
export interface InsightSummary {
  insightId: string;
  insightType: string;
  state: InsightState;
  accountId: string;
  region: string;
  sourceIpAddress: string;
  startTime: string;
  endTime: string;
  verdictTime: string;
  durationSeconds: number;
  eventCount: number;
  heterogeneity: number;
  predictedValue: number;
  threshold: number;
}

/** `GET /api/insights/:id`: the summary, the full IPInsight and its insight events. */
export interface InsightDetail extends InsightSummary {
  insight: IpInsight;
  insightEvents: readonly object[];
  storedEventCount: number;
}

/** Filters of a listing, already validated. Times are epoch ms; `from` inclusive, `to` exclusive. */
export interface InsightFilter {
  from: number;
  to: number | null;
  region: string | null;
  /** Canonical IP or CIDR text, matched by prefix on the 128-bit line. */
  ip: { text: string; network: bigint; prefixLength: number } | null;
  states: readonly InsightState[] | null;
  accountId: string | null;
}

/** `GET /api/insights` and `GET /api/ips/:ip/insights`. */
export interface InsightListing {
  from: string;
  to: string | null;
  total: number;
  offset: number;
  limit: number;
  items: InsightSummary[];
}

/** `GET /api/insights/:id/events`: management events as stored (the original JSON records). */
export interface ManagementEventPage {
  insightId: string;
  /** Operations in the insight (all of them, stored or not). */
  eventCount: number;
  /** Management events the store holds for the insight. */
  total: number;
  offset: number;
  limit: number;
  events: unknown[];
}
