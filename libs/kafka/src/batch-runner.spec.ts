import pino from 'pino';
import { Registry } from 'prom-client';
import { z } from 'zod';

import { BatchRunner } from './batch-runner';
import { RetriableError } from './kafka.exception';
import { KafkaMetrics } from './metrics';
import { DeadLetterHeader, Topic, resolveTopicNames } from './topics.constants';

import type { HandlerBinding, RunnerBatchPayload, RunnerMessage } from './batch-runner';
import type { KafkaBatchContext, KafkaInboundMessage, KafkaMessageContext } from './kafka-message';
import type { OutboxSink, TopicBatch } from './outbox';

const INPUT = 'in-topic';
const names = resolveTopicNames({ [Topic.RawEvents]: INPUT, [Topic.DeadLetter]: 'dlq' });

class FakeSink implements OutboxSink {
  readonly sent: TopicBatch[] = [];
  failures = 0;

  sendBatch(batches: TopicBatch[]): Promise<void> {
    if (this.failures > 0) {
      this.failures -= 1;
      return Promise.reject(new RetriableError('broker down'));
    }
    this.sent.push(...batches.map((batch) => ({ ...batch, messages: [...batch.messages] })));
    return Promise.resolve();
  }

  valuesOf(topic: string): string[] {
    return this.sent
      .filter((batch) => batch.topic === topic)
      .flatMap((batch) => batch.messages.map((message) => String(message.value)));
  }

  headersOf(topic: string): Array<Record<string, string>> {
    return this.sent
      .filter((batch) => batch.topic === topic)
      .flatMap((batch) => batch.messages.map((message) => message.headers ?? {}));
  }
}

/** A fake kafkajs eachBatch payload that records resolutions and can stop after N heartbeats. */
function fakePayload(values: Array<string | null>, options: { stopAfterHeartbeats?: number } = {}) {
  const messages: RunnerMessage[] = values.map((value, index) => ({
    offset: String(100 + index),
    key: Buffer.from('k'),
    value: value === null ? null : Buffer.from(value),
    timestamp: '0',
  }));
  const resolved: string[] = [];
  let heartbeats = 0;
  let running = true;
  const payload: RunnerBatchPayload = {
    batch: {
      topic: INPUT,
      partition: 2,
      highWatermark: String(100 + values.length),
      fetchedOffset: '100',
      lastOffset: String(99 + values.length),
      messages,
    },
    resolveOffset: (offset) => resolved.push(offset),
    heartbeat: () => {
      heartbeats += 1;
      if (options.stopAfterHeartbeats !== undefined && heartbeats >= options.stopAfterHeartbeats) {
        running = false;
      }
      return Promise.resolve();
    },
    isRunning: () => running,
    isStale: () => false,
    commitOffsetsIfNecessary: () => Promise.resolve(),
  };
  return { payload, resolved, lastResolved: () => resolved[resolved.length - 1] };
}

function setup(binding: Omit<HandlerBinding, 'topic' | 'name'>, flushEvery = 500) {
  const sink = new FakeSink();
  const registry = new Registry();
  const metrics = new KafkaMetrics(registry, 'test_');
  const sut = new BatchRunner({
    bindings: new Map([[INPUT, { ...binding, topic: Topic.RawEvents, name: 'Fake.handle' }]]),
    topicNames: names,
    sink,
    metrics,
    logger: pino({ level: 'silent' }),
    retry: { initialMs: 1, maxMs: 4 },
    flushEvery,
    producedBy: 'unit-test',
    delay: () => Promise.resolve(),
  });
  return { sut, sink, registry };
}

