/**
 * Aggregator crash safety on the REAL Kafka and Redis of deploy/local/stack.sh (needs: kafka,
 * redis), running the bundled service (`services/aggregator/dist/main.js`) as a child process with
 * random topics, consumer group and Redis key prefix.
 *
 * Proves at-least-once delivery with stable ids across `kill -9`: thousands of `ip-insights`
 * messages are aggregated while the service is killed three times at random points and restarted
 * with the same group. Afterwards the insight events on `insight-events`, de-duplicated by eventId,
 * are exactly the expected set (nothing lost, nothing invented), every repeat of an eventId is
 * byte-identical to the first, and the Redis store holds each insight exactly once (one record,
 * one index member, its management events not appended twice).
 */
import { Redis } from 'ioredis';

import { insightIdOf, toInsightEvents } from '@trail-insight/insights';
import { createProducer } from '@trail-insight/kafka';
import {
  ServiceProcess,
  bundleServices,
  collectTestTopics,
  createTestTopics,
  freePort,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import type { IpInsight } from '@trail-insight/insights';
import type { IpInsightMessage, PlainProducer, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

jest.setTimeout(300_000);

type Topics = 'ipInsights' | 'insightEvents' | 'dlq';

const INSIGHTS = 6_000;
const KILLS = 3;
const DAY = 86_400_000;
const FIVE_MINUTES = 300_000;

/** mulberry32: a seeded PRNG so a failing run can be replayed with its printed seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function messageOf(index: number, random: () => number): IpInsightMessage {
  const accountId = String(100_000 + (index % 23));
  const region = index % 3 === 0 ? 'us-east-1' : 'cn-hangzhou';
  const ip = `203.0.${(index >> 8) % 256}.${index % 256}`;
  const start = Date.UTC(2026, 2, 1) + index * 61_000 + Math.floor(random() * 60_000);
  const bucket0 = Math.floor(start / FIVE_MINUTES) * FIVE_MINUTES;
  const bucketCount = 1 + Math.floor(random() * 8);
  let offset = 0;
  const buckets = Array.from({ length: bucketCount }, (_, bucket) => {
    offset += bucket === 0 ? 0 : 1 + Math.floor(random() * 40);
    return {
      startTime: new Date(bucket0 + offset * FIVE_MINUTES).toISOString(),
      durationSeconds: 300,
      count: 1 + Math.floor(random() * 20),
    };
  });
  const eventCount = buckets.reduce((sum, bucket) => sum + bucket.count, 0);
  const eventIds = Array.from(
    { length: Math.min(eventCount, 100) },
    (_, event) => `e-${index}-${event}`,
  );
  const insight: IpInsight = {
    insightType: 'IPInsight',
    insightId: insightIdOf(accountId, region, ip, start),
    accountId,
    region,
    sourceIpAddress: ip,
    startTime: new Date(start).toISOString(),
    // `offset` is now the last bucket's: its start time, plus one second.
    endTime: new Date(bucket0 + offset * FIVE_MINUTES + 1_000).toISOString(),
    verdictTime: new Date(start + 7 * DAY).toISOString(),
    eventCount,
    heterogeneity: 100,
    predictedValue: 0,
    threshold: 0.5,
    buckets,
    eventIds,
  };
  return {
    insight,
    provider: region === 'us-east-1' ? 'cloudtrail' : 'actiontrail',
    attributions: {
      userAgent: { [`agent-${index % 5}`]: eventCount },
      principalId: { [`p-${index % 7}`]: eventCount },
      apiRelated: { DescribeInstances: eventCount },
      errorCode: index % 4 === 0 ? { AccessDenied: 1 } : {},
    },
    state: 'confirmed',
    managementEvents: eventIds
      .slice(0, 1 + (index % 5))
      .map((eventId) => ({ eventId, acsRegion: region })),
  };
}

describe('aggregator survives kill -9 (real Kafka + Redis, bundled service)', () => {
  let topics: TestTopics<Topics>;
  let producer: PlainProducer;
  let collector: TopicCollector;
  let redis: Redis;
  let env: Record<string, string>;
  const prefix = `${uniqueName('agg-crash')}:`;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    bundleServices('aggregator');
    topics = await createTestTopics<Topics>({ ipInsights: 3, insightEvents: 3, dlq: 1 });
    env = {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      REDIS_URL: requireTestEnv('REDIS_URL'),
      KAFKA_GROUP_ID: uniqueName('aggregator-crash'),
      KAFKA_TOPIC_IP_INSIGHTS: topics.names.ipInsights,
      KAFKA_TOPIC_INSIGHT_EVENTS: topics.names.insightEvents,
      KAFKA_TOPIC_DEAD_LETTER: topics.names.dlq,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      INSIGHT_STORE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    };
    producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    collector = await collectTestTopics([topics.names.insightEvents, topics.names.dlq]);
    redis = new Redis(requireTestEnv('REDIS_URL'));
  });

  afterAll(async () => {
    await Promise.all(processes.map((service) => service.kill('SIGKILL')));
    await collector?.stop();
    await producer?.disconnect();
    await topics?.cleanup();
    if (redis !== undefined) {
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (found.length > 0) {
          await redis.del(...found);
        }
      } while (cursor !== '0');
      redis.disconnect();
    }
  });

  async function startAggregator(): Promise<ServiceProcess> {
    const service = ServiceProcess.start('aggregator', await freePort(), env);
    processes.push(service);
    await service.waitReady();
    return service;
  }

  /** Distinct insights whose events were read from insight-events so far. */
  const insightsSeen = (): number =>
    new Set(collector.of(topics.names.insightEvents).map((m) => m.headers['insight-id'])).size;

  it('delivers every insight event with stable bytes and stores each insight once', async () => {
    const seed = Date.now() % 1_000_000;
    const random = seededRandom(seed);
    const messages = Array.from({ length: INSIGHTS }, (_, index) => messageOf(index, random));
    const expected = new Map<string, { bytes: string; key: string; insightId: string }>();
    for (const message of messages) {
      for (const event of toInsightEvents(
        message.insight,
        message.attributions,
        message.provider,
      )) {
        expected.set(event.eventId, {
          bytes: JSON.stringify(event),
          key: message.insight.accountId,
          insightId: message.insight.insightId,
        });
      }
    }
    for (let from = 0; from < messages.length; from += 1_000) {
      await producer.send(
        topics.names.ipInsights,
        messages.slice(from, from + 1_000).map((message) => ({
          key: message.insight.accountId,
          value: JSON.stringify(message),
        })),
      );
    }
    await collector.joined;

    const started = Date.now();
    const killPoints = Array.from({ length: KILLS }, () => 0.1 + 0.8 * random()).sort(
      (a, b) => a - b,
    );
    const kills: string[] = [];
    for (const point of killPoints) {
      const service = await startAggregator();
      const threshold = Math.max(insightsSeen() + 1, Math.floor(point * INSIGHTS));
      await waitFor(() => insightsSeen() >= threshold, 120_000, `${threshold} insights out`, {
        abort: collector.crashed,
        intervalMs: 5,
      });
      await service.kill('SIGKILL');
      kills.push(`${insightsSeen()}/${INSIGHTS} at ${Date.now() - started} ms`);
    }
    const last = await startAggregator();
    await waitFor(
      () => {
        const seen = new Set(
          collector.of(topics.names.insightEvents).map((m) => {
            const event = JSON.parse(String(m.value)) as { eventId: string };
            return event.eventId;
          }),
        );
        return seen.size >= expected.size;
      },
      180_000,
      `all ${expected.size} insight events after ${KILLS} kill -9`,
      { abort: collector.crashed, intervalMs: 250 },
    );
    const exit = await last.stop();
    expect(exit.signal).toBe('SIGTERM');
    const seconds = (Date.now() - started) / 1000;

    const firstBytes = new Map<string, string>();
    const differing: string[] = [];
    let duplicates = 0;
    for (const message of collector.of(topics.names.insightEvents)) {
      const bytes = String(message.value);
      const { eventId } = JSON.parse(bytes) as { eventId: string };
      const want = expected.get(eventId);
      expect(want).toBeDefined();
      expect(message.key?.toString()).toBe(want?.key);
      expect(message.headers['insight-id']).toBe(want?.insightId);
      const first = firstBytes.get(eventId);
      if (first === undefined) {
        firstBytes.set(eventId, bytes);
      } else {
        duplicates += 1;
        if (first !== bytes) {
          differing.push(eventId);
        }
      }
    }
    expect(differing).toEqual([]);
    expect([...firstBytes.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [eventId, bytes] of firstBytes) {
      expect(bytes).toBe(expected.get(eventId)?.bytes);
    }
    expect(collector.of(topics.names.dlq)).toHaveLength(0);

    const byStart = await redis.zrange(`${prefix}insights:by-start`, 0, -1);
    expect(byStart).toHaveLength(INSIGHTS);
    expect(new Set(byStart)).toEqual(new Set(messages.map((m) => m.insight.insightId)));
    expect(await redis.zcard(`${prefix}insights:by-expiry`)).toBe(INSIGHTS);
    let records = 0;
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(
        cursor,
        'MATCH',
        `${prefix}insight:{*}`,
        'COUNT',
        2000,
      );
      cursor = next;
      records += found.length;
    } while (cursor !== '0');
    expect(records).toBe(INSIGHTS);
    for (let from = 0; from < messages.length; from += 500) {
      const slice = messages.slice(from, from + 500);
      const pipeline = redis.pipeline();
      for (const message of slice) {
        pipeline.get(`${prefix}insight:{${message.insight.insightId}}`);
        pipeline.lrange(`${prefix}insight:{${message.insight.insightId}}:events`, 0, -1);
      }
      const replies = (await pipeline.exec()) ?? [];
      slice.forEach((message, index) => {
        const record = JSON.parse(String(replies[2 * index]?.[1])) as {
          insight: IpInsight;
          insightEvents: unknown[];
        };
        expect(record.insight).toEqual(message.insight);
        expect(record.insightEvents).toEqual(
          toInsightEvents(message.insight, message.attributions, message.provider),
        );
        expect(replies[2 * index + 1]?.[1]).toEqual(
          message.managementEvents?.map((event) => JSON.stringify(event)),
        );
      });
    }
    process.stdout.write(
      `aggregator kill -9 (seed ${seed}): ${INSIGHTS} insights, ${expected.size} insight events, ` +
        `${collector.of(topics.names.insightEvents).length} delivered, ${duplicates} byte-identical ` +
        `repeats; kills after ${kills.join(', ')}; ${seconds.toFixed(1)} s\n`,
    );
  });
});
