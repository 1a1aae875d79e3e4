import { StateStoreErrorCode, StateStoreException } from './state-store.exception';
import { toStoredText } from './stored-text';

/** The four keys of one account, in the order the persist script takes them as `KEYS`. */
export interface AccountKeys {
  /** Hash: `v`, `baseline`, `clock`, `nextVerdict`, `home`, `offset:<topic>:<partition>`. */
  readonly meta: string;
  /** Hash: `region\u0000ip` → last seen (epoch ms, decimal). */
  readonly usual: string;
  /** Hash: `region\u0000ip` → binary observation window (see window-codec.ts). */
  readonly windows: string;
  /** Sorted set: event id scored by its event time, within the de-duplication horizon. */
  readonly ids: string;
}

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** Kafka topic names are `[A-Za-z0-9._-]`, so they can never break a `{hash-tag}`. */
export function assertPartition(topic: string, partition: number): void {
  if (!KAFKA_TOPIC.test(topic) || !Number.isSafeInteger(partition) || partition < 0) {
    throw new StateStoreException(
      StateStoreErrorCode.InvalidArgument,
      `not a Kafka topic partition: ${JSON.stringify(topic)}/${partition}`,
    );
  }
}

/**
 * The one place Redis keys are built. Every key of an account carries the hash tag
 * `{acct:<accountId>}`, so they share one Redis Cluster slot and the persist script may touch
 * them together. Redis hashes only the text up to the first `}` after the first `{`: an account
 * id containing `}` shortens the tag, but identically for all of that account's keys, so they
 * still share a slot and keys of different accounts stay distinct. The id goes through
 * {@link toStoredText}, so ids with lone surrogates do not collide once sent as UTF-8.
 */
export class StateKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) {
      throw new StateStoreException(
        StateStoreErrorCode.InvalidArgument,
        `key prefix must not contain braces: ${JSON.stringify(prefix)}`,
      );
    }
  }

  account(accountId: string): AccountKeys {
    const base = `${this.prefix}{acct:${toStoredText(accountId)}}:`;
    return {
      meta: `${base}meta`,
      usual: `${base}usual`,
      windows: `${base}windows`,
      ids: `${base}ids`,
    };
  }

  /** The persist script's `KEYS`, in contract order. */
  scriptKeys(accountId: string): [meta: string, usual: string, windows: string, ids: string] {
    const keys = this.account(accountId);
    return [keys.meta, keys.usual, keys.windows, keys.ids];
  }

  /**
   * Sorted set of the accounts of one Kafka partition scored by their next verdict time. Its own
   * hash tag (one slot per partition), so it is written by separate commands, never by the script.
   */
  verdicts(topic: string, partition: number): string {
    assertPartition(topic, partition);
    return `${this.prefix}{p:${topic}:${partition}}:verdicts`;
  }

  /** Meta field holding the last offset of `topic`/`partition` applied to the account. */
  static offsetField(topic: string, partition: number): string {
    assertPartition(topic, partition);
    return `offset:${topic}:${partition}`;
  }

  /** Meta field value naming the partition an account was last written from. */
  static home(topic: string, partition: number): string {
    assertPartition(topic, partition);
    return `${topic}:${partition}`;
  }
}
