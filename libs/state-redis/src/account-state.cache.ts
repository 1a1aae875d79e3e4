import { StateChanges } from '@trail-insight/detection';

import type { AccountState } from '@trail-insight/detection';

import { PersistOutcome } from './persist-script';

import type { AccountStateRepository } from './account-state.repository';
import type { BatchPosition } from './persist-args';

/** One cached account: its state, what changed since the last persist, and its offsets. */
export interface CachedAccount {
  readonly state: AccountState;
  /** Pass to the engine; cleared by a successful persist. Dirty entries are never evicted. */
  readonly changes: StateChanges;
  /** Last offset of `topic`/`partition` applied to the stored state, null when none. */
  appliedOffset(topic: string, partition: number): bigint | null;
}

export interface AccountStateCacheOptions {
  /** Clean accounts kept in memory; least recently used ones beyond it are dropped. */
  maxAccounts: number;
}

export type AccountStateStore = Pick<
  AccountStateRepository,
  'loadAccount' | 'persist' | 'persistAdvance'
>;

class Entry implements CachedAccount {
  readonly changes = new StateChanges();
  /** Acquired and not yet persisted or released: never evicted. */
  pinned = false;

  constructor(
    readonly state: AccountState,
    readonly offsets: Map<string, bigint>,
  ) {}

  appliedOffset(topic: string, partition: number): bigint | null {
    return this.offsets.get(`${topic}:${partition}`) ?? null;
  }
}

/**
 * LRU cache of account states in front of an {@link AccountStateRepository}, so memory is bounded
 * by the accounts in use, not by all accounts ever seen. An acquired account is pinned (never
 * evicted) until it is persisted or released, so a batch may hold more than `maxAccounts`; the
 * bound applies again as the batch persists. After a failed or refused persist the entry is
 * dropped and reloaded on next use, so memory never holds changes Redis may not have.
 *
 * Use per batch: `acquire` each account, skip events at or below `appliedOffset`, apply the rest
 * with `entry.changes`, then `persist` every acquired entry (an unchanged one costs nothing).
 */
export class AccountStateCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly store: AccountStateStore,
    private readonly options: AccountStateCacheOptions,
  ) {
    if (!Number.isSafeInteger(options.maxAccounts) || options.maxAccounts < 1) {
      throw new RangeError(`maxAccounts must be a positive integer: ${options.maxAccounts}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  has(accountId: string): boolean {
    return this.entries.has(accountId);
  }

  /** The cached account, loaded from Redis on a miss (concurrent misses share one load). */
  async acquire(accountId: string): Promise<CachedAccount> {
    const cached = this.entries.get(accountId);
    if (cached !== undefined) {
      this.entries.delete(accountId);
      this.entries.set(accountId, cached);
      cached.pinned = true;
      return cached;
    }
    let pending = this.loading.get(accountId);
    if (pending === undefined) {
      pending = this.load(accountId);
      this.loading.set(accountId, pending);
    }
    const entry = await pending;
    entry.pinned = true;
    return entry;
  }

  /** Unpins an acquired account without persisting it (it must have no changes to keep). */
  release(entry: CachedAccount): void {
    this.own(entry).pinned = false;
    this.trim();
  }

  /** Persists the entry's changes with a batch's offset; see `AccountStateRepository.persist`. */
  async persist(entry: CachedAccount, position: BatchPosition): Promise<PersistOutcome> {
    const own = this.own(entry);
    if (own.changes.isEmpty) {
      this.release(own);
      return PersistOutcome.Unchanged;
    }
    const outcome = await this.settle(own, this.store.persist(own.state, own.changes, position));
    if (outcome === PersistOutcome.Applied) {
      own.offsets.set(`${position.topic}:${position.partition}`, BigInt(position.offset));
    }
    return outcome;
  }

  /** Persists windows closed by a watermark; see `AccountStateRepository.persistAdvance`. */
  async persistAdvance(
    entry: CachedAccount,
    position: { topic: string; partition: number },
  ): Promise<PersistOutcome> {
    const own = this.own(entry);
    if (own.changes.isEmpty) {
      this.release(own);
      return PersistOutcome.Unchanged;
    }
    const applied = own.appliedOffset(position.topic, position.partition);
    return this.settle(
      own,
      this.store.persistAdvance(own.state, own.changes, {
        ...position,
        appliedOffset: applied === null ? null : applied.toString(),
      }),
    );
  }

  /** Drops an account (e.g. its partition was revoked). Unpersisted changes are lost. */
  evict(accountId: string): void {
    this.entries.delete(accountId);
  }

  /**
   * After a batch failed: drops every account with unpersisted changes (its events will be
   * redelivered and must be applied to the stored state, not on top of a half-applied copy) and
   * unpins the rest. Returns the number dropped.
   */
  abandonBatch(): number {
    let dropped = 0;
    for (const [accountId, entry] of this.entries) {
      entry.pinned = false;
      if (!entry.changes.isEmpty) {
        this.entries.delete(accountId);
        dropped += 1;
      }
    }
    this.trim();
    return dropped;
  }

  clear(): void {
    this.entries.clear();
  }

  private async load(accountId: string): Promise<Entry> {
    try {
      const stored = await this.store.loadAccount(accountId);
      const entry = new Entry(stored.state, new Map(stored.appliedOffsets));
      entry.pinned = true;
      this.entries.set(accountId, entry);
      this.trim();
      return entry;
    } finally {
      this.loading.delete(accountId);
    }
  }

  private own(entry: CachedAccount): Entry {
    if (!(entry instanceof Entry)) {
      throw new TypeError('not an entry of this cache');
    }
    return entry;
  }

  private async settle(entry: Entry, write: Promise<PersistOutcome>): Promise<PersistOutcome> {
    let outcome: PersistOutcome;
    try {
      outcome = await write;
    } catch (error) {
      this.drop(entry);
      throw error;
    } finally {
      entry.pinned = false;
    }
    if (outcome === PersistOutcome.Applied) {
      entry.changes.clear();
      this.trim();
    } else {
      this.drop(entry);
    }
    return outcome;
  }

  private drop(entry: Entry): void {
    const accountId = entry.state.accountId;
    if (this.entries.get(accountId) === entry) {
      this.entries.delete(accountId);
    }
  }

  private trim(): void {
    if (this.entries.size <= this.options.maxAccounts) {
      return;
    }
    for (const [accountId, entry] of this.entries) {
      if (this.entries.size <= this.options.maxAccounts) {
        return;
      }
      if (!entry.pinned && entry.changes.isEmpty) {
        this.entries.delete(accountId);
      }
    }
  }
}
