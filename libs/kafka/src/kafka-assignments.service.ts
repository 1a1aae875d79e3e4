import { Injectable } from '@nestjs/common';

/** A partition of a logical topic (see `Topic`). */
export interface AssignedPartition {
  topic: string;
  partition: number;
}

type AssignmentListener = (assigned: readonly AssignedPartition[]) => void;
type Seeker = (partition: AssignedPartition, offset: string) => boolean;

/**
 * The partitions this instance owns, published at every group join (a rebalance ends with one).
 * Lets a consumer prepare per-partition state before the first message arrives, e.g. the
 * detector's wall-clock watermark of partitions that stay idle after a restart.
 */
@Injectable()
export class KafkaAssignments {
  private readonly listeners: AssignmentListener[] = [];
  private current: readonly AssignedPartition[] = [];
  private seeker: Seeker | null = null;

  get assigned(): readonly AssignedPartition[] {
    return this.current;
  }

  onChange(listener: AssignmentListener): void {
    this.listeners.push(listener);
  }

  /**
   * Fetches an owned partition again from `offset`: its next batch starts there (a consumer that
   * rebuilds state from its input). False when no consumer runs or it refused (logged); a
   * partition this instance no longer owns is left alone.
   */
  seek(partition: AssignedPartition, offset: string): boolean {
    return this.seeker !== null && this.seeker(partition, offset);
  }

  /** Called by the consumer once it runs. */
  attachSeeker(seeker: Seeker | null): void {
    this.seeker = seeker;
  }

  publish(assigned: readonly AssignedPartition[]): void {
    this.current = assigned;
    for (const listener of this.listeners) {
      listener(assigned);
    }
  }
}
