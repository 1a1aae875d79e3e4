/**
 * Ingest crash safety on the REAL Kafka of deploy/local/stack.sh (needs: kafka), running the
 * bundled service (`services/ingest/dist/main.js`) as a child process.
 *
 * Proves at-least-once delivery across `kill -9`: the service is killed twice in the middle of a
 * stream and restarted with the same consumer group; afterwards every valid input event is on
 * normalized-events at least once and, after de-duplication by eventId, exactly the expected set
 * (nothing lost, nothing invented), every invalid record is dead-lettered, the redelivered
 * duplicates stay bounded by what was in flight, and a final SIGTERM exits cleanly.
 */
import { createProducer, decodeNormalizedEvents } from '@trail-insight/kafka';
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

import type { OutboundMessage, PlainProducer, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';

jest.setTimeout(300_000);

type Topics = 'raw' | 'normalized' | 'dlq';

const PHASE_EVENTS = 15_000;
const INVALID_EVERY = 100;

function record(id: string, account: string, index: number): Record<string, unknown> {
  const second = String(index % 60).padStart(2, '0');
  return {
    eventId: id,
    eventTime: `2026-03-10T02:03:${second}Z`,
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: `42.120.${index % 256}.${(index >> 8) % 256}`,
    userIdentity: { accountId: account },
    eventName: 'DescribeInstances',
  };
}

/** One phase of input: single-record messages, a few 10-record batches, 1 % invalid records. */
function phaseMessages(phase: number): {
  messages: OutboundMessage[];
  ids: string[];
  invalid: number;
} {
  const messages: OutboundMessage[] = [];
  const ids: string[] = [];
  let invalid = 0;
  let index = 0;
  while (ids.length < PHASE_EVENTS) {
    const account = String(1000 + (index % 37));
    if (index % INVALID_EVERY === 0) {
      messages.push({
        key: account,
        value: JSON.stringify({ ...record('bad', account, index), eventTime: 'redacted' }),
      });
      invalid += 1;
    } else if (index % 50 === 1) {
      const batch = Array.from({ length: 10 }, (_, k) => {
        const id = `p${phase}-b${index}-${k}`;
        ids.push(id);
        return record(id, account, index + k);
      });
      messages.push({ key: account, value: JSON.stringify(batch) });
    } else {
      const id = `p${phase}-${index}`;
      ids.push(id);
      messages.push({ key: account, value: JSON.stringify(record(id, account, index)) });
    }
    index += 1;
  }
  return { messages, ids, invalid };
}

describe('ingest survives kill -9 (real Kafka, bundled service)', () => {
  let topics: TestTopics<Topics>;
  let producer: PlainProducer;
  let collector: TopicCollector;
  let env: Record<string, string>;
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    bundleServices('ingest');
    topics = await createTestTopics<Topics>({ raw: 3, normalized: 3, dlq: 1 });
    env = {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      KAFKA_GROUP_ID: uniqueName('ingest-crash'),
      INGEST_INPUT_TOPIC: topics.names.raw,
      KAFKA_TOPIC_NORMALIZED_EVENTS: topics.names.normalized,
      KAFKA_TOPIC_DEAD_LETTER: topics.names.dlq,
      LOG_LEVEL: 'info',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    producer = createProducer(requireTestEnv('KAFKA_BROKERS'), uniqueName('producer'));
    await producer.connect();
    collector = await collectTestTopics([topics.names.normalized, topics.names.dlq]);
  });

  afterAll(async () => {
    await Promise.all(processes.map((service) => service.kill('SIGKILL')));
    await collector?.stop();
    await producer?.disconnect();
    await topics?.cleanup();
  });

  async function startIngest(): Promise<ServiceProcess> {
    const service = ServiceProcess.start('ingest', await freePort(), env);
    processes.push(service);
    await service.waitReady();
    return service;
  }

  const deliveredIds = (): string[] =>
    collector
      .of(topics.names.normalized)
      .flatMap((m) => decodeNormalizedEvents(m.value).map((event) => event.eventId));
  const delivered = () => deliveredIds().length;

  it('delivers every valid event at least once and exactly the expected set after de-dup', async () => {
    const expected: string[] = [];
    let expectedInvalid = 0;
    const kills: Array<{ delivered: number; produced: number }> = [];
    const started = Date.now();
    const marks: string[] = [];

    // The input is produced in chunks while ingest runs, so each kill lands mid-stream.
    let produced = 0;
    const produceAll = async (): Promise<void> => {
      for (let phase = 0; phase < 3; phase += 1) {
        const input = phaseMessages(phase);
        expectedInvalid += input.invalid;
        expected.push(...input.ids);
        for (let from = 0; from < input.messages.length; from += 500) {
          await producer.send(topics.names.raw, input.messages.slice(from, from + 500));
          produced = Math.min(expected.length, produced + 500);
          // ≈ 5,000 messages/s: ingest outruns it, so the stream is still flowing at every kill
          await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
        }
      }
      produced = expected.length;
    };
    const production = produceAll();

    for (let kill = 0; kill < 2; kill += 1) {
      const service = await startIngest();
      marks.push(`ready ${Date.now() - started}ms`);
      const threshold = delivered() + 8_000;
      await waitFor(() => delivered() >= threshold, 60_000, `kill ${kill}: ${threshold} events`, {
        abort: collector.crashed,
        intervalMs: 5,
      });
      await service.kill('SIGKILL');
      kills.push({ delivered: delivered(), produced });
      marks.push(`killed ${Date.now() - started}ms`);
    }
    const service = await startIngest();
    marks.push(`ready ${Date.now() - started}ms`);
    await production;
    const want = new Set(expected);
    await waitFor(
      () => {
        const seen = new Set(deliveredIds());
        return [...want].every((id) => seen.has(id));
      },
      120_000,
      `all ${want.size} events after two kill -9`,
      { abort: collector.crashed, intervalMs: 500 },
    );
    marks.push(`all delivered ${Date.now() - started}ms`);
    await waitFor(
      () => collector.of(topics.names.dlq).length >= expectedInvalid,
      60_000,
      `${expectedInvalid} dead letters`,
    );
    // Nest closes the app on SIGTERM, then re-raises the signal
    const exit = await service.stop();
    expect(exit.signal).toBe('SIGTERM');
    expect(service.logs).toContain('"msg":"consumer stopped"');

    const ids = deliveredIds();
    const distinct = new Set(ids);
    expect([...distinct].sort()).toEqual([...expected].sort());
    const duplicates = ids.length - distinct.size;
    // at most what was resolved but not yet committed at each kill (≤ 1 s of work or a batch)
    expect(duplicates).toBeLessThanOrEqual(2 * 500 * 3 * 10);
    for (const kill of kills) {
      expect(kill.delivered).toBeLessThan(expected.length);
    }
    const deadOffsets = new Set(
      collector
        .of(topics.names.dlq)
        .map((m) => `${m.headers['source-partition']}/${m.headers['source-offset']}`),
    );
    expect(deadOffsets.size).toBe(expectedInvalid);
    process.stdout.write(
      `ingest kill -9: ${expected.length} events, ${ids.length} delivered, ${duplicates} duplicates, ` +
        `kills at ${kills.map((k) => `${k.delivered}/${k.produced}`).join(', ')}; ${marks.join(', ')}\n`,
    );
  });
});