describe(BatchRunner.name, () => {
  it('produces outputs before resolving offsets, then resolves the last message', async () => {
    const order: string[] = [];
    const { sut, sink } = setup({
      mode: 'message',
      invoke: (payload, context) => {
        (context as KafkaMessageContext).send(Topic.NormalizedEvents, [
          { key: 'a', value: `out-${String(payload)}` },
        ]);
      },
    });
    const fake = fakePayload(['1', '2', '3']);
    const originalSend = sink.sendBatch.bind(sink);
    sink.sendBatch = async (batches) => {
      order.push(`send:${fake.resolved.length}`);
      return originalSend(batches);
    };
    await sut.eachBatch(fake.payload);
    expect(sink.valuesOf('normalized-events')).toEqual(['out-1', 'out-2', 'out-3']);
    expect(order).toEqual(['send:0']);
    expect(fake.lastResolved()).toBe('102');
  });

  it('dead-letters empty values, bad JSON and schema mismatches with reasons and source headers', async () => {
    const seen: unknown[] = [];
    const { sut, sink, registry } = setup({
      mode: 'message',
      schema: z.object({ n: z.number() }),
      invoke: (payload) => {
        seen.push(payload);
      },
    });
    const fake = fakePayload([null, '{nope', '{"n":"x"}', '{"n":1}']);
    await sut.eachBatch(fake.payload);
    expect(seen).toEqual([{ n: 1 }]);
    const headers = sink.headersOf('dlq');
    expect(headers.map((h) => h[DeadLetterHeader.Reason])).toEqual([
      'empty-message',
      'invalid-json',
      'schema-mismatch',
    ]);
    expect(headers[1]).toMatchObject({
      [DeadLetterHeader.SourceTopic]: INPUT,
      [DeadLetterHeader.SourcePartition]: '2',
      [DeadLetterHeader.SourceOffset]: '101',
      [DeadLetterHeader.DeadLetteredBy]: 'unit-test',
    });
    expect(sink.valuesOf('dlq')).toEqual(['', '{nope', '{"n":"x"}']);
    expect(fake.lastResolved()).toBe('103');
    const metrics = await registry.getSingleMetricAsString('test_kafka_dead_lettered_total');
    expect(metrics).toContain('reason="invalid-json"} 1');
  });

  it('dead-letters a message whose handler throws a non-retriable error, using its code', async () => {
    const { sut, sink } = setup({
      mode: 'message',
      invoke: (payload, context) => {
        (context as KafkaMessageContext).send(Topic.NormalizedEvents, [
          { key: null, value: 'partial' },
        ]);
        if (String(payload) === 'bad') {
          throw Object.assign(new Error('boom'), { code: 'BAD_THING' });
        }
      },
    });
    const fake = fakePayload(['ok', 'bad', 'ok2']);
    await sut.eachBatch(fake.payload);
    expect(sink.valuesOf('normalized-events')).toEqual(['partial', 'partial']);
    expect(sink.headersOf('dlq').map((h) => h[DeadLetterHeader.Reason])).toEqual(['bad_thing']);
    expect(sink.valuesOf('dlq')).toEqual(['bad']);
    expect(fake.lastResolved()).toBe('102');
  });

  it('retries a retriable failure without committing it, discarding the failed attempt', async () => {
    let failures = 2;
    const { sut, sink } = setup({
      mode: 'message',
      invoke: (payload, context) => {
        (context as KafkaMessageContext).send(Topic.NormalizedEvents, [
          { key: null, value: `v-${String(payload)}` },
        ]);
        if (String(payload) === 'flaky' && failures > 0) {
          failures -= 1;
          throw new RetriableError('redis down');
        }
      },
    });
    const fake = fakePayload(['a', 'flaky', 'b']);
    await sut.eachBatch(fake.payload);
    expect(sink.valuesOf('normalized-events')).toEqual(['v-a', 'v-flaky', 'v-b']);
    expect(sink.valuesOf('dlq')).toEqual([]);
    // 'a' was flushed and resolved before backing off, then the rest at the end
    expect(fake.resolved).toEqual(['100', '102']);
  });

  it('stops on shutdown during a retry without resolving the failing message', async () => {
    const { sut, sink } = setup({
      mode: 'message',
      invoke: (payload) => {
        if (String(payload) === 'stuck') {
          throw new RetriableError('still down');
        }
      },
    });
    const fake = fakePayload(['a', 'stuck', 'b'], { stopAfterHeartbeats: 3 });
    await sut.eachBatch(fake.payload);
    expect(fake.resolved).toEqual(['100']);
    expect(sink.valuesOf('dlq')).toEqual([]);
  });

  it('retries a failed produce and resolves only after it succeeds', async () => {
    const { sut, sink } = setup({
      mode: 'message',
      invoke: (_payload, context) => {
        (context as KafkaMessageContext).send(Topic.NormalizedEvents, [{ key: null, value: 'x' }]);
      },
    });
    sink.failures = 2;
    const fake = fakePayload(['1']);
    await sut.eachBatch(fake.payload);
    expect(sink.valuesOf('normalized-events')).toEqual(['x']);
    expect(fake.resolved).toEqual(['100']);
  });

  it('flushes every N messages so a long batch commits progressively', async () => {
    const { sut, sink } = setup(
      {
        mode: 'message',
        invoke: (payload, context) => {
          (context as KafkaMessageContext).send(Topic.NormalizedEvents, [
            { key: null, value: String(payload) },
          ]);
        },
      },
      2,
    );
    const fake = fakePayload(['1', '2', '3', '4', '5']);
    await sut.eachBatch(fake.payload);
    expect(fake.resolved).toEqual(['101', '103', '104']);
    expect(sink.valuesOf('normalized-events')).toEqual(['1', '2', '3', '4', '5']);
  });

  it('lets a handler dead-letter part of a message and keeps the message processed', async () => {
    const { sut, sink } = setup({
      mode: 'message',
      invoke: (_payload, context) => {
        (context as KafkaMessageContext).deadLetter('invalid-time', 'no time', {
          value: 'line-2',
          headers: { 'record-index': '2' },
        });
      },
    });
    const fake = fakePayload(['whole']);
    await sut.eachBatch(fake.payload);
    expect(sink.valuesOf('dlq')).toEqual(['line-2']);
    expect(sink.headersOf('dlq')[0]).toMatchObject({ reason: 'invalid-time', 'record-index': '2' });
  });

  describe('batch handlers', () => {
    it('hands valid messages over at once and resolves the batch after the handler returns', async () => {
      const batches: string[][] = [];
      const { sut, sink } = setup({
        mode: 'batch',
        schema: z.object({ n: z.number() }),
        invoke: (messages, context) => {
          const list = messages as Array<{ payload: { n: number }; offset: string }>;
          batches.push(list.map((message) => message.offset));
          expect((context as KafkaBatchContext).highWatermark).toBe('103');
          (context as KafkaBatchContext).send(Topic.IpInsights, [{ key: 'k', value: 'insight' }]);
        },
      });
      const fake = fakePayload(['{"n":1}', 'bad', '{"n":2}']);
      await sut.eachBatch(fake.payload);
      expect(batches).toEqual([['100', '102']]);
      expect(sink.valuesOf('ip-insights')).toEqual(['insight']);
      expect(sink.valuesOf('dlq')).toEqual(['bad']);
      expect(fake.resolved).toEqual(['102']);
    });

    it('retries a retriable batch failure and dead-letters the batch on a non-retriable one', async () => {
      let calls = 0;
      const retried = setup({
        mode: 'batch',
        invoke: (_messages, context) => {
          calls += 1;
          (context as KafkaBatchContext).send(Topic.IpInsights, [
            { key: null, value: `c${calls}` },
          ]);
          if (calls === 1) {
            throw new RetriableError('redis');
          }
        },
      });
      const first = fakePayload(['a', 'b']);
      await retried.sut.eachBatch(first.payload);
      expect(retried.sink.valuesOf('ip-insights')).toEqual(['c2']);
      expect(first.resolved).toEqual(['101']);

      const failing = setup({
        mode: 'batch',
        invoke: () => {
          throw new Error('bug');
        },
      });
      const second = fakePayload(['a', 'b']);
      await failing.sut.eachBatch(second.payload);
      expect(failing.sink.valuesOf('dlq')).toEqual(['a', 'b']);
      expect(failing.sink.headersOf('dlq')[0]?.['reason']).toBe('handler-error');
      expect(second.resolved).toEqual(['101']);
    });

    it('does not resolve anything when the handler throws while the consumer stops', async () => {
      const { sut, sink } = setup({
        mode: 'batch',
        invoke: async (_messages, context) => {
          await (context as KafkaBatchContext).heartbeat();
          throw new Error('interrupted');
        },
      });
      const fake = fakePayload(['a'], { stopAfterHeartbeats: 1 });
      await sut.eachBatch(fake.payload);
      expect(fake.resolved).toEqual([]);
      expect(sink.sent).toEqual([]);
    });

    it('tells the handler where the batch was fetched from and where it ends', async () => {
      const seen: Array<[string, string]> = [];
      const { sut } = setup({
        mode: 'batch',
        invoke: (_messages, context) => {
          const { fetchedOffset, lastOffset } = context as KafkaBatchContext;
          seen.push([fetchedOffset, lastOffset]);
        },
      });
      await sut.eachBatch(fakePayload(['a', 'b', 'c']).payload);
      expect(seen).toEqual([['100', '102']]);
    });

    it('produces what the handler flushes before it goes on, and keeps it on a retry', async () => {
      const log: string[] = [];
      let calls = 0;
      const { sut, sink } = setup({
        mode: 'batch',
        invoke: async (messages, context) => {
          calls += 1;
          const batch = context as KafkaBatchContext;
          const [first] = messages as KafkaInboundMessage[];
          batch.deadLetter(first as KafkaInboundMessage, 'invalid-time', `attempt ${calls}`);
          await batch.flush();
          log.push(`flushed: ${sink.valuesOf('dlq').length}`);
          batch.send(Topic.IpInsights, [{ key: null, value: `c${calls}` }]);
          if (calls === 1) {
            throw new RetriableError('redis');
          }
        },
      });
      const fake = fakePayload(['a']);
      await sut.eachBatch(fake.payload);
      expect(log).toEqual(['flushed: 1', 'flushed: 2']);
      // The retry's rollback keeps what was flushed; only the failed attempt's later output goes.
      expect(sink.valuesOf('dlq')).toEqual(['a', 'a']);
      expect(sink.valuesOf('ip-insights')).toEqual(['c2']);
      expect(fake.resolved).toEqual(['100']);
    });

    it('fetches the partition again from where the handler rewinds to, resolving nothing of the batch', async () => {
      const { sut, sink, registry } = setup({
        mode: 'batch',
        invoke: (_messages, context) => {
          const batch = context as KafkaBatchContext;
          batch.send(Topic.IpInsights, [{ key: null, value: 'kept' }]);
          batch.rewind('40');
        },
      });
      const fake = fakePayload(['a', 'b']);
      await sut.eachBatch(fake.payload);
      // kafkajs fetches from the resolved offset + 1.
      expect(fake.resolved).toEqual(['39']);
      expect(sink.valuesOf('ip-insights')).toEqual(['kept']);
      const text = await registry.metrics();
      expect(text).toMatch(/^test_kafka_messages_in_total\{[^}]*outcome="dead_lettered"\} 0$/m);
      expect(text).not.toMatch(/outcome="processed"/);
    });
  });
});
