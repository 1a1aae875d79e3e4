import { createKafkaClient } from './kafka-client.factory';

import type { Kafka } from 'kafkajs';

import type { KafkaConnectionConfig } from './kafka-config';

/** Creates the topics that do not exist yet (others are left alone); returns those created. */
export async function ensureTopicsExist(
  kafka: Kafka,
  topics: readonly string[],
  partitions: number,
  replicationFactor = -1,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor })),
      });
    }
    return missing;
  } finally {
    await admin.disconnect();
  }
}

/** Plain helper (CLI, tests): creates missing topics with `partitions` partitions each. */
export async function createTopics(
  connection: KafkaConnectionConfig,
  topics: readonly string[],
  partitions = 1,
): Promise<string[]> {
  return ensureTopicsExist(createKafkaClient(connection), topics, partitions);
}

/** Plain helper (tests): deletes topics, ignoring those that do not exist. */
export async function deleteTopics(
  connection: KafkaConnectionConfig,
  topics: readonly string[],
): Promise<void> {
  const admin = createKafkaClient(connection).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) {
      await admin.deleteTopics({ topics: present });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Plain helper: the next offset to be written (high watermark) per partition of a topic. */
export async function topicEndOffsets(
  connection: KafkaConnectionConfig,
  topic: string,
): Promise<Map<number, bigint>> {
  const admin = createKafkaClient(connection).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
  } finally {
    await admin.disconnect();
  }
}
