/**
 * Infrastructure: real Kafka (KAFKA_BROKERS) and a real S3-compatible server, s3proxy
 * (S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY); `TRAIL_INSIGHT_STACK="kafka s3"`.
 * Runs the bundled service (`services/sink-oss/dist/main.js`) as a child process.
 *
 * Property: every insight event consumed from `insight-events` lands exactly once in the bucket,
 * as gzip JSON arrays under `<prefix>/AliyunLogs/Actiontrail-Insight/<region>/<yyyy>/<mm>/<dd>/`,
 * one object per (insight, UTC day) even when an insight arrives split over batches; while the
 * bucket is unusable the sink retries without committing, then delivers everything; a redelivery
 * of the whole topic (new consumer group) leaves the same keys with the same bytes.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';

import { toInsightEvents, toIpInsight } from '@trail-insight/insights';
import { createProducer } from '@trail-insight/kafka';
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
import type { PlainProducer } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

/** The insight events the aggregator would emit for an insight with `buckets` 5-minute buckets. */
function insightEvents(
  accountId: string,
  region: string,
  ip: string,
  start: string,
  buckets: number,
): InsightEvent[] {
  const t0 = Date.parse(start);
  const window: ObservationWindow = {
    ip,
    start: t0,
    lastTime: t0 + (buckets - 1) * 300_000,
    eventCount: buckets * 2,
    slots: 1,
    buckets: Array.from({ length: buckets }, (_, index) => ({
      start: t0 + index * 300_000,
      count: 2,
    })),
    eventIds: [],
    predictedValue: 0,
    threshold: 0.5,
    heterogeneity: 100,
    signals: [],
  };
  const insight = toIpInsight({ accountId, region, window });
  return toInsightEvents(
    insight,
    {
      userAgent: { 'curl/8': buckets * 2 },
      principalId: { '2001': buckets * 2 },
      apiRelated: {},
      errorCode: {},
    },
    'actiontrail',
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

jest.setTimeout(180_000);

describe('sink-oss (bundled, real Kafka and S3)', () => {
  const bucket = `ti-oss-${randomUUID().slice(0, 12)}`;
  const prefix = `${uniqueName('oss')}/trail`;
  let s3: S3Client;
  let topics: TestTopics<'insights' | 'deadLetter'>;
  let producer: PlainProducer;
  const services: ServiceProcess[] = [];

  // Insight A spans midnight UTC (two daily objects) and is delivered in two halves; B and C are
  // other accounts/regions; D is a CloudTrail-style region.
  const a = insightEvents('1234', 'cn-hangzhou', '203.0.113.7', '2026-03-10T23:45:00Z', 6);
  const b = insightEvents('1234', 'ap-southeast-1', '198.51.100.9', '2026-03-11T08:00:00Z', 2);
  const c = insightEvents('5678', 'cn-hangzhou', '2001:db8::7', '2026-03-12T10:00:00Z', 1);
  const d = insightEvents('5678', 'us-east-1', '192.0.2.77', '2026-03-12T11:00:00Z', 3);
  const all = [...a, ...b, ...c, ...d];

  function sinkEnv(groupId: string): Record<string, string> {
    return {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      KAFKA_GROUP_ID: groupId,
      KAFKA_TOPIC_INSIGHT_EVENTS: topics.names.insights,
      KAFKA_TOPIC_DEAD_LETTER: topics.names.deadLetter,
      OSS_BUCKET: bucket,
      OSS_REGION: requireTestEnv('S3_REGION'),
      OSS_ENDPOINT: requireTestEnv('S3_ENDPOINT'),
      OSS_ACCESS_KEY_ID: requireTestEnv('S3_ACCESS_KEY_ID'),
      OSS_ACCESS_KEY_SECRET: requireTestEnv('S3_SECRET_ACCESS_KEY'),
      OSS_FORCE_PATH_STYLE: 'true',
      OSS_PREFIX: prefix,
      LOG_LEVEL: 'info',
    };
  }

  async function startSink(groupId: string): Promise<ServiceProcess> {
    const service = ServiceProcess.start('sink-oss', await freePort(), sinkEnv(groupId));
    services.push(service);
    return service;
  }

  /** SIGTERM: Nest runs the shutdown hooks (the consumer finishes and stops), then re-raises. */
  async function stopGracefully(service: ServiceProcess): Promise<void> {
    const exit = await service.stop();
    expect(exit.signal === 'SIGTERM' || exit.code === 0).toBe(true);
    expect(service.logs).toContain('"msg":"consumer stopped"');
  }

  async function produce(events: readonly InsightEvent[]): Promise<void> {
    await producer.send(
      topics.names.insights,
      events.map((event) => ({ key: event.recipientAccountId, value: JSON.stringify(event) })),
    );
  }

  async function listKeys(): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `${prefix}/`,
          ContinuationToken: token,
        }),
      );
      keys.push(...(page.Contents ?? []).map((object) => object.Key as string));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return keys.sort();
  }

  async function readObject(key: string): Promise<{ bytes: Buffer; events: InsightEvent[] }> {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = Buffer.from(await response.Body!.transformToByteArray());
    return { bytes, events: JSON.parse(gunzipSync(bytes).toString('utf8')) as InsightEvent[] };
  }

  function expectedObjects(events: readonly InsightEvent[]): Map<string, string[]> {
    const expected = new Map<string, string[]>();
    for (const event of events) {
      const day = event.eventTime.slice(0, 10);
      const [yyyy, mm, dd] = day.split('-');
      const key =
        `${prefix}/AliyunLogs/Actiontrail-Insight/${event.acsRegion}/${yyyy}/${mm}/${dd}/` +
        `${event.recipientAccountId}_Actiontrail-Insight_${event.acsRegion}_${yyyy}${mm}${dd}_${event.sharedEventId}.json.gz`;
      expected.set(key, [...(expected.get(key) ?? []), event.eventId]);
    }
    return expected;
  }

  async function bucketMatches(events: readonly InsightEvent[]): Promise<boolean> {
    const expected = expectedObjects(events);
    const keys = await listKeys();
    if (JSON.stringify(keys) !== JSON.stringify([...expected.keys()].sort())) {
      return false;
    }
    for (const key of keys) {
      const { events: stored } = await readObject(key);
      if (
        JSON.stringify(stored.map((event) => event.eventId)) !== JSON.stringify(expected.get(key))
      ) {
        return false;
      }
    }
    return true;
  }

  beforeAll(async () => {
    bundleServices('sink-oss');
    s3 = new S3Client({
      endpoint: requireTestEnv('S3_ENDPOINT'),
      region: requireTestEnv('S3_REGION'),
      forcePathStyle: true,
      credentials: {
        accessKeyId: requireTestEnv('S3_ACCESS_KEY_ID'),
        secretAccessKey: requireTestEnv('S3_SECRET_ACCESS_KEY'),
      },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    topics = await createTestTopics({ insights: 3, deadLetter: 1 });
    producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill('SIGKILL')));
    await producer?.disconnect();
    await topics?.cleanup();
    const keys = await listKeys().catch(() => []);
    if (keys.length > 0) {
      await s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })) },
        }),
      );
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
    s3?.destroy();
  });

  it('retries while the bucket is missing, then writes one object per insight and day', async () => {
    const sink = await startSink(uniqueName('group'));
    // The bucket does not exist yet: /ready fails, and the writes back off without committing.
    await waitFor(
      async () => (await fetch(`http://127.0.0.1:${sink.port}/health`)).ok,
      60_000,
      'sink /health',
    );
    expect((await fetch(`http://127.0.0.1:${sink.port}/ready`)).status).toBe(503);
    await produce([...a.slice(0, 2), ...b]);
    await waitFor(
      async () => metricSum(await sink.metrics(), 'sink_oss_kafka_handler_retries_total') >= 2,
      60_000,
      'retried batches while the bucket is missing',
    );
    const failing = await sink.metrics();
    expect(
      metricSum(failing, 'sink_oss_s3_requests_total', {
        operation: 'get',
        outcome: 'client_error',
      }),
    ).toBeGreaterThanOrEqual(2);
    expect(metricSum(failing, 'sink_oss_kafka_messages_in_total')).toBe(0);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sink.waitReady();
    await waitFor(
      () => bucketMatches([...a.slice(0, 2), ...b]),
      60_000,
      'first part in the bucket',
    );

    // The rest of insight A (its 2026-03-10 object is merged, 03-11 created) and two more insights.
    await produce([...a.slice(2), ...c, ...d]);
    // Not an insight event (strict schema of @trail-insight/insights): dead-lettered, never written.
    await producer.send(topics.names.insights, [
      { key: '1234', value: JSON.stringify({ ...c[0], eventId: 'not-a-uuid' }) },
    ]);
    await waitFor(() => bucketMatches(all), 60_000, 'every insight event in the bucket');

    const keys = await listKeys();
    expect(keys).toHaveLength(5);
    const [firstOfA] = a;
    if (firstOfA === undefined) {
      throw new Error('no insight events for account 1234');
    }
    expect(keys.filter((key) => key.includes(firstOfA.sharedEventId))).toEqual([
      expect.stringContaining(
        '/cn-hangzhou/2026/03/10/1234_Actiontrail-Insight_cn-hangzhou_20260310_',
      ),
      expect.stringContaining(
        '/cn-hangzhou/2026/03/11/1234_Actiontrail-Insight_cn-hangzhou_20260311_',
      ),
    ]);
    const { bytes, events } = await readObject(keys.find((key) => key.includes('/2026/03/10/'))!);
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(events).toEqual(a.slice(0, 3));
    const metrics = await sink.metrics();
    expect(
      metricSum(metrics, 'sink_oss_objects_written_total', { outcome: 'merged' }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricSum(metrics, 'sink_oss_insight_events_written_total')).toBe(all.length);
    await waitFor(
      async () =>
        metricSum(await sink.metrics(), 'sink_oss_kafka_dead_lettered_total', {
          reason: 'schema-mismatch',
        }) === 1,
      30_000,
      'the malformed event dead-lettered',
    );

    await stopGracefully(sink);
  });

  it('writes the same keys and bytes again on a full redelivery', async () => {
    const before = await listKeys();
    const bytesBefore = await Promise.all(before.map(async (key) => (await readObject(key)).bytes));
    const sink = await startSink(uniqueName('group'));
    await sink.waitReady();
    await waitFor(
      async () =>
        metricSum(await sink.metrics(), 'sink_oss_kafka_messages_in_total', {
          outcome: 'processed',
        }) === all.length,
      60_000,
      'every message consumed again',
    );
    const metrics = await sink.metrics();
    expect(metricSum(metrics, 'sink_oss_objects_written_total', { outcome: 'created' })).toBe(0);
    expect(metricSum(metrics, 'sink_oss_objects_written_total', { outcome: 'merged' })).toBe(0);
    expect(await listKeys()).toEqual(before);
    const bytesAfter = await Promise.all(before.map(async (key) => (await readObject(key)).bytes));
    expect(bytesAfter).toEqual(bytesBefore);
    await stopGracefully(sink);
  });
});
