/**
 * Infrastructure: real Kafka with a plaintext listener (KAFKA_BROKERS) and a SASL_SSL/PLAIN listener
 * standing in for SLS's Kafka-compatible endpoint (KAFKA_SASL_BROKERS, KAFKA_SASL_USERNAME,
 * KAFKA_SASL_PASSWORD = `AccessKeyId#AccessKeySecret`, KAFKA_SASL_CA_FILE);
 * `TRAIL_INSIGHT_STACK="kafka kafka-sasl"`. Runs the bundled `services/sink-sls/dist/main.js`.
 *
 * Property: each insight event consumed from `insight-events` (plaintext) is written exactly once as
 * one JSON message to `<logstore>.json` over SASL_SSL with user = project and password =
 * `AccessKeyId#AccessKeySecret`, read back by a SASL_SSL consumer with every field intact; with a
 * wrong secret the sink stays up, is not ready, counts `auth` failures, logs the cause once (not
 * once per retry), commits nothing and writes nothing.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { toInsightEvents, toIpInsight } from '@trail-insight/insights';
import { collectTopics, createProducer, createTopics, deleteTopics } from '@trail-insight/kafka';
import {
  ServiceProcess,
  bundleServices,
  createTestTopics,
  freePort,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import type { ObservationWindow } from '@trail-insight/detection';
import type { InsightEvent } from '@trail-insight/insights';
import type { KafkaConnectionConfig, PlainProducer, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

jest.setTimeout(180_000);

/** The insight events the aggregator would emit for an insight with `buckets` 5-minute buckets. */
function insightEvents(
  accountId: string,
  region: string,
  ip: string,
  buckets: number,
): InsightEvent[] {
  const t0 = Date.UTC(2026, 2, 10, 2, 0);
  const window: ObservationWindow = {
    ip,
    start: t0,
    lastTime: t0 + (buckets - 1) * 300_000,
    eventCount: buckets,
    slots: 1,
    buckets: Array.from({ length: buckets }, (_, index) => ({
      start: t0 + index * 300_000,
      count: 1,
    })),
    eventIds: [],
    predictedValue: 0,
    threshold: 0.5,
    heterogeneity: 100,
    signals: [],
  };
  return toInsightEvents(
    toIpInsight({ accountId, region, window }),
    { userAgent: {}, principalId: {}, apiRelated: { DescribeInstances: buckets }, errorCode: {} },
    region.startsWith('us-') ? 'cloudtrail' : 'actiontrail',
  );
}

