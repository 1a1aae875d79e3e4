import type { AccountState, ObservationWindow, StateChanges } from '@trail-insight/detection';

import type { Cluster, Redis } from 'ioredis';

import { decodeStoredAccount, splitStateField } from './account-state-codec';
import { PersistMode, buildPersistArgs } from './persist-args';
import { PersistOutcome, persistOutcomeOf, registerStateScripts } from './persist-script';
import { DEFAULT_STATE_PREFIX } from './state-redis.constants';
import { StateKeys } from './state-keys';
import { StateStoreErrorCode, StateStoreException } from './state-store.exception';
import { fromStoredText, toStoredText } from './stored-text';
import { decodeWindow } from './window-codec';

import type { StoredAccount, StoredAccountRecord } from './account-state-codec';
import type { AdvancePosition, BatchPosition } from './persist-args';

export interface StateStoreOptions {
  /** Prepended to every key; must not contain braces. Default {@link DEFAULT_STATE_PREFIX}. */
  prefix?: string;
  /** Folder of the Lua files, for bundles that move them. */
  luaDir?: string;
}

/** An open window as the console shows it: a provisional insight while `heterogeneity > 0`. */
export interface OpenWindow {
  region: string;
  window: ObservationWindow;
}

type MultiReply = Array<[error: Error | null, result: unknown]> | null;

function replyOf(replies: MultiReply, index: number): unknown {
  const entry = replies?.[index];
  if (entry === undefined) {
    throw new StateStoreException(
      StateStoreErrorCode.RedisCommandFailed,
      'load: transaction aborted',
    );
  }
  if (entry[0] !== null) {
    throw StateStoreException.fromRedis(entry[0], 'load');
  }
  return entry[1];
}

/**
 * The durable copy of each account's detection state in Redis (one account = four keys in one
 * cluster slot, see README.md). Writes go through one Lua script that also records the Kafka
 * offset applied, so a redelivered batch is recognised and written at most once.
 */
export class AccountStateRepository {
  readonly keys: StateKeys;

  constructor(
    private readonly redis: Redis | Cluster,
    options: StateStoreOptions = {},
  ) {
    this.keys = new StateKeys(options.prefix ?? DEFAULT_STATE_PREFIX);
    registerStateScripts(redis, options.luaDir);
  }

  /** The account's state; a fresh one when nothing is stored. */
  async load(accountId: string): Promise<AccountState> {
    return (await this.loadAccount(accountId)).state;
  }

