/** Which audit-trail family a record came from. */
export type TrailProvider = 'actiontrail' | 'cloudtrail';

/**
 * One valid management event, reduced to what detection and attribution need.
 * Plain data: serializable as JSON, identical for every input shape (SPEC §1).
 */
export interface NormalizedEvent {
  /** Event time in integer epoch milliseconds. */
  time: number;
  eventId: string;
  accountId: string;
  region: string;
  isGlobal: boolean;
  /** Canonical source IP (RFC 5952 for IPv6, IPv4-mapped folded to IPv4), or null when not an IP. */
  sourceIp: string | null;
  provider: TrailProvider;
  userAgent: string | null;
  principalId: string | null;
  eventName: string | null;
  errorCode: string | null;
}

/** Why a record was rejected. Stable strings: they are metric labels and summary keys. */
export enum InvalidReason {
  Malformed = 'malformed',
  NotAnObject = 'not-an-object',
  BadSlsEvent = 'bad-sls-event',
  InvalidTime = 'invalid-time',
  MissingEventId = 'missing-event-id',
  MissingAccount = 'missing-account',
  MissingRegion = 'missing-region',
}

export type NormalizeResult =
  { ok: true; event: NormalizedEvent } | { ok: false; reason: InvalidReason; detail: string };
