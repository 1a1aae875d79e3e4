import type { NormalizedEvent } from '@trail-insight/events';

import type { SignalName } from './default-model-config.schema';
import type { IpProfile } from './ip-profile';
import { commonPrefixLength } from './ip-words';

/** A usual IP of the (account, region), profiled. */
export interface UsualProfile {
  profile: IpProfile;
  lastSeen: number;
}

/**
 * How the usual IPs compare with the new one, counted in one pass of plain comparisons so that each
 * signal costs O(1); only explanations of a mismatch scan the usual IPs again.
 */
export interface UsualSummary {
  count: number;
  sameNarrowPrefix: number;
  sameWidePrefix: number;
  sameAsn: number;
  /** Same organization name, sibling ASes included. */
  sameOrganization: number;
  sameCountry: number;
  samePrivateBlock: number;
  withCountry: number;
  withAsn: number;
  /** Bit `h` set when some usual IP was last seen in UTC hour `h`. */
  lastSeenHours: number;
}

/** What every signal sees: the new IP and the usual ones, all profiled before the signals run. */
export interface SignalContext {
  candidate: IpProfile;
  usual: readonly UsualProfile[];
  summary: UsualSummary;
  time: number;
  event: NormalizedEvent;
}

/** A signal that fired: its name (which selects its weight) and a reason shown in the insight. */
export interface SignalFinding {
  signal: SignalName;
  reason: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** UTC hour of the day (0..23) of an epoch-millisecond time. */
export function utcHour(time: number): number {
  return Math.floor((((time % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS);
}

/** Prefix lengths compared per IP version: a subnet-sized one and an allocation-sized one. */
export const PREFIX_LENGTHS = {
  4: { narrow: 24, wide: 16 },
  6: { narrow: 48, wide: 32 },
} as const;

/** Compares every usual IP with the new one. */
export function summarizeUsual(candidate: IpProfile, usual: readonly UsualProfile[]): UsualSummary {
  const { narrow, wide } = PREFIX_LENGTHS[candidate.version];
  const summary: UsualSummary = {
    count: usual.length,
    sameNarrowPrefix: 0,
    sameWidePrefix: 0,
    sameAsn: 0,
    sameOrganization: 0,
    sameCountry: 0,
    samePrivateBlock: 0,
    withCountry: 0,
    withAsn: 0,
    lastSeenHours: 0,
  };
  for (const { profile, lastSeen } of usual) {
    const bits = commonPrefixLength(candidate, profile);
    if (bits >= wide) {
      summary.sameWidePrefix += 1;
      if (bits >= narrow) {
        summary.sameNarrowPrefix += 1;
      }
    }
    if (profile.asn !== null) {
      summary.withAsn += 1;
      if (profile.asn === candidate.asn) {
        summary.sameAsn += 1;
      }
    }
    if (profile.organizationId !== 0 && profile.organizationId === candidate.organizationId) {
      summary.sameOrganization += 1;
    }
    if (profile.countryId !== 0) {
      summary.withCountry += 1;
      if (profile.countryId === candidate.countryId) {
        summary.sameCountry += 1;
      }
    }
    if (profile.privateBlock !== null && profile.privateBlock === candidate.privateBlock) {
      summary.samePrivateBlock += 1;
    }
    summary.lastSeenHours |= 1 << utcHour(lastSeen);
  }
  return summary;
}

/** `1 usual IP`, `3 usual IPs`. */
/** `AS4134 (CHINANET)`, or `AS4134` when the organization is unknown. */
export function describeAs(asn: number, organization: string | null): string {
  return organization === null ? `AS${asn}` : `AS${asn} (${organization})`;
}

export function usualIpCount(count: number): string {
  return count === 1 ? '1 usual IP' : `${count} usual IPs`;
}

/** The most frequent values first (ties in natural order), at most `limit`, with `+N` for the rest. */
export function topValues<T extends string | number>(
  usual: readonly UsualProfile[],
  select: (profile: IpProfile) => T | null,
  format: (value: T) => string,
  limit = 3,
): string {
  const counts = new Map<T, number>();
  for (const { profile } of usual) {
    const value = select(profile);
    if (value !== null) {
      counts.set(value, (counts.get(value) ?? 0) + 1);
    }
  }
  const ranked = [...counts.entries()].sort(
    ([a, countA], [b, countB]) => countB - countA || (a < b ? -1 : a > b ? 1 : 0),
  );
  const shown = ranked.slice(0, limit).map(([value]) => format(value));
  const rest = ranked.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} +${rest}` : shown.join(', ');
}
