import { DEDUP_HORIZON_MS } from '@trail-insight/detection';

import type { AccountState, ObservationWindow } from '@trail-insight/detection';

/** The part of an {@link AccountState} the store keeps, in a canonical order. */
export interface CanonicalAccountState {
  accountId: string;
  baseline: number;
  clock: number;
  nextVerdict: number;
  regions: Array<{ region: string; usual: Array<[string, number]>; windows: ObservationWindow[] }>;
  recentIds: Array<[string, number]>;
}

function byKey<T>(entries: Array<[string, T]>): Array<[string, T]> {
  return entries.sort(([a], [b]) => (a === b ? 0 : a < b ? -1 : 1));
}

/**
 * What two states must agree on to behave the same from now on, whatever order their Maps were
 * filled in: empty regions dropped (the engine recreates them on demand), ids older than the
 * de-duplication horizon of the clock dropped (a late event may leave one behind in memory, the
 * store trims by time). `load(persisted(state))` equals `state` under this view.
 */
export function canonicalAccountState(state: AccountState): CanonicalAccountState {
  const cutoff = state.clock - DEDUP_HORIZON_MS;
  const regions = byKey([...state.regions.entries()])
    .filter(([, region]) => region.usual.size > 0 || region.windows.size > 0)
    .map(([region, { usual, windows }]) => ({
      region,
      usual: byKey([...usual.entries()]),
      windows: byKey([...windows.entries()]).map(([, window]) => window),
    }));
  const recentIds = [...state.recentIds.entries()]
    .filter(([, time]) => time >= cutoff)
    .sort(([a, ta], [b, tb]) => ta - tb || (a === b ? 0 : a < b ? -1 : 1));
  return {
    accountId: state.accountId,
    baseline: state.baseline,
    clock: state.clock,
    nextVerdict: state.nextVerdict,
    regions,
    recentIds,
  };
}
