import type { OutboundMessage } from './kafka-message';

/** A message ready to produce, with its physical topic. */
export interface ProducedMessage {
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
  /** Overrides the key's partition. */
  partition?: number;
}

export interface TopicBatch {
  topic: string;
  messages: ProducedMessage[];
}

/** Where an outbox is flushed: the producer (acks = all). */
export interface OutboxSink {
  sendBatch(batches: TopicBatch[]): Promise<void>;
  /**
   * Runs `produce` in a transaction that also commits `offsets` for the consumer group; all or
   * nothing. Only sinks built with a transactional id have it.
   */
  inTransaction?(
    offsets: TransactionOffsets,
    produce: (sink: OutboxSink) => Promise<void>,
  ): Promise<void>;
}

/** The consumed position a transaction commits with its outputs (next offset to read). */
export interface TransactionOffsets {
  consumerGroupId: string;
  topic: string;
  partition: number;
  offset: string;
}

interface Entry {
  topic: string;
  /** Logical topic label, for metrics. */
  label: string;
  message: ProducedMessage;
  bytes: number;
  /** Set on dead-letter entries: the source topic label and reason, for metrics. */
  deadLetter?: { sourceLabel: string; reason: string };
}

/** What a successful flush sent, for metrics. */
export interface FlushReport {
  byTopic: Map<string, number>;
  deadLettered: Array<{ sourceLabel: string; reason: string }>;
}

/** Largest request a flush sends (well under the broker's default 1 MiB message.max.bytes). */
export const MAX_REQUEST_BYTES = 256 * 1024;

function sizeOf(value: string | Buffer | null): number {
  if (value === null) {
    return 0;
  }
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/**
 * Messages emitted while processing a batch, held until their source offsets may be resolved.
 * `mark()`/`rollback()` drop what a failed handler attempt emitted before it is retried.
 */
export class Outbox {
  private entries: Entry[] = [];
  private totalBytes = 0;

  get size(): number {
    return this.entries.length;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  add(topic: string, label: string, messages: readonly OutboundMessage[]): void {
    for (const message of messages) {
      const bytes = sizeOf(message.value) + sizeOf(message.key) + 64;
      this.entries.push({ topic, label, message, bytes });
      this.totalBytes += bytes;
    }
  }

  addDeadLetter(
    topic: string,
    label: string,
    message: ProducedMessage,
    sourceLabel: string,
    reason: string,
  ): void {
    const bytes = sizeOf(message.value) + sizeOf(message.key) + 256;
    this.entries.push({ topic, label, message, bytes, deadLetter: { sourceLabel, reason } });
    this.totalBytes += bytes;
  }

  mark(): number {
    return this.entries.length;
  }

  rollback(mark: number): void {
    for (const entry of this.entries.splice(mark)) {
      this.totalBytes -= entry.bytes;
    }
  }

  /**
   * Produces everything held, in order, in requests of at most {@link MAX_REQUEST_BYTES}. Entries
   * are dropped as their request succeeds, so a failed flush can be retried without resending
   * what already went out. Throws what the sink throws.
   */
  async flush(sink: OutboxSink): Promise<FlushReport> {
    const report: FlushReport = { byTopic: new Map(), deadLettered: [] };
    while (this.entries.length > 0) {
      let count = 0;
      let bytes = 0;
      for (const entry of this.entries) {
        const next = entry.bytes;
        if (count > 0 && bytes + next > MAX_REQUEST_BYTES) {
          break;
        }
        bytes += next;
        count += 1;
      }
      const chunk = this.entries.slice(0, count);
      const byTopic = new Map<string, ProducedMessage[]>();
      for (const entry of chunk) {
        let list = byTopic.get(entry.topic);
        if (list === undefined) {
          list = [];
          byTopic.set(entry.topic, list);
        }
        list.push(entry.message);
      }
      await sink.sendBatch([...byTopic].map(([topic, messages]) => ({ topic, messages })));
      this.entries.splice(0, count);
      this.totalBytes -= bytes;
      for (const entry of chunk) {
        report.byTopic.set(entry.label, (report.byTopic.get(entry.label) ?? 0) + 1);
        if (entry.deadLetter !== undefined) {
          report.deadLettered.push(entry.deadLetter);
        }
      }
    }
    return report;
  }
}