function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) {
      continue;
    }
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`))) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

describe('sink-sls (bundled, real Kafka with a SASL_SSL listener)', () => {
  const logstore = `test-ls-${randomUUID().slice(0, 12)}`;
  const slsTopic = `${logstore}.json`;
  const [accessKeyId = '', ...secretParts] = requireTestEnv('KAFKA_SASL_PASSWORD').split('#');
  const accessKeySecret = secretParts.join('#');
  let topics: TestTopics<'insights' | 'deadLetter'>;
  let producer: PlainProducer;
  let reader: TopicCollector;
  const services: ServiceProcess[] = [];
  const events = [
    ...insightEvents('1234', 'cn-hangzhou', '203.0.113.7', 25),
    ...insightEvents('5678', 'us-east-1', '2001:db8::7', 15),
  ];

  const saslConnection = (): KafkaConnectionConfig => ({
    brokers: [requireTestEnv('KAFKA_SASL_BROKERS')],
    clientId: uniqueName('sls-reader'),
    sasl: {
      mechanism: 'plain',
      username: requireTestEnv('KAFKA_SASL_USERNAME'),
      password: requireTestEnv('KAFKA_SASL_PASSWORD'),
    },
    ssl: { ca: [readFileSync(requireTestEnv('KAFKA_SASL_CA_FILE'), 'utf8')] },
  });

  async function startSink(secret: string): Promise<ServiceProcess> {
    const service = ServiceProcess.start('sink-sls', await freePort(), {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      KAFKA_GROUP_ID: uniqueName('group'),
      KAFKA_TOPIC_INSIGHT_EVENTS: topics.names.insights,
      KAFKA_TOPIC_DEAD_LETTER: topics.names.deadLetter,
      SLS_PROJECT: requireTestEnv('KAFKA_SASL_USERNAME'),
      SLS_LOGSTORE: logstore,
      SLS_ENDPOINT: requireTestEnv('KAFKA_SASL_BROKERS'),
      SLS_ACCESS_KEY_ID: accessKeyId,
      SLS_ACCESS_KEY_SECRET: secret,
      SLS_CA_FILE: requireTestEnv('KAFKA_SASL_CA_FILE'),
      LOG_LEVEL: 'info',
    });
    services.push(service);
    return service;
  }

  beforeAll(async () => {
    bundleServices('sink-sls');
    topics = await createTestTopics({ insights: 3, deadLetter: 1 });
    await createTopics(
      { brokers: [requireTestEnv('KAFKA_BROKERS')], clientId: uniqueName('admin') },
      [slsTopic],
      2,
    );
    producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    await producer.send(
      topics.names.insights,
      events.map((event) => ({
        key: event.recipientAccountId,
        value: JSON.stringify(event),
      })),
    );
    reader = await collectTopics(saslConnection(), [slsTopic]);
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill('SIGKILL')));
    await reader?.stop();
    await producer?.disconnect();
    await topics?.cleanup();
    await deleteTopics(
      { brokers: [requireTestEnv('KAFKA_BROKERS')], clientId: uniqueName('admin') },
      [slsTopic],
    );
  });

  it('with a wrong secret: stays up, not ready, counts auth failures, logs the cause once, writes nothing', async () => {
    const sink = await startSink(`${accessKeySecret}-wrong`);
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${sink.port}/health`)).ok,
      60_000,
      'sink /health',
    );
    await waitFor(
      async () =>
        metricSum(await sink.metrics(), 'sink_sls_sls_failures_total', { kind: 'auth' }) >= 4,
      60_000,
      'repeated auth failures',
    );
    const ready = await fetch(`http://127.0.0.1:${sink.port}/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('failing: auth');
    const metrics = await sink.metrics();
    expect(metricSum(metrics, 'sink_sls_sls_connected')).toBe(0);
    expect(metricSum(metrics, 'sink_sls_events_sent_total')).toBe(0);
    expect(metricSum(metrics, 'sink_sls_kafka_messages_in_total')).toBe(0);
    expect(metricSum(metrics, 'sink_sls_kafka_dead_lettered_total')).toBe(0);
    const lines = sink.logs.split('\n').filter((line) => line.startsWith('{'));
    const errorLines = lines.filter((line) => line.includes('"level":"error"'));
    expect(errorLines).toHaveLength(1);
    expect(JSON.parse(errorLines[0] ?? '')).toMatchObject({ kind: 'auth', operation: 'connect' });
    expect(errorLines[0]).toContain('SLS rejected the credentials');
    // One warn per backed-off retry (200 ms doubling per partition), never a tight loop.
    const failures = metricSum(metrics, 'sink_sls_sls_failures_total');
    expect(lines.filter((line) => line.includes('backing off')).length).toBeLessThanOrEqual(
      failures,
    );
    expect(sink.logs).not.toContain(accessKeySecret + '-wrong');
    expect(sink.exited).toBe(false);
    await sink.stop();
    expect(reader.of(slsTopic)).toHaveLength(0);
  });

  it('writes one JSON message per insight event to <logstore>.json over SASL_SSL', async () => {
    const sink = await startSink(accessKeySecret);
    await sink.waitReady();
    await reader.joined;
    await waitFor(() => reader.of(slsTopic).length >= events.length, 60_000, 'every event in SLS', {
      abort: reader.crashed,
    });
    await waitFor(
      async () =>
        metricSum(await sink.metrics(), 'sink_sls_kafka_messages_in_total', {
          outcome: 'processed',
        }) === events.length,
      30_000,
      'offsets resolved',
    );
    const written = reader
      .of(slsTopic)
      .map((message) => JSON.parse(message.value!.toString('utf8')) as InsightEvent);
    expect(written).toHaveLength(events.length);
    const byId = new Map(written.map((event) => [event.eventId, event]));
    expect(byId.size).toBe(events.length);
    for (const event of events) {
      expect(byId.get(event.eventId)).toEqual(event);
    }
    const metrics = await sink.metrics();
    expect(metricSum(metrics, 'sink_sls_events_sent_total')).toBe(events.length);
    expect(metricSum(metrics, 'sink_sls_sls_connected')).toBe(1);
    const exit = await sink.stop();
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(sink.logs).toContain('"msg":"consumer stopped"');
  });
});
