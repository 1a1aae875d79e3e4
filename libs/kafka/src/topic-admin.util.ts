import { createKafkaClient } from './kafka-client.factory';

import type { Admin, Kafka } from 'kafkajs';

import type { KafkaConnectionConfig } from './kafka-config';
import type { PartitionWeights } from './sticky-assigner';

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

/**
 * Messages of `topic` not yet committed by `groupId`, per partition: high watermark − the
 * committed offset (at least the low watermark). A partition without a committed offset counts
 * from where a consumer of the group starts: the low watermark with `fromBeginning` (so a group
 * that never committed lags by the whole topic), else the high watermark.
 */
export async function partitionLag(
  admin: Pick<Admin, 'fetchOffsets' | 'fetchTopicOffsets'>,
  groupId: string,
  topic: string,
  fromBeginning = true,
): Promise<Map<number, number>> {
  // allSettled: when one request fails, the other is still awaited before the error is thrown,
  // so it cannot go on retrying after the caller moved on (closed the admin, deleted the topic)
  const [committed, ends] = await Promise.allSettled([
    admin.fetchOffsets({ groupId, topics: [topic] }),
    admin.fetchTopicOffsets(topic),
  ]);
  if (committed.status === 'rejected') {
    throw committed.reason;
  }
  if (ends.status === 'rejected') {
    throw ends.reason;
  }
  const done = new Map(
    (committed.value[0]?.partitions ?? []).map((entry) => [entry.partition, Number(entry.offset)]),
  );
  return new Map(
    ends.value.map((end) => {
      const stored = done.get(end.partition) ?? -1;
      const low = Number(end.low);
      const high = Number(end.high);
      const from = stored >= 0 ? Math.max(stored, low) : fromBeginning ? low : high;
      return [end.partition, Math.max(0, high - from)];
    }),
  );
}

/** A consumer group's backlog per partition, read when a member leads a rebalance. */
export interface GroupBacklog {
  /** {@link partitionLag} of each topic; connects an admin at the first call. */
  read(topics: readonly string[]): Promise<PartitionWeights>;
  /** Disconnects the admin, if one was connected. */
  close(): Promise<void>;
}

/**
 * The backlog of consumer group `groupId` (the sticky assignment's leader weighs partitions by
 * it), for consumers that start from the log start (`fromBeginning`) or its end when the group has
 * no committed offset. One admin for every rebalance, connected at the first; a failed connection
 * is tried again at the next.
 */
export function createGroupBacklog(
  kafka: Kafka,
  groupId: string,
  fromBeginning: boolean,
): GroupBacklog {
  let connected: Promise<Admin> | null = null;
  return {
    read: async (topics) => {
      if (connected === null) {
        const admin = kafka.admin();
        const connecting = admin.connect().then(() => admin);
        connecting.catch(() => {
          if (connected === connecting) {
            connected = null;
          }
        });
        connected = connecting;
      }
      const admin = await connected;
      const byTopic: Record<string, Map<number, number>> = {};
      for (const topic of topics) {
        byTopic[topic] = await partitionLag(admin, groupId, topic, fromBeginning);
      }
      return byTopic;
    },
    close: async () => {
      const admin = connected;
      connected = null;
      await admin?.then((open) => open.disconnect()).catch(() => undefined);
    },
  };
}

/**
 * A connected admin for repeated offset queries (a benchmark or test polling lag every 100 ms):
 * one admin for many calls instead of one connection per call. Give each set of topics its own
 * handle and `close()` it before deleting them: a kafkajs admin keeps every topic it ever looked
 * at in its metadata, so a long-lived shared one would keep retrying topics deleted since.
 */
export interface LagAdmin {
  connect(): Promise<void>;
  /**
   * Messages of `topic` not yet committed by `groupId`: the sum over partitions of high watermark
   * − max(committed offset, low watermark); a partition without a committed offset (-1) counts
   * from its low watermark, so a group that never committed lags by the whole topic.
   */
  lag(groupId: string, topic: string): Promise<number>;
  /** The same per partition, where a partition without a committed offset may count from its end. */
  partitionLag(
    groupId: string,
    topic: string,
    fromBeginning?: boolean,
  ): Promise<Map<number, number>>;
  /** Messages in `topic` now: the sum over partitions of high − low watermark. */
  topicSize(topic: string): Promise<number>;
  close(): Promise<void>;
}

/** Plain helper (CLI, tests, bench): a {@link LagAdmin}; `connect()` it before the first query. */
export function createLagAdmin(connection: KafkaConnectionConfig): LagAdmin {
  const admin: Admin = createKafkaClient(connection).admin();
  return {
    connect: () => admin.connect(),
    lag: async (groupId, topic) => {
      let sum = 0;
      for (const lag of (await partitionLag(admin, groupId, topic, true)).values()) {
        sum += lag;
      }
      return sum;
    },
    partitionLag: (groupId, topic, fromBeginning) =>
      partitionLag(admin, groupId, topic, fromBeginning),
    topicSize: async (topic) => {
      const ends = await admin.fetchTopicOffsets(topic);
      return ends.reduce((sum, end) => sum + Number(end.high) - Number(end.low), 0);
    },
    close: () => admin.disconnect(),
  };
}

/**
 * Plain helper: messages of `topic` not yet committed by consumer group `groupId` (see
 * {@link LagAdmin.lag}). Connects an admin per call: to poll, keep a {@link createLagAdmin}.
 */
export async function consumerGroupLag(
  connection: KafkaConnectionConfig,
  groupId: string,
  topic: string,
): Promise<number> {
  const admin = createLagAdmin(connection);
  await admin.connect();
  try {
    return await admin.lag(groupId, topic);
  } finally {
    await admin.close();
  }
}
