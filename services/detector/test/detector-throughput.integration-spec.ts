/**
 * Needs: real Kafka and Redis (TRAIL_INSIGHT_STACK="kafka redis"); runs the bundled detector.
 *
 * Measures events/s through the detector alone: the input topic is filled first, then one
 * detector instance is started and timed from ready until it absorbed every event and its
 * consumer lag is zero. Proves it keeps a floor (far below the measured rate, so a busy CI
 * machine does not fail it) and prints the rate and the machine's load for the benchmark notes.
 */
import { cpus, loadavg } from 'node:os';

import { Redis } from 'ioredis';

import { NORMALIZED_EVENT_SCHEMA_HEADER, createProducer } from '@trail-insight/kafka';
import {
  ServiceProcess,
  bundleServices,
  createTestTopics,
  freePort,
  requireTestEnv,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';

import { deliveryOrder, syntheticTrail } from './synthetic-trail';

function metricSum(metrics: string, name: string): number {
  let sum = 0;
  for (const line of metrics.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}

describe('detector throughput (real Kafka + Redis)', () => {
  it('absorbs a pre-filled topic at a measured rate', async () => {
    bundleServices('detector');
    const records = deliveryOrder(
      syntheticTrail({ seed: 5, accounts: 12, days: 20, perIpPerDay: 60 }),
      600_000,
      6,
    );
    const topics = await createTestTopics({ input: 6, insights: 1, dlq: 1 });
    const prefix = `${uniqueName('bench')}:`;
    const redis = new Redis(requireTestEnv('REDIS_URL'));
    let service: ServiceProcess | null = null;
    try {
      const producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
      await producer.connect();
      for (let i = 0; i < records.length; i += 10_000) {
        await producer.send(
          topics.names.input,
          records.slice(i, i + 10_000).map(({ event }) => ({
            key: event.accountId,
            value: JSON.stringify(event),
            headers: NORMALIZED_EVENT_SCHEMA_HEADER,
          })),
        );
      }
      await producer.disconnect();

      service = ServiceProcess.start('detector', await freePort(), {
        KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
        REDIS_URL: requireTestEnv('REDIS_URL'),
        REDIS_PREFIX: prefix,
        KAFKA_GROUP_ID: uniqueName('detector'),
        KAFKA_TOPIC_NORMALIZED_EVENTS: topics.names.input,
        KAFKA_TOPIC_IP_INSIGHTS: topics.names.insights,
        KAFKA_TOPIC_DEAD_LETTER: topics.names.dlq,
        DETECTOR_MODEL: 'none',
        DETECTOR_MIN_BASELINE: '50',
        DETECTOR_IDLE_ADVANCE: 'false',
        LOG_LEVEL: 'warn',
      });
      await service.waitReady();
      const running = service;
      const started = Date.now();
      const load = loadavg()[0] ?? Number.NaN; // the 1-minute average
      await waitFor(
        async () => {
          const metrics = await running.metrics();
          return (
            metricSum(metrics, 'detector_events_in_total') === records.length &&
            metricSum(metrics, 'detector_kafka_consumer_lag') === 0
          );
        },
        300_000,
        'every event absorbed',
        { intervalMs: 100 },
      );
      const seconds = (Date.now() - started) / 1000;
      const rate = records.length / seconds;
      const metrics = await running.metrics();
      const checkpoints = metricSum(metrics, 'detector_checkpoint_duration_seconds_count');
      process.stdout.write(
        `throughput: ${records.length} events in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} events/s ` +
          `(${checkpoints} checkpoints; load average ${load.toFixed(2)} on ${cpus().length} cores at start)\n`,
      );
      expect(rate).toBeGreaterThan(1_000);
    } finally {
      await service?.kill('SIGKILL');
      const keys = await redis.keys(`${prefix}*`);
      for (let i = 0; i < keys.length; i += 500) {
        await redis.del(...keys.slice(i, i + 500));
      }
      await redis.quit();
      await topics.cleanup();
    }
  });
});