  /** The account's state with its applied offsets, read atomically (one MULTI, one slot). */
  async loadAccount(accountId: string): Promise<StoredAccount> {
    const keys = this.keys.account(accountId);
    let replies: MultiReply;
    try {
      replies = await this.redis
        .multi()
        .hgetall(keys.meta)
        .hgetall(keys.usual)
        .hgetallBuffer(keys.windows)
        .zrange(keys.ids, 0, -1, 'WITHSCORES')
        .exec();
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'load');
    }
    const record: StoredAccountRecord = {
      meta: replyOf(replies, 0) as Record<string, string>,
      usual: replyOf(replies, 1) as Record<string, string>,
      windows: replyOf(replies, 2) as Record<string, Buffer>,
      ids: replyOf(replies, 3) as string[],
    };
    return decodeStoredAccount(accountId, record);
  }

  /** Last offset of `topic`/`partition` applied to the account; events at or below it are done. */
  async appliedOffset(accountId: string, topic: string, partition: number): Promise<bigint | null> {
    const field = StateKeys.offsetField(topic, partition);
    let value: string | null;
    try {
      value = await this.redis.hget(this.keys.account(accountId).meta, field);
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'appliedOffset');
    }
    return value === null ? null : BigInt(value);
  }

  /**
   * Writes what `changes` marked dirty and the batch's offset, unless that offset (or a later
   * one) of the partition was already applied to the account.
   */
  persist(
    state: AccountState,
    changes: StateChanges,
    position: BatchPosition,
  ): Promise<PersistOutcome> {
    return this.write(PersistMode.Batch, state, changes, position);
  }

  /**
   * Writes windows closed by a watermark, with no new event: applied only if the account's stored
   * offset is still `position.appliedOffset`, so a copy loaded before a rebalance cannot overwrite
   * newer state. Idempotent, like `DetectionEngine.advance`.
   */
  persistAdvance(
    state: AccountState,
    changes: StateChanges,
    position: AdvancePosition,
  ): Promise<PersistOutcome> {
    return this.write(PersistMode.Advance, state, changes, position);
  }

  /** Accounts of a partition whose next verdict is at or before `watermark` (a superset: re-check). */
  async dueAccounts(
    topic: string,
    partition: number,
    watermark: number,
    limit = 1000,
  ): Promise<string[]> {
    try {
      const members = await this.redis.zrangebyscore(
        this.keys.verdicts(topic, partition),
        '-inf',
        watermark,
        'LIMIT',
        0,
        limit,
      );
      return members.map(fromStoredText);
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'dueAccounts');
    }
  }

  /**
   * Sets the account's entry in the partition's verdict index to its exact next verdict. For a
   * state just loaded (clean): e.g. after a spurious wake-up from {@link dueAccounts}.
   */
  async syncVerdictIndex(state: AccountState, topic: string, partition: number): Promise<void> {
    try {
      await this.indexVerdict(this.keys.verdicts(topic, partition), state);
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'syncVerdictIndex');
    }
  }

  /** The account's open windows (the provisional insights view), by start time. */
  async openWindows(accountId: string): Promise<OpenWindow[]> {
    let stored: Record<string, Buffer>;
    try {
      stored = await this.redis.hgetallBuffer(this.keys.account(accountId).windows);
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'openWindows');
    }
    return Object.entries(stored)
      .map(([field, value]) => {
        const [region, ip] = splitStateField(field);
        return { region, window: decodeWindow(ip, value, field) };
      })
      .sort((a, b) => a.window.start - b.window.start);
  }

  /** Deletes every key of the account (not its verdict index entries). */
  async deleteAccount(accountId: string): Promise<void> {
    try {
      await this.redis.del(...this.keys.scriptKeys(accountId));
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'deleteAccount');
    }
  }

  /*
   * The verdict index lives in another slot, so it cannot be written by the script. It must never
   * be later than the stored nextVerdict (a missed verdict); earlier only costs a spurious
   * wake-up. Hence: lower it (ZADD LT) before the script, set it exactly only after an applied
   * write. A crash in between leaves it early, never late.
   */
  private async write(
    mode: PersistMode,
    state: AccountState,
    changes: StateChanges,
    position: BatchPosition | AdvancePosition,
  ): Promise<PersistOutcome> {
    const { argv } = buildPersistArgs(state, changes, mode, position);
    const index = this.keys.verdicts(position.topic, position.partition);
    const windowsChanged = changes.windows.size > 0;
    try {
      if (windowsChanged && Number.isFinite(state.nextVerdict)) {
        await this.redis.zadd(index, 'LT', state.nextVerdict, toStoredText(state.accountId));
      }
      const reply = await this.redis.persistAccountState(
        ...this.keys.scriptKeys(state.accountId),
        argv,
      );
      const outcome = persistOutcomeOf(reply, state.accountId);
      if (outcome === PersistOutcome.Applied && windowsChanged) {
        await this.indexVerdict(index, state);
      }
      return outcome;
    } catch (error) {
      throw StateStoreException.fromRedis(error, 'persist');
    }
  }

  private async indexVerdict(index: string, state: AccountState): Promise<void> {
    const member = toStoredText(state.accountId);
    if (Number.isFinite(state.nextVerdict)) {
      await this.redis.zadd(index, state.nextVerdict, member);
    } else {
      await this.redis.zrem(index, member);
    }
  }
}
