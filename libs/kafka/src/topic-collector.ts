import { randomUUID } from 'node:crypto';

import { toInboundMessage } from './batch-runner';
import { createKafkaClient } from './kafka-client.factory';

import type { Consumer } from 'kafkajs';

import type { KafkaConnectionConfig } from './kafka-config';
import type { KafkaInboundMessage } from './kafka-message';

/** Every message of some topics, as read so far by a {@link TopicCollector}. */
export interface TopicCollector {
  /** In arrival order (per partition in offset order). */
  readonly messages: KafkaInboundMessage[];
  /** Messages of one topic. */
  of(topic: string): KafkaInboundMessage[];
  /** Resolves once the collector joined its group (it reads from the beginning anyway). */
  readonly joined: Promise<void>;
  /** Rejects if the consumer crashes for good (use as `waitFor`'s `abort`). */
  readonly crashed: Promise<never>;
  stop(): Promise<void>;
}

/**
 * Reads topics from the beginning into memory with a throw-away consumer group: for tests,
 * the benchmark and tools. Not for production volumes.
 */
export async function collectTopics(
  connection: KafkaConnectionConfig,
  topics: readonly string[],
): Promise<TopicCollector> {
  const kafka = createKafkaClient(connection);
  const consumer: Consumer = kafka.consumer({
    groupId: `collector-${randomUUID()}`,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: true,
  });
  const messages: KafkaInboundMessage[] = [];
  let onJoin: () => void = () => undefined;
  const joined = new Promise<void>((resolve) => {
    onJoin = resolve;
  });
  let onCrash: (error: Error) => void = () => undefined;
  const crashed = new Promise<never>((_, reject) => {
    onCrash = reject;
  });
  crashed.catch(() => undefined);
  consumer.on(consumer.events.GROUP_JOIN, () => onJoin());
  consumer.on(consumer.events.CRASH, (event) => {
    if (!event.payload.restart) {
      onCrash(event.payload.error);
    }
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [...topics], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: ({ batch }) => {
      for (const message of batch.messages) {
        messages.push(toInboundMessage(batch.topic, batch.partition, message));
      }
      return Promise.resolve();
    },
  });
  return {
    messages,
    of: (topic) => messages.filter((message) => message.topic === topic),
    joined,
    crashed,
    stop: () => consumer.disconnect(),
  };
}
