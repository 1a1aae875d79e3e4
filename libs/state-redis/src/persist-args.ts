import { DEDUP_HORIZON_MS } from '@trail-insight/detection';

import type { AccountState, StateChanges } from '@trail-insight/detection';

import { encodeBound, encodeTime, stateField } from './account-state-codec';
import { MAX_PERSIST_ENTRIES, STATE_SCHEMA_VERSION } from './state-redis.constants';
import { StateKeys } from './state-keys';
import { StateStoreErrorCode, StateStoreException } from './state-store.exception';
import { toStoredText } from './stored-text';
import { encodeWindow } from './window-codec';

/** How the persist script decides whether to write (ARGV[2]). */
export enum PersistMode {
  /** Events of a Kafka batch: write when the stored offset is below the batch's, then store it. */
  Batch = 'batch',
  /** No new event (a watermark closed windows): write when the stored offset is the expected one. */
  Advance = 'advance',
}

/** The Kafka message a batch persist reflects: the last one applied to the account. */
export interface BatchPosition {
  topic: string;
  partition: number;
  /** Kafka offset (decimal int64) of the last message applied. */
  offset: string;
}

/** Where an advance-only persist applies: the offset the in-memory state was built up to. */
export interface AdvancePosition {
  topic: string;
  partition: number;
  /** The account's applied offset for this partition as loaded, null when it had none. */
  appliedOffset: string | null;
}

/** Number of fixed ARGV entries before the lists (see the script header). */
export const PERSIST_HEADER_LENGTH = 15;

const INT64_MAX = (1n << 63n) - 1n;

export function assertOffset(offset: string): void {
  if (!/^(0|[1-9]\d{0,18})$/.test(offset) || BigInt(offset) > INT64_MAX) {
    throw new StateStoreException(
      StateStoreErrorCode.InvalidArgument,
      `not a Kafka offset: ${JSON.stringify(offset)}`,
    );
  }
}

/** The ARGV of one persist call and the number of dirty entries it carries. */
export interface PersistArgs {
  argv: Array<string | Buffer>;
  entryCount: number;
}

/**
 * Builds the persist script's ARGV from the keys a {@link StateChanges} marked dirty, reading
 * their current values from `state`: a key that is no longer in the state is deleted.
 */
export function buildPersistArgs(
  state: AccountState,
  changes: StateChanges,
  mode: PersistMode,
  position: BatchPosition | AdvancePosition,
): PersistArgs {
  const { topic, partition } = position;
  let offset: string;
  if (mode === PersistMode.Batch) {
    offset = (position as BatchPosition).offset;
    assertOffset(offset);
  } else {
    offset = (position as AdvancePosition).appliedOffset ?? '';
    if (offset !== '') {
      assertOffset(offset);
    }
  }
  const usualSet: string[] = [];
  const usualDel: string[] = [];
  for (const key of changes.usual) {
    const [region, ip] = splitChangeKey(key);
    const lastSeen = state.regions.get(region)?.usual.get(ip);
    if (lastSeen === undefined) {
      usualDel.push(stateField(region, ip));
    } else {
      usualSet.push(stateField(region, ip), encodeTime(lastSeen));
    }
  }
  const windowSet: Array<string | Buffer> = [];
  const windowDel: string[] = [];
  for (const key of changes.windows) {
    const [region, ip] = splitChangeKey(key);
    const window = state.regions.get(region)?.windows.get(ip);
    if (window === undefined) {
      windowDel.push(stateField(region, ip));
    } else {
      windowSet.push(stateField(region, ip), encodeWindow(window));
    }
  }
  const idAdd: string[] = [];
  const idDel: string[] = [];
  const seen = new Set<string>();
  for (const [id] of changes.ids) {
    if (seen.has(id)) {
      continue;
    }
    seen.add(id);
    const time = state.recentIds.get(id);
    if (time === undefined) {
      idDel.push(toStoredText(id));
    } else {
      idAdd.push(encodeTime(time), toStoredText(id));
    }
  }
  const entryCount =
    usualSet.length / 2 +
    usualDel.length +
    windowSet.length / 2 +
    windowDel.length +
    idAdd.length / 2 +
    idDel.length;
  if (entryCount > MAX_PERSIST_ENTRIES) {
    throw new StateStoreException(
      StateStoreErrorCode.BatchTooLarge,
      `${entryCount} dirty entries for account ${state.accountId}, at most ${MAX_PERSIST_ENTRIES} per persist`,
    );
  }
  const cutoff = Number.isFinite(state.clock) ? encodeTime(state.clock - DEDUP_HORIZON_MS) : '';
  const argv: Array<string | Buffer> = [
    STATE_SCHEMA_VERSION,
    mode,
    StateKeys.offsetField(topic, partition),
    offset,
    StateKeys.home(topic, partition),
    encodeTime(state.baseline),
    encodeBound(state.clock),
    encodeBound(state.nextVerdict),
    cutoff,
    String(usualSet.length / 2),
    String(usualDel.length),
    String(windowSet.length / 2),
    String(windowDel.length),
    String(idAdd.length / 2),
    String(idDel.length),
  ];
  for (const list of [usualSet, usualDel, windowSet, windowDel, idAdd, idDel]) {
    for (const value of list) {
      argv.push(value);
    }
  }
  return { argv, entryCount };
}

/** `StateChanges` keys are `region\u0000ip`; IPs never hold a NUL, so the last one separates. */
function splitChangeKey(key: string): [region: string, ip: string] {
  const separator = key.lastIndexOf('\u0000');
  return [key.slice(0, separator), key.slice(separator + 1)];
}
