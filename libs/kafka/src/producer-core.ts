import { Partitioners } from 'kafkajs';

import { KafkaErrorCode, KafkaException } from './kafka.exception';

import type { Kafka, Message, Producer } from 'kafkajs';

import type { OutboxSink, ProducedMessage, TopicBatch, TransactionOffsets } from './outbox';

function toMessage(message: ProducedMessage): Message {
  const result: Message = { key: message.key, value: message.value };
  if (message.headers !== undefined) {
    result.headers = message.headers;
  }
  if (message.partition !== undefined) {
    result.partition = message.partition;
  }
  return result;
}

function topicMessagesOf(batches: TopicBatch[]): Array<{ topic: string; messages: Message[] }> {
  return batches.map(({ topic, messages }) => ({ topic, messages: messages.map(toMessage) }));
}

/**
 * Retries of a transactional producer. Its next transaction often begins while the broker still
 * writes the previous one's commit markers, and the broker answers CONCURRENT_TRANSACTIONS for a
 * few milliseconds: kafkajs' default first retry, 300 ms, made that a 300 ms stall about once a
 * second at 10,000 events/s (ingest's logs in the latency benchmark). The Java client retries it
 * after 20 ms; so do we, with enough retries to outlast the default's total of about 9 s.
 */
const TRANSACTIONAL_RETRY = { initialRetryTime: 20, maxRetryTime: 5_000, retries: 10 };

/**
 * The one producer of a process: idempotent, acks = all (-1), one request in flight per broker so
 * retries cannot reorder a key's messages, Java-compatible murmur2 partitioning by key.
 */
export class ProducerCore implements OutboxSink {
  private readonly producer: Producer;
  private connected = false;
  /** A producer has one transaction open at a time: concurrent partitions take turns. */
  private transactionTurn: Promise<unknown> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly transactionalId?: string,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
      ...(transactionalId === undefined ? {} : { transactionalId, retry: TRANSACTIONAL_RETRY }),
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }

  /**
   * {@link OutboxSink.inTransaction}; only for a producer built with a transactional id. Calls from
   * partitions consumed concurrently are serialized: each waits for the previous transaction to
   * end, and the others' processing goes on meanwhile.
   */
  inTransaction(
    offsets: TransactionOffsets,
    produce: (sink: OutboxSink) => Promise<void>,
  ): Promise<void> {
    const run = this.transactionTurn.then(
      () => this.runTransaction(offsets, produce),
      () => this.runTransaction(offsets, produce),
    );
    this.transactionTurn = run.catch(() => undefined);
    return run;
  }

  private async runTransaction(
    offsets: TransactionOffsets,
    produce: (sink: OutboxSink) => Promise<void>,
  ): Promise<void> {
    if (this.transactionalId === undefined) {
      throw new KafkaException(KafkaErrorCode.ProduceFailed, 'producer is not transactional');
    }
    this.assertConnected();
    const transaction = await this.producer.transaction();
    try {
      await produce({
        sendBatch: async (batches) => {
          if (batches.length > 0) {
            await transaction.sendBatch({ acks: -1, topicMessages: topicMessagesOf(batches) });
          }
        },
      });
      await transaction.sendOffsets({
        consumerGroupId: offsets.consumerGroupId,
        topics: [
          {
            topic: offsets.topic,
            partitions: [{ partition: offsets.partition, offset: offsets.offset }],
          },
        ],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw new KafkaException(
        KafkaErrorCode.ProduceFailed,
        `transaction failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  private assertConnected(): void {
    if (!this.connected) {
      throw new KafkaException(KafkaErrorCode.NotConnected, 'producer is not connected');
    }
  }

  async sendBatch(batches: TopicBatch[]): Promise<void> {
    if (batches.length === 0) {
      return;
    }
    this.assertConnected();
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: topicMessagesOf(batches),
      });
    } catch (error) {
      throw new KafkaException(
        KafkaErrorCode.ProduceFailed,
        `produce failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
