import type { PartitionWeights } from './sticky-assigner';

/** Default {@link PartitionLoad} half-life: a minute of history decides which partitions stay. */
export const DEFAULT_LOAD_HALF_LIFE_MS = 60_000;

interface Decayed {
  value: number;
  at: number;
  /** Bytes the partition's log holds beyond the last batch (estimated), at its last batch. */
  behind: number;
}

/**
 * The load of each partition a member holds: bytes consumed, decayed exponentially with a
 * half-life, plus the bytes its log still holds beyond the last batch (its lag). The weight a
 * member reports at a join, so the sticky assignment keeps the busiest (warmest, costliest to
 * move) one where it is and balances the others. At a steady rate the lag is small and the rate
 * decides; while a backlog is read, every partition gives a full fetch per round whatever its
 * share, and the lag tells the heavy one. A partition the member no longer holds is forgotten at
 * the next {@link retain}.
 */
export class PartitionLoad {
  private readonly byTopic = new Map<string, Map<number, Decayed>>();
  /** Bytes and messages of every batch so far, by topic: the average message size. */
  private readonly totals = new Map<string, { bytes: number; messages: number }>();

  constructor(
    private readonly halfLifeMs = DEFAULT_LOAD_HALF_LIFE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A batch of `bytes`, after which the log holds `behind` more bytes (estimated). */
  add(topic: string, partition: number, bytes: number, behind: number): void {
    const at = this.now();
    let partitions = this.byTopic.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.byTopic.set(topic, partitions);
    }
    const entry = partitions.get(partition);
    if (entry === undefined) {
      partitions.set(partition, { value: bytes, at, behind });
    } else {
      entry.value = this.decayed(entry, at) + bytes;
      entry.at = at;
      entry.behind = behind;
    }
  }

  /**
   * A fetched batch: its messages' bytes, and as the bytes behind, `lag` messages (kafkajs'
   * `batch.offsetLag()`) at the batch's average size.
   */
  addBatch(
    topic: string,
    partition: number,
    messages: ReadonlyArray<{ value: Buffer | null }>,
    lag: number,
  ): void {
    let bytes = 0;
    for (const message of messages) {
      bytes += message.value?.length ?? 0;
    }
    const behind = messages.length === 0 ? 0 : Math.max(0, lag) * (bytes / messages.length);
    this.add(topic, partition, bytes, behind);
    const totals = this.totals.get(topic);
    if (totals === undefined) {
      this.totals.set(topic, { bytes, messages: messages.length });
    } else {
      totals.bytes += bytes;
      totals.messages += messages.length;
    }
  }

  /**
   * The average size of the messages read so far, by topic (topics without a message are left
   * out): what a group leader needs to weigh a partition nobody reports by its lag in messages.
   */
  messageSizes(): Record<string, number> {
    const sizes: Record<string, number> = {};
    for (const [topic, { bytes, messages }] of this.totals) {
      if (messages > 0) {
        sizes[topic] = bytes / messages;
      }
    }
    return sizes;
  }

  /** Keeps the partitions of `assignment` (by topic) and drops the others. */
  retain(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [topic, partitions] of this.byTopic) {
      const held = new Set(assignment[topic] ?? []);
      for (const partition of partitions.keys()) {
        if (!held.has(partition)) {
          partitions.delete(partition);
        }
      }
      if (partitions.size === 0) {
        this.byTopic.delete(topic);
      }
    }
  }

  /** The load of every partition, now: decayed bytes consumed plus bytes behind. */
  weights(): PartitionWeights {
    const at = this.now();
    const weights: Record<string, Map<number, number>> = {};
    for (const [topic, partitions] of this.byTopic) {
      weights[topic] = new Map(
        [...partitions].map(([partition, entry]) => [
          partition,
          this.decayed(entry, at) + entry.behind,
        ]),
      );
    }
    return weights;
  }

  private decayed(entry: Decayed, at: number): number {
    return entry.value * 2 ** (-Math.max(0, at - entry.at) / this.halfLifeMs);
  }
}
