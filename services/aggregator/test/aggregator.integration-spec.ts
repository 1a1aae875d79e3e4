/**
 * Aggregator end to end on the REAL Kafka and Redis of deploy/local/stack.sh (needs: kafka, redis).
 *
 * Proves: an `ip-insights` message becomes one SPEC §5 insight event per 5-minute bucket on
 * insight-events (Start/Update/End, keyed by account, deterministic ids), and the insight is stored
 * in Redis under the documented keys with its events, its management events and a 90-day TTL; a
 * redelivery of the same message produces byte-identical events (same ids) and no duplicate in the
 * store; a message that does not match the schema is dead-lettered.
 */
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';

import { insightEventSchema, insightIdOf, toInsightEvents } from '@trail-insight/insights';
import { createProducer } from '@trail-insight/kafka';
import {
  collectTestTopics,
  createTestTopics,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import type { INestApplication } from '@nestjs/common';
import type { IpInsight } from '@trail-insight/insights';
import type { IpInsightMessage, PlainProducer, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

import { AppModule } from '../src/app.module';
import { loadAggregatorConfig } from '../src/config/env.schema';
import { InsightStoreKeys } from '@trail-insight/state-redis';

jest.setTimeout(120_000);

type Topics = 'ipInsights' | 'insightEvents' | 'dlq';

const DAY = 86_400_000;

function insightOf(account: string, ip: string, start: number, counts: number[]): IpInsight {
  const bucket0 = Math.floor(start / 300_000) * 300_000;
  return {
    insightType: 'IPInsight',
    insightId: insightIdOf(account, 'cn-hangzhou', ip, start),
    accountId: account,
    region: 'cn-hangzhou',
    sourceIpAddress: ip,
    startTime: new Date(start).toISOString(),
    endTime: new Date(bucket0 + (counts.length - 1) * 900_000 + 1_000).toISOString(),
    verdictTime: new Date(start + 7 * DAY).toISOString(),
    eventCount: counts.reduce((sum, count) => sum + count, 0),
    heterogeneity: 100,
    predictedValue: 0,
    threshold: 0.5,
    buckets: counts.map((count, index) => ({
      startTime: new Date(bucket0 + index * 900_000).toISOString(),
      durationSeconds: 300,
      count,
    })),
    eventIds: counts.map((_, index) => `evt-${index}`),
  };
}

function messageOf(insight: IpInsight, provider: 'actiontrail' | 'cloudtrail'): IpInsightMessage {
  return {
    insight,
    provider,
    attributions: {
      userAgent: { 'aliyun-cli/3.0': insight.eventCount },
      principalId: { '20341234': insight.eventCount },
      apiRelated: { DescribeInstances: insight.eventCount - 1, DeleteInstance: 1 },
      errorCode: {},
    },
    state: 'confirmed',
    managementEvents: insight.eventIds.map((eventId) => ({ eventId, acsRegion: 'cn-hangzhou' })),
  };
}

describe('aggregator (real Kafka + Redis)', () => {
  let topics: TestTopics<Topics>;
  let app: INestApplication;
  let producer: PlainProducer;
  let collector: TopicCollector;
  let redis: Redis;
  const prefix = `${uniqueName('agg')}:`;
  const keys = new InsightStoreKeys(prefix);

  beforeAll(async () => {
    topics = await createTestTopics<Topics>({ ipInsights: 2, insightEvents: 3, dlq: 1 });
    const config = loadAggregatorConfig({
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      KAFKA_GROUP_ID: uniqueName('aggregator-group'),
      KAFKA_TOPIC_IP_INSIGHTS: topics.names.ipInsights,
      KAFKA_TOPIC_INSIGHT_EVENTS: topics.names.insightEvents,
      KAFKA_TOPIC_DEAD_LETTER: topics.names.dlq,
      REDIS_URL: requireTestEnv('REDIS_URL'),
      INSIGHT_STORE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.create(AppModule.register(config), { logger: false });
    await app.init();
    producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    collector = await collectTestTopics([topics.names.insightEvents, topics.names.dlq]);
    redis = new Redis(requireTestEnv('REDIS_URL'));
  });

  afterAll(async () => {
    await collector?.stop();
    await producer?.disconnect();
    await app?.close();
    await topics?.cleanup();
    if (redis !== undefined) {
      const found = await redis.keys(`${prefix}*`);
      if (found.length > 0) {
        await redis.del(...found);
      }
      redis.disconnect();
    }
  });

  const eventsOf = (insightId: string) =>
    collector
      .of(topics.names.insightEvents)
      .filter((message) => message.headers['insight-id'] === insightId);

  it('turns an IPInsight into Start/Update/End events, stores it, and stays identical on redelivery', async () => {
    const start = Date.now() - 8 * DAY;
    const insight = insightOf('1234', '42.120.1.2', start, [3, 1, 2]);
    const single = insightOf('5678', '2001:db8::1', start + 60_000, [4]);
    const message = messageOf(insight, 'actiontrail');
    await producer.send(topics.names.ipInsights, [
      { key: insight.accountId, value: JSON.stringify(message) },
      { key: single.accountId, value: JSON.stringify(messageOf(single, 'cloudtrail')) },
    ]);
    await waitFor(
      () => eventsOf(insight.insightId).length === 3 && eventsOf(single.insightId).length === 1,
      30_000,
      'insight events of both insights',
      { abort: collector.crashed },
    );

    const produced = eventsOf(insight.insightId);
    const parsed = produced.map((m) => insightEventSchema.parse(JSON.parse(String(m.value))));
    expect(parsed.map((event) => event.insightDetails.state)).toEqual(['Start', 'Update', 'End']);
    expect(parsed.map((event) => event.insightDetails.insightContext.statistics.insight)).toEqual([
      3, 1, 2,
    ]);
    expect(produced.every((m) => m.key?.toString() === '1234')).toBe(true);
    const expected = toInsightEvents(insight, message.attributions, 'actiontrail');
    expect(parsed.map((event) => event.eventId)).toEqual(expected.map((event) => event.eventId));
    expect(produced.map((m) => String(m.value))).toEqual(expected.map((e) => JSON.stringify(e)));

    const [cloud] = eventsOf(single.insightId).map((m) => JSON.parse(String(m.value)) as unknown);
    expect(cloud).toMatchObject({
      awsRegion: 'cn-hangzhou',
      acsRegion: 'cn-hangzhou',
      insightDetails: {
        state: 'Start',
        insightContext: { statistics: { insight: 4, insightCount: 4 } },
      },
    });

    const record = JSON.parse((await redis.get(keys.record(insight.insightId))) ?? 'null');
    expect(record).toMatchObject({ v: 1, state: 'confirmed', provider: 'actiontrail', insight });
    expect(record.insightEvents).toEqual(expected);
    const ttl = await redis.pttl(keys.record(insight.insightId));
    expect(ttl).toBeGreaterThan(89 * DAY);
    expect(ttl).toBeLessThanOrEqual(90 * DAY);
    expect(await redis.lrange(keys.events(insight.insightId), 0, -1)).toEqual(
      message.managementEvents?.map((event) => JSON.stringify(event)),
    );
    expect(Number(await redis.zscore(keys.byStart(), insight.insightId))).toBe(start);
    const storedBefore = await redis.get(keys.record(insight.insightId));

    // redelivery: the same message again
    await producer.send(topics.names.ipInsights, [
      { key: insight.accountId, value: JSON.stringify(message) },
    ]);
    await waitFor(() => eventsOf(insight.insightId).length === 6, 30_000, 'redelivered events', {
      abort: collector.crashed,
    });
    const again = eventsOf(insight.insightId)
      .slice(3)
      .map((m) => String(m.value));
    expect(again).toEqual(produced.map((m) => String(m.value)));
    expect(await redis.zcard(keys.byStart())).toBe(2);
    expect(await redis.llen(keys.events(insight.insightId))).toBe(3);
    expect(await redis.get(keys.record(insight.insightId))).toBe(storedBefore);
  });

  it('stores a dismissed insight for the console without producing insight events', async () => {
    const start = Date.now() - 3 * DAY;
    const insight = insightOf('4321', '198.51.100.77', start, [2]);
    const confirmedAfter = insightOf('4321', '198.51.100.78', start + 1_000, [1]);
    await producer.send(topics.names.ipInsights, [
      {
        key: '4321',
        value: JSON.stringify({ ...messageOf(insight, 'actiontrail'), state: 'dismissed' }),
      },
      { key: '4321', value: JSON.stringify(messageOf(confirmedAfter, 'actiontrail')) },
    ]);
    await waitFor(
      () => eventsOf(confirmedAfter.insightId).length === 1,
      30_000,
      'the later insight',
      {
        abort: collector.crashed,
      },
    );
    expect(eventsOf(insight.insightId)).toEqual([]);
    const record = JSON.parse((await redis.get(keys.record(insight.insightId))) ?? 'null');
    expect(record).toMatchObject({ v: 1, state: 'dismissed', insight, insightEvents: [] });
    expect(Number(await redis.zscore(keys.byStart(), insight.insightId))).toBe(start);
  });

  it('dead-letters a message that does not match the ip-insights schema', async () => {
    await producer.send(topics.names.ipInsights, [
      { key: '1', value: JSON.stringify({ insight: { insightId: 'nope' }, state: 'provisional' }) },
      { key: '1', value: 'not json' },
    ]);
    await waitFor(() => collector.of(topics.names.dlq).length >= 2, 30_000, 'two dead letters', {
      abort: collector.crashed,
    });
    expect(collector.of(topics.names.dlq).map((m) => m.headers['reason'])).toEqual([
      'schema-mismatch',
      'invalid-json',
    ]);
  });
});
