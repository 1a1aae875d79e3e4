import { Injectable } from '@nestjs/common';

/** A partition of a logical topic (see `Topic`). */
export interface AssignedPartition {
  topic: string;
  partition: number;
}

type AssignmentListener = (assigned: readonly AssignedPartition[]) => void;

/**
 * The partitions this instance owns, published at every group join (a rebalance ends with one).
 * Lets a consumer prepare per-partition state before the first message arrives, e.g. the
 * detector's wall-clock watermark of partitions that stay idle after a restart.
 */
@Injectable()
export class KafkaAssignments {
  private readonly listeners: AssignmentListener[] = [];
  private current: readonly AssignedPartition[] = [];

  get assigned(): readonly AssignedPartition[] {
    return this.current;
  }

  onChange(listener: AssignmentListener): void {
    this.listeners.push(listener);
  }

  publish(assigned: readonly AssignedPartition[]): void {
    this.current = assigned;
    for (const listener of this.listeners) {
      listener(assigned);
    }
  }
}
