/**
 * Detector end to end on the REAL Kafka and Redis of deploy/local/stack.sh (needs: kafka, redis).
 * The bundled service (`node services/detector/dist/main.js`) runs as child processes; each test
 * uses its own topics, consumer group and Redis prefix.
 *
 * Proves, for a multi-week trail produced to `normalized-events` with disorder below the allowed
 * lateness (idle advance off), comparing windows whose verdict is at or before the final
 * watermark (latest event − lateness):
 * - equivalence: the `ip-insights` output equals `analyzeTrailPaths` on the same records (ids,
 *   counts, buckets, event ids), with attributions that account for every operation;
 * - crash: `kill -9` twice and a SIGTERM at random points during the stream, each followed by a
 *   restart, give the same insight ids with the same content: none lost, none different (repeats
 *   are only exact copies; counted);
 * - provisional: an unfamiliar IP's operation is visible in Redis within seconds;
 * - rebalance: a second instance joining the group mid-stream leaves the output unchanged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { NONE_MODEL } from '@trail-insight/detection';
import {
  NORMALIZED_EVENT_SCHEMA_HEADER,
  createProducer,
  packNormalizedEvents,
  ipInsightMessageSchema,
  topicEndOffsets,
} from '@trail-insight/kafka';
import {
  ServiceProcess,
  bundleServices,
  collectTestTopics,
  createTestTopics,
  freePort,
  requireTestEnv,
  testKafkaConnection,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';
import { analyzeTrailPaths } from '@trail-insight/trail-files';

import type { IpInsight } from '@trail-insight/insights';
import type { IpInsightMessage, TopicCollector } from '@trail-insight/kafka';

import { TestRandom, deliveryOrder, syntheticTrail, writeJsonLines } from './synthetic-trail';

import type { SyntheticRecord } from './synthetic-trail';

const LATENESS = 600_000;
const PARTITIONS = 4;

interface Scenario {
  ordered: SyntheticRecord[];
  expected: Map<string, IpInsight>;
}

interface Output {
  ids: Map<string, IpInsightMessage>;
  duplicates: number;
  conflicting: string[];
}

async function buildScenario(seed: number, perIpPerDay: number): Promise<Scenario> {
  const dir = mkdtempSync(join(tmpdir(), 'detector-e2e-'));
  try {
    const records = syntheticTrail({ seed, accounts: 8, days: 24, perIpPerDay });
    const ordered = deliveryOrder(records, LATENESS, seed + 1);
    const latest = Math.max(...records.map((r) => r.event.time));
    // One baseline-only event per account at the latest time: every partition's watermark ends
    // at latest − lateness (kafka keys route it with the account).
    for (const accountId of new Set(records.map((r) => r.event.accountId))) {
      const sentinel = syntheticSentinel(accountId, latest);
      ordered.push(sentinel);
    }
    writeJsonLines(join(dir, 'trail.jsonl'), ordered);
    const batch = await analyzeTrailPaths([dir], {
      config: { minBaseline: 50, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const watermark = latest - LATENESS;
    const expected = new Map(
      batch.insights
        .filter((insight) => Date.parse(insight.verdictTime) <= watermark)
        .map((insight) => [insight.insightId, insight]),
    );
    return { ordered, expected };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function syntheticSentinel(accountId: string, time: number): SyntheticRecord {
  const raw = {
    eventId: `sentinel-${accountId}`,
    eventTime: new Date(time).toISOString(),
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: 'internal',
    userIdentity: { accountId },
  };
  return {
    raw,
    event: {
      time,
      eventId: raw.eventId,
      accountId,
      region: 'cn-hangzhou',
      isGlobal: false,
      sourceIp: null,
      provider: 'actiontrail',
      userAgent: null,
      principalId: null,
      eventName: null,
      errorCode: null,
    },
  };
}

function outputOf(collector: TopicCollector, topic: string): Output {
  const output: Output = { ids: new Map(), duplicates: 0, conflicting: [] };
  for (const message of collector.of(topic)) {
    const parsed = ipInsightMessageSchema.parse(JSON.parse((message.value as Buffer).toString()));
    if (parsed.state === 'dismissed') {
      continue;
    }
    const id = parsed.insight.insightId;
    const seen = output.ids.get(id);
    if (seen === undefined) {
      output.ids.set(id, parsed);
    } else {
      output.duplicates += 1;
      if (JSON.stringify(seen) !== JSON.stringify(parsed)) {
        output.conflicting.push(id);
      }
    }
  }
  return output;
}

function lagOf(metrics: string): number {
  let lag = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith('detector_kafka_consumer_lag{')) {
      lag += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return lag;
}

function metricValue(metrics: string, name: string): number {
  const line = metrics.split('\n').find((text) => text.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

describe('detector service (real Kafka + Redis)', () => {
  const processes: ServiceProcess[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  let redis: Redis;
  let scenario: Scenario;

  beforeAll(async () => {
    bundleServices('detector');
    redis = new Redis(requireTestEnv('REDIS_URL'));
    scenario = await buildScenario(21, 10);
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.kill('SIGKILL')));
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => undefined);
    }
  });

  afterAll(async () => {
    await redis.quit();
  });

  async function setup(): Promise<{
    topics: { input: string; insights: string; dlq: string };
    env: Record<string, string>;
    collector: TopicCollector;
  }> {
    const created = await createTestTopics({ input: PARTITIONS, insights: 1, dlq: 1 });
    cleanups.push(() => created.cleanup());
    const prefix = `${uniqueName('det')}:`;
    cleanups.push(async () => {
      const keys = await redis.keys(`${prefix}*`);
      for (let i = 0; i < keys.length; i += 500) {
        await redis.del(...keys.slice(i, i + 500));
      }
    });
    const collector = await collectTestTopics([created.names.insights, created.names.dlq]);
    cleanups.push(() => collector.stop());
    const env = {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      REDIS_URL: requireTestEnv('REDIS_URL'),
      REDIS_PREFIX: prefix,
      KAFKA_GROUP_ID: uniqueName('detector'),
      KAFKA_TOPIC_NORMALIZED_EVENTS: created.names.input,
      KAFKA_TOPIC_IP_INSIGHTS: created.names.insights,
      KAFKA_TOPIC_DEAD_LETTER: created.names.dlq,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      DETECTOR_MODEL: 'none',
      DETECTOR_MIN_BASELINE: '50',
      DETECTOR_IDLE_ADVANCE: 'false',
      DETECTOR_ALLOWED_LATENESS_MS: String(LATENESS),
      LOG_LEVEL: 'warn',
    };
    return { topics: created.names, env, collector };
  }

  async function start(env: Record<string, string>): Promise<ServiceProcess> {
    const service = ServiceProcess.start('detector', await freePort(), env);
    processes.push(service);
    await service.waitReady();
    return service;
  }

  async function produce(topic: string, records: readonly SyntheticRecord[]): Promise<void> {
    const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    try {
      // Both wire formats: chunks alternate between ingest's packed arrays (v2) and single events (v1).
      for (let i = 0; i < records.length; i += 5_000) {
        const events = records.slice(i, i + 5_000).map(({ event }) => event);
        await producer.send(
          topic,
          (i / 5_000) % 2 === 1
            ? packNormalizedEvents(events, PARTITIONS)
            : events.map((event) => ({
                key: event.accountId,
                value: JSON.stringify(event),
                headers: NORMALIZED_EVENT_SCHEMA_HEADER,
              })),
        );
      }
    } finally {
      await producer.disconnect();
    }
  }

  /** Waits until the detectors consumed everything and the collector read every insight. */
  async function settle(
    collector: TopicCollector,
    insightsTopic: string,
    live: () => ServiceProcess[],
  ): Promise<Output> {
    await waitFor(
      async () => {
        const output = outputOf(collector, insightsTopic);
        if (![...scenario.expected.keys()].every((id) => output.ids.has(id))) {
          return false;
        }
        const lags = await Promise.all(live().map(async (p) => lagOf(await p.metrics())));
        if (lags.some((lag) => lag !== 0)) {
          return false;
        }
        const ends = await topicEndOffsets(testKafkaConnection(), insightsTopic);
        const produced = [...ends.values()].reduce((a, b) => a + Number(b), 0);
        return collector.of(insightsTopic).length === produced;
      },
      240_000,
      'every expected insight and no consumer lag',
      { abort: collector.crashed, intervalMs: 250 },
    );
    return outputOf(collector, insightsTopic);
  }

  function assertEquivalent(output: Output): void {
    expect(output.conflicting).toEqual([]);
    expect([...output.ids.keys()].sort()).toEqual([...scenario.expected.keys()].sort());
    for (const [id, message] of output.ids) {
      expect(message.insight).toEqual(scenario.expected.get(id));
      const userAgents = Object.values(message.attributions.userAgent).reduce((a, b) => a + b, 0);
      expect(userAgents).toBe(message.insight.eventCount);
      expect(message.state).toBe('confirmed');
    }
  }

  it('produces exactly the batch insights (equivalence)', async () => {
    const { topics, env, collector } = await setup();
    await collector.joined;
    const service = await start(env);
    const started = Date.now();
    await produce(topics.input, scenario.ordered);
    // Poison: not JSON, and a packed array whose only event lacks its time (dead-lettered alone).
    const poisonProducer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('poison'));
    await poisonProducer.connect();
    const [first] = scenario.ordered;
    if (first === undefined) {
      throw new Error('the scenario has no records');
    }
    await poisonProducer.send(topics.input, [
      { key: first.event.accountId, value: '{"time":' },
      {
        key: first.event.accountId,
        value: JSON.stringify([{ ...first.event, time: 'yesterday' }]),
      },
    ]);
    await poisonProducer.disconnect();
    const output = await settle(collector, topics.insights, () => [service]);
    await waitFor(() => collector.of(topics.dlq).length >= 2, 30_000, 'two dead letters');
    expect(
      collector
        .of(topics.dlq)
        .map((m) => [m.headers['reason'], m.headers['record-index'] ?? null])
        .sort(),
    ).toEqual([
      ['invalid-json', null],
      ['schema-mismatch', '0'],
    ]);
    const seconds = (Date.now() - started) / 1000;
    const metrics = await service.metrics();
    process.stdout.write(
      `equivalence: ${scenario.ordered.length} events, ${output.ids.size} insights, ` +
        `${(scenario.ordered.length / seconds).toFixed(0)} events/s end to end (produce included), ` +
        `late=${metricValue(metrics, 'detector_late_events_total')}\n`,
    );
    assertEquivalent(output);
    expect(output.duplicates).toBe(0);
    expect(metricValue(metrics, 'detector_late_events_total')).toBe(0);
    expect(metricValue(metrics, 'detector_events_in_total')).toBe(scenario.ordered.length);
    expect(collector.of(topics.dlq)).toHaveLength(2);
  });

  it('loses nothing and changes nothing when killed -9 (or stopped) at random points', async () => {
    const { topics, env, collector } = await setup();
    await collector.joined;
    const random = new TestRandom(Date.now() % 100_000);
    const total = scenario.ordered.length;
    let service = await start(env);
    // The stream is produced in three parts while the detector runs; each part ends in a kill -9
    // (the middle one in a SIGTERM) and a restart.
    const parts = [0, Math.floor(total / 3), Math.floor((2 * total) / 3), total];
    let absorbedBefore = 0;
    const kills: string[] = [];
    for (let part = 0; part < 3; part += 1) {
      const from = parts[part];
      const to = parts[part + 1];
      if (from === undefined || to === undefined) {
        throw new RangeError(`no part ${part}`);
      }
      await produce(topics.input, scenario.ordered.slice(from, to));
      const target = absorbedBefore + Math.floor((to - from) * (0.2 + 0.6 * random.next()));
      const current = service;
      await waitFor(
        async () =>
          metricValue(await current.metrics(), 'detector_events_in_total') >=
          target - absorbedBefore,
        120_000,
        `detector absorbed ${target} events`,
        { intervalMs: 20 },
      );
      if (part === 1) {
        // A graceful stop (SIGTERM) in the middle: the batch in hand finishes, then it exits.
        const exit = await current.stop(30_000);
        expect(exit.signal).not.toBe('SIGKILL');
        kills.push(
          `part ${part}: SIGTERM after ${target}+ events (exit ${exit.code ?? exit.signal})`,
        );
      } else {
        await current.kill('SIGKILL');
        kills.push(`part ${part}: kill -9 after ${target}+ events`);
      }
      absorbedBefore = 0;
      service = await start(env);
    }
    const output = await settle(collector, topics.insights, () => [service]);
    process.stdout.write(
      `crash: ${kills.join('; ')}; ${output.ids.size} insights, ` +
        `${output.duplicates} exact repeats, ${output.conflicting.length} conflicting\n`,
    );
    assertEquivalent(output);
  });

  it('shows an unfamiliar IP as a provisional insight within seconds of its operation', async () => {
    const { topics, env } = await setup();
    await start(env);
    const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    const latencies: number[] = [];
    try {
      for (let sample = 0; sample < 10; sample += 1) {
        const accountId = `live-${sample}`;
        const key = `${env['REDIS_PREFIX']}{acct:${accountId}}:preview`;
        const sent = Date.now();
        await producer.send(topics.input, [
          {
            key: accountId,
            value: JSON.stringify({
              time: sent,
              eventId: `live-${sample}`,
              accountId,
              region: 'cn-hangzhou',
              isGlobal: false,
              sourceIp: `192.0.2.${sample + 1}`,
              provider: 'actiontrail',
              userAgent: 'ua',
              principalId: null,
              eventName: 'CreateAccessKey',
              errorCode: null,
            }),
            headers: NORMALIZED_EVENT_SCHEMA_HEADER,
          },
        ]);
        await waitFor(
          async () => (await redis.hlen(key)) === 1,
          30_000,
          `preview of ${accountId}`,
          {
            intervalMs: 5,
          },
        );
        latencies.push(Date.now() - sent);
      }
    } finally {
      await producer.disconnect();
    }
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `provisional: produce → preview visible p50 ${latencies[4]} ms, max ${latencies[9]} ms\n`,
    );
    expect(latencies[9]).toBeLessThan(10_000);
  });

  it('gives the same output when a second instance joins mid-stream', async () => {
    const { topics, env, collector } = await setup();
    await collector.joined;
    const first = await start(env);
    const half = Math.floor(scenario.ordered.length / 2);
    await produce(topics.input, scenario.ordered.slice(0, half));
    await waitFor(
      async () => metricValue(await first.metrics(), 'detector_events_in_total') >= half / 4,
      120_000,
      'first instance started consuming',
      { intervalMs: 20 },
    );
    const second = await start(env);
    await produce(topics.input, scenario.ordered.slice(half));
    const output = await settle(collector, topics.insights, () => [first, second]);
    const absorbed = await Promise.all(
      [first, second].map(async (p) => metricValue(await p.metrics(), 'detector_events_in_total')),
    );
    process.stdout.write(
      `rebalance: events absorbed per instance ${absorbed.join(' + ')}; ` +
        `${output.ids.size} insights, ${output.duplicates} exact repeats\n`,
    );
    expect(absorbed[1]).toBeGreaterThan(0);
    assertEquivalent(output);
  });
});
