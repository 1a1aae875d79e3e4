import { ProducerCore } from './producer-core';

import type { Kafka } from 'kafkajs';

/** A kafkajs producer whose transactions log their steps and take a while to commit. */
function fakeKafka(log: string[]): Kafka {
  let open = 0;
  const producer = {
    on: () => undefined,
    events: { DISCONNECT: 'producer.disconnect' },
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    transaction: () => {
      open += 1;
      log.push(open > 1 ? 'overlap' : 'begin');
      return Promise.resolve({
        sendBatch: () => Promise.resolve([]),
        sendOffsets: () => Promise.resolve(),
        commit: async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          open -= 1;
          log.push('commit');
        },
        abort: () => {
          open -= 1;
          log.push('abort');
          return Promise.resolve();
        },
      });
    },
  };
  return { producer: () => producer } as unknown as Kafka;
}

const offsets = (partition: number) => ({
  consumerGroupId: 'g',
  topic: 't',
  partition,
  offset: '1',
});

describe('ProducerCore transactions', () => {
  it('runs the transactions of concurrently consumed partitions one at a time', async () => {
    const log: string[] = [];
    const core = new ProducerCore(fakeKafka(log), 'tx-1');
    await core.connect();

    await Promise.all(
      [0, 1, 2].map((partition) =>
        core.inTransaction(offsets(partition), (sink) => sink.sendBatch([])),
      ),
    );

    expect(log).toEqual(['begin', 'commit', 'begin', 'commit', 'begin', 'commit']);
  });

  it('lets the next transaction run after one fails', async () => {
    const log: string[] = [];
    const core = new ProducerCore(fakeKafka(log), 'tx-1');
    await core.connect();

    const failed = core.inTransaction(offsets(0), () => Promise.reject(new Error('boom')));
    const next = core.inTransaction(offsets(1), (sink) => sink.sendBatch([]));

    await expect(failed).rejects.toThrow('transaction failed: boom');
    await expect(next).resolves.toBeUndefined();
    expect(log).toEqual(['begin', 'abort', 'begin', 'commit']);
  });
});
