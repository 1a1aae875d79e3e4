import { Partitioners } from 'kafkajs';

import { KafkaErrorCode, KafkaException } from './kafka.exception';

import type { Kafka, Message, Producer } from 'kafkajs';

import type { OutboxSink, ProducedMessage, TopicBatch } from './outbox';

function toMessage(message: ProducedMessage): Message {
  const result: Message = { key: message.key, value: message.value };
  if (message.headers !== undefined) {
    result.headers = message.headers;
  }
  return result;
}

/**
 * The one producer of a process: idempotent, acks = all (-1), one request in flight per broker so
 * retries cannot reorder a key's messages, Java-compatible murmur2 partitioning by key.
 */
export class ProducerCore implements OutboxSink {
  private readonly producer: Producer;
  private connected = false;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
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

  async sendBatch(batches: TopicBatch[]): Promise<void> {
    if (batches.length === 0) {
      return;
    }
    if (!this.connected) {
      throw new KafkaException(KafkaErrorCode.NotConnected, 'producer is not connected');
    }
    try {
      await this.producer.sendBatch({
        acks: -1,
        topicMessages: batches.map(({ topic, messages }) => ({
          topic,
          messages: messages.map(toMessage),
        })),
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
