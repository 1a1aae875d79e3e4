import { collectTopics, createTopics, deleteTopics, parseBrokerList } from '@trail-insight/kafka';

import type { KafkaConnectionConfig, TopicCollector } from '@trail-insight/kafka';

import { requireTestEnv, uniqueName } from './test-env.util';

/** Connection to the integration Kafka (KAFKA_BROKERS from globalSetup). */
export function testKafkaConnection(clientId = uniqueName('client')): KafkaConnectionConfig {
  return { brokers: parseBrokerList(requireTestEnv('KAFKA_BROKERS')), clientId };
}

/** Random topic names created for one test; `cleanup()` deletes them (call it in afterAll). */
export interface TestTopics<K extends string> {
  readonly names: Record<K, string>;
  cleanup(): Promise<void>;
}

/** Creates one random topic per key with the given partition count. */
export async function createTestTopics<K extends string>(
  partitions: Record<K, number>,
): Promise<TestTopics<K>> {
  const connection = testKafkaConnection();
  const names = {} as Record<K, string>;
  const byCount = new Map<number, string[]>();
  for (const [key, count] of Object.entries(partitions) as Array<[K, number]>) {
    names[key] = uniqueName(key);
    byCount.set(count, [...(byCount.get(count) ?? []), names[key]]);
  }
  for (const [count, topics] of byCount) {
    await createTopics(connection, topics, count);
  }
  return {
    names,
    cleanup: () => deleteTopics(connection, Object.values<string>(names)),
  };
}

/** Reads the given topics from the beginning for assertions; `stop()` it in afterAll. */
export async function collectTestTopics(topics: readonly string[]): Promise<TopicCollector> {
  const collector = await collectTopics(testKafkaConnection(), topics);
  return collector;
}
