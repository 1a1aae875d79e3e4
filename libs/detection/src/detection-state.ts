/** One 5-minute bucket of a window: its start (epoch ms) and operation count. */
export interface BucketCount {
  start: number;
  count: number;
}

/** An open observation window of one unfamiliar IP (SPEC §3.3). Plain, JSON-serializable data. */
export interface ObservationWindow {
  ip: string;
  /** t0: the first operation, the window start. */
  start: number;
  /** The latest operation in the window. */
  lastTime: number;
  eventCount: number;
  /** Bit i set when day slot i (0..6) has an operation. */
  slots: number;
  /** Non-empty buckets in time order. */
  buckets: BucketCount[];
  /** The first {@link MAX_EVENT_IDS} event ids in processing order. */
  eventIds: string[];
  predictedValue: number;
  threshold: number;
  heterogeneity: number;
  signals: string[];
}

/** Usual IPs (ip → last seen) and open windows (ip → window) of one (account, region). */
export interface RegionState {
  usual: Map<string, number>;
  windows: Map<string, ObservationWindow>;
}

/**
 * All detection state of one account. Accounts are independent, so a streaming detector may load,
 * cache and persist them one by one; the batch CLI keeps all of them in memory.
 */
export interface AccountState {
  accountId: string;
  /** Valid, de-duplicated events of the account, all regions (SPEC §3.1). */
  baseline: number;
  /** Latest event time applied in order (the account's event-time clock), or -Infinity. */
  clock: number;
  regions: Map<string, RegionState>;
  /** Event id → time of its counted occurrence within the de-duplication horizon, oldest first. */
  recentIds: Map<string, number>;
  /** Earliest verdict time among open windows, +Infinity when none. */
  nextVerdict: number;
}

export function createAccountState(accountId: string): AccountState {
  return {
    accountId,
    baseline: 0,
    clock: Number.NEGATIVE_INFINITY,
    regions: new Map(),
    recentIds: new Map(),
    nextVerdict: Number.POSITIVE_INFINITY,
  };
}

export function regionOf(state: AccountState, region: string): RegionState {
  let regionState = state.regions.get(region);
  if (regionState === undefined) {
    regionState = { usual: new Map(), windows: new Map() };
    state.regions.set(region, regionState);
  }
  return regionState;
}
