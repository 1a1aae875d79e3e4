import { Counter, Gauge, Histogram } from 'prom-client';

import type { Registry } from 'prom-client';

interface PartitionPosition {
  topic: string;
  partition: number;
  highWatermark: bigint;
  /** Next offset to process (last resolved + 1). */
  next: bigint;
}

/**
 * Kafka metrics of a service, all prefixed with the service prefix (e.g. `ingest_`). Topic labels
 * carry the logical topic name (bounded), never ids.
 */
export class KafkaMetrics {
  /** Alert `KafkaConsumerLagHigh`: lag keeps growing, the service does not keep up. */
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  /** Alert `KafkaDeadLetterRate` (outcome=dead_lettered) and throughput panels. */
  readonly messagesIn: Counter<'topic' | 'outcome'>;
  /** Throughput panels; a flat line with lag growing means a stuck producer. */
  readonly messagesOut: Counter<'topic'>;
  /** Alert `KafkaDeadLetterRate`: by reason, to tell bad input from a bug. */
  readonly deadLettered: Counter<'topic' | 'reason'>;
  /** Alert `KafkaHandlerRetrying`: retriable failures (dependency down). */
  readonly retries: Counter<'topic'>;
  /** Alert `KafkaProduceFailing`. */
  readonly produceErrors: Counter;
  /** Alert `KafkaBatchSlow`: time from fetch hand-over to offsets resolved. */
  readonly batchDuration: Histogram<'topic'>;

  private readonly positions = new Map<string, PartitionPosition>();

  constructor(registry: Registry, prefix: string) {
    const positions = this.positions;
    const labelNames = ['topic', 'partition'] as const;
    this.consumerLag = new Gauge({
      name: `${prefix}kafka_consumer_lag`,
      help: 'Messages not yet processed per consumed partition (high watermark minus next offset); alert KafkaConsumerLagHigh',
      labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const position of positions.values()) {
          const lag = position.highWatermark - position.next;
          this.set(
            { topic: position.topic, partition: String(position.partition) },
            Number(lag > 0n ? lag : 0n),
          );
        }
      },
    });
    this.messagesIn = new Counter({
      name: `${prefix}kafka_messages_in_total`,
      help: 'Consumed messages by outcome (processed, dead_lettered); alert KafkaDeadLetterRate',
      labelNames: ['topic', 'outcome'] as const,
      registers: [registry],
    });
    this.messagesOut = new Counter({
      name: `${prefix}kafka_messages_out_total`,
      help: 'Produced messages by topic (dead-letter included)',
      labelNames: ['topic'] as const,
      registers: [registry],
    });
    this.deadLettered = new Counter({
      name: `${prefix}kafka_dead_lettered_total`,
      help: 'Messages or records sent to the dead-letter topic, by source topic and reason; alert KafkaDeadLetterRate',
      labelNames: ['topic', 'reason'] as const,
      registers: [registry],
    });
    this.retries = new Counter({
      name: `${prefix}kafka_handler_retries_total`,
      help: 'Retriable handler or produce failures followed by a backoff; alert KafkaHandlerRetrying',
      labelNames: ['topic'] as const,
      registers: [registry],
    });
    this.produceErrors = new Counter({
      name: `${prefix}kafka_produce_errors_total`,
      help: 'Failed produce requests (retried); alert KafkaProduceFailing',
      registers: [registry],
    });
    this.batchDuration = new Histogram({
      name: `${prefix}kafka_batch_duration_seconds`,
      help: 'Time to process one fetched batch of one partition, outputs produced; alert KafkaBatchSlow',
      labelNames: ['topic'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  /** Records where a partition stands after a batch (for the lag gauge). */
  recordPosition(
    topic: string,
    partition: number,
    highWatermark: string,
    nextOffset: string,
  ): void {
    this.positions.set(`${topic}\u0000${partition}`, {
      topic,
      partition,
      highWatermark: BigInt(highWatermark),
      next: BigInt(nextOffset),
    });
  }

  /** Drops partitions no longer assigned (after a rebalance), so their lag is not reported. */
  retainPartitions(assigned: ReadonlyArray<{ topic: string; partition: number }>): void {
    const keep = new Set(assigned.map(({ topic, partition }) => `${topic}\u0000${partition}`));
    for (const key of [...this.positions.keys()]) {
      if (!keep.has(key)) {
        this.positions.delete(key);
      }
    }
  }
}
