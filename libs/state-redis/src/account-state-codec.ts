import { DEDUP_HORIZON_MS, createAccountState } from '@trail-insight/detection';

import type { AccountState, ObservationWindow, RegionState } from '@trail-insight/detection';

import { STATE_SCHEMA_VERSION } from './state-redis.constants';
import { StateStoreErrorCode, StateStoreException } from './state-store.exception';
import { fromStoredText, toStoredText } from './stored-text';
import { decodeWindow } from './window-codec';

/** Meta hash field names. */
export const MetaField = {
  Version: 'v',
  Baseline: 'baseline',
  Clock: 'clock',
  NextVerdict: 'nextVerdict',
  Home: 'home',
  OffsetPrefix: 'offset:',
} as const;

/** The raw replies of one account's keys, as read in one MULTI. */
export interface StoredAccountRecord {
  meta: Record<string, string>;
  usual: Record<string, string>;
  windows: Record<string, Buffer>;
  /** `ZRANGE ids 0 -1 WITHSCORES`: member, score, member, score, … */
  ids: string[];
}

/** An account as stored: its detection state and the Kafka positions it reflects. */
export interface StoredAccount {
  state: AccountState;
  /** Last applied offset per `<topic>:<partition>`. */
  appliedOffsets: ReadonlyMap<string, bigint>;
  /** `<topic>:<partition>` of the last batch persisted, null for a new account. */
  home: string | null;
}

function corrupt(message: string): StateStoreException {
  return new StateStoreException(StateStoreErrorCode.CorruptState, message);
}

/** Field of the usual and windows hashes: the stored region text, NUL, the canonical IP. */
export function stateField(region: string, ip: string): string {
  return `${toStoredText(region)}\u0000${ip}`;
}

/** Inverse of {@link stateField}. IPs never hold a NUL, so the last one separates. */
export function splitStateField(field: string): [region: string, ip: string] {
  const separator = field.lastIndexOf('\u0000');
  if (separator <= 0 || separator === field.length - 1) {
    throw corrupt(`state field without region and ip: ${JSON.stringify(field)}`);
  }
  return [fromStoredText(field.slice(0, separator)), field.slice(separator + 1)];
}

/** An event time (integer epoch ms) as decimal text. */
export function encodeTime(time: number): string {
  if (!Number.isSafeInteger(time)) {
    throw new StateStoreException(
      StateStoreErrorCode.UnencodableState,
      `time is not an integer: ${time}`,
    );
  }
  return String(time);
}

export function decodeTime(text: string, what: string): number {
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value)) {
    throw corrupt(`${what} is not an integer: ${JSON.stringify(text)}`);
  }
  return value;
}

/** A time that may be ±Infinity (the clock before any event, nextVerdict with no window). */
export function encodeBound(value: number): string {
  if (value === Number.POSITIVE_INFINITY) {
    return 'inf';
  }
  if (value === Number.NEGATIVE_INFINITY) {
    return '-inf';
  }
  return encodeTime(value);
}

export function decodeBound(text: string, what: string): number {
  if (text === 'inf') {
    return Number.POSITIVE_INFINITY;
  }
  if (text === '-inf') {
    return Number.NEGATIVE_INFINITY;
  }
  return decodeTime(text, what);
}

function required(meta: Record<string, string>, field: string): string {
  const value = meta[field];
  if (value === undefined) {
    throw corrupt(`meta field ${field} missing`);
  }
  return value;
}

function regionIn(regions: Map<string, RegionState>, region: string): RegionState {
  let state = regions.get(region);
  if (state === undefined) {
    state = { usual: new Map(), windows: new Map() };
    regions.set(region, state);
  }
  return state;
}

function byText(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  return a < b ? -1 : 1;
}

function decodeOffsets(meta: Record<string, string>): Map<string, bigint> {
  const offsets = new Map<string, bigint>();
  for (const [field, value] of Object.entries(meta)) {
    if (!field.startsWith(MetaField.OffsetPrefix)) {
      continue;
    }
    if (!/^(0|[1-9]\d*)$/.test(value)) {
      throw corrupt(`meta ${field} is not an offset: ${JSON.stringify(value)}`);
    }
    offsets.set(field.slice(MetaField.OffsetPrefix.length), BigInt(value));
  }
  return offsets;
}

/**
 * Rebuilds an account from its stored keys. Maps are filled in a canonical order (regions by
 * name, usual IPs by IP, windows by start then IP, ids by time then id) since Redis does not keep
 * insertion order; ids older than the de-duplication horizon of the stored clock are left out.
 */
export function decodeStoredAccount(accountId: string, record: StoredAccountRecord): StoredAccount {
  const state = createAccountState(accountId);
  if (Object.keys(record.meta).length === 0) {
    return { state, appliedOffsets: new Map(), home: null };
  }
  const version = required(record.meta, MetaField.Version);
  if (version !== STATE_SCHEMA_VERSION) {
    throw new StateStoreException(
      StateStoreErrorCode.SchemaVersionMismatch,
      `account ${accountId} stored with schema ${version}, this code reads ${STATE_SCHEMA_VERSION}`,
    );
  }
  state.baseline = decodeTime(required(record.meta, MetaField.Baseline), 'baseline');
  state.clock = decodeBound(required(record.meta, MetaField.Clock), 'clock');
  state.nextVerdict = decodeBound(required(record.meta, MetaField.NextVerdict), 'nextVerdict');

  const regions = new Map<string, RegionState>();
  const usual = Object.entries(record.usual)
    .map(([field, value]) => [...splitStateField(field), value] as const)
    .sort((a, b) => byText(a[1], b[1]));
  for (const [region, ip, lastSeen] of usual) {
    regionIn(regions, region).usual.set(ip, decodeTime(lastSeen, 'usual last seen'));
  }
  const windows: Array<[string, ObservationWindow]> = Object.entries(record.windows).map(
    ([field, value]) => {
      const [region, ip] = splitStateField(field);
      return [region, decodeWindow(ip, value, field)];
    },
  );
  windows.sort((a, b) => a[1].start - b[1].start || byText(a[1].ip, b[1].ip));
  for (const [region, window] of windows) {
    regionIn(regions, region).windows.set(window.ip, window);
  }
  for (const region of [...regions.keys()].sort(byText)) {
    state.regions.set(region, regions.get(region) as RegionState);
  }

  const cutoff = state.clock - DEDUP_HORIZON_MS;
  if (record.ids.length % 2 !== 0) {
    throw corrupt('ids reply has an odd length');
  }
  for (let i = 0; i < record.ids.length; i += 2) {
    const id = record.ids[i];
    const storedTime = record.ids[i + 1];
    if (id === undefined || storedTime === undefined) {
      throw corrupt('ids reply has an odd length');
    }
    const time = decodeTime(storedTime, 'id time');
    if (time >= cutoff) {
      state.recentIds.set(fromStoredText(id), time);
    }
  }
  return {
    state,
    appliedOffsets: decodeOffsets(record.meta),
    home: record.meta[MetaField.Home] ?? null,
  };
}
