import type { AccountState } from '@trail-insight/detection';
import type { StoredAccount } from '@trail-insight/state-redis';

/** An account as the detector holds it: its state and the last checkpoint applied to it. */
export interface HeldAccount {
  readonly state: AccountState;
  /** The partition it was loaded for. */
  readonly partition: number;
  /** Last checkpoint of this partition persisted with the account (0 = none). */
  checkpoint: number;
}

/**
 * Least-recently-used cache of account states, so memory is bounded by the accounts in use and
 * not by every account ever seen. Held accounts always equal what Redis stores: after any failure
 * the accounts a checkpoint touched are dropped and reloaded.
 */
export class AccountCache {
  private readonly entries = new Map<string, HeldAccount>();

  constructor(private readonly maxAccounts: number) {
    if (!Number.isSafeInteger(maxAccounts) || maxAccounts < 1) {
      throw new RangeError(`maxAccounts must be a positive integer: ${maxAccounts}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(accountId: string): HeldAccount | undefined {
    const entry = this.entries.get(accountId);
    if (entry !== undefined) {
      this.entries.delete(accountId);
      this.entries.set(accountId, entry);
    }
    return entry;
  }

  set(accountId: string, entry: HeldAccount): void {
    this.entries.delete(accountId);
    this.entries.set(accountId, entry);
  }

  delete(accountId: string): void {
    this.entries.delete(accountId);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Evicts the least recently used accounts beyond the bound, except `pinned` ones. */
  trim(pinned: ReadonlySet<string>): void {
    if (this.entries.size <= this.maxAccounts) {
      return;
    }
    for (const accountId of this.entries.keys()) {
      if (this.entries.size <= this.maxAccounts) {
        return;
      }
      if (!pinned.has(accountId)) {
        this.entries.delete(accountId);
      }
    }
  }

  /** Drops every account loaded for `partition` (its owner may have changed). */
  dropPartition(partition: number): void {
    for (const [accountId, entry] of this.entries) {
      if (entry.partition === partition) {
        this.entries.delete(accountId);
      }
    }
  }

  values(): IterableIterator<HeldAccount> {
    return this.entries.values();
  }
}

/** The checkpoint stored with an account for `topic`/`partition` (state-redis "offset" field). */
export function storedCheckpoint(stored: StoredAccount, topic: string, partition: number): number {
  const value = stored.appliedOffsets.get(`${topic}:${partition}`);
  return value === undefined ? 0 : Number(value);
}
