/**
 * Needs a real Redis (REDIS_URL, from deploy/local/stack.sh in the integration tier's
 * globalSetup). Proves the memory budget of issue #4 with `MEMORY USAGE` on state written by
 * the real persist path: at most 150 bytes per usual IP and 400 per open window (amortized over
 * an account's hash), in both of Redis's hash encodings (listpack for small hashes, hashtable
 * beyond `hash-max-listpack-entries` or 64-byte values).
 */
import { randomUUID } from 'node:crypto';

import { StateChanges, createAccountState, regionOf } from '@trail-insight/detection';

import type { ObservationWindow } from '@trail-insight/detection';

import type { Redis } from 'ioredis';

import { AccountStateRepository } from './account-state.repository';
import { T0, connectRedis, deleteByPrefix, testPrefix } from './test/redis-fixture';

const TOPIC = 'normalized-events';

function ipOf(i: number): string {
  return i % 4 === 3
    ? `2408:4002:${(i >> 8).toString(16)}::${(i & 255).toString(16)}`
    : `${42 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`;
}

function windowWith(ip: string, start: number, events: number): ObservationWindow {
  const buckets = [];
  for (let i = 0; i < events; i += 1) {
    buckets.push({ start: Math.floor((start + i * 600_000) / 300_000) * 300_000, count: 1 });
  }
  return {
    ip,
    start,
    lastTime: start + (events - 1) * 600_000,
    eventCount: events,
    slots: 1,
    buckets,
    eventIds: Array.from({ length: Math.min(events, 100) }, () => randomUUID()),
    predictedValue: 0,
    threshold: 0.5,
    heterogeneity: 100,
    signals: [],
  };
}

describe('state memory', () => {
  let redis: Redis;
  let prefix: string;
  let sut: AccountStateRepository;
  const report: string[] = [];

  beforeAll(() => {
    redis = connectRedis();
  });

  afterAll(async () => {
    await redis.quit();
    console.info(`MEMORY USAGE per entry (bytes)\n${report.join('\n')}`);
  });

  beforeEach(() => {
    prefix = testPrefix();
    sut = new AccountStateRepository(redis, { prefix });
  });

  afterEach(async () => {
    await deleteByPrefix(redis, prefix);
  });

  async function bytesPerEntry(key: string, count: number): Promise<[number, string]> {
    const bytes = (await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0;
    const encoding = (await redis.object('ENCODING', key)) as string;
    return [bytes / count, encoding];
  }

  it.each([10, 100, 5_000])(
    'stores a usual IP in at most 150 bytes (%i per account)',
    async (count) => {
      const state = createAccountState('1234');
      const changes = new StateChanges();
      state.clock = T0;
      const region = regionOf(state, 'cn-hangzhou');
      for (let i = 0; i < count; i += 1) {
        region.usual.set(ipOf(i), T0 - i * 1_013);
        changes.usual.add(StateChanges.key('cn-hangzhou', ipOf(i)));
      }
      await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '0' });

      const [perIp, encoding] = await bytesPerEntry(sut.keys.account('1234').usual, count);

      report.push(`usual IP, ${count} per account (${encoding}): ${perIp.toFixed(1)}`);
      expect(perIp).toBeLessThanOrEqual(150);
    },
  );

  it.each([
    [10, 1],
    [10, 2],
    [1_000, 1],
    [1_000, 3],
    [1_000, 5],
  ])(
    'stores an open window in at most 400 bytes (%i per account, %i events each)',
    async (count, events) => {
      const state = createAccountState('1234');
      const changes = new StateChanges();
      state.clock = T0;
      const region = regionOf(state, 'cn-hangzhou');
      for (let i = 0; i < count; i += 1) {
        region.windows.set(ipOf(i), windowWith(ipOf(i), T0 - i * 60_000, events));
        changes.windows.add(StateChanges.key('cn-hangzhou', ipOf(i)));
      }
      await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '0' });

      const [perWindow, encoding] = await bytesPerEntry(sut.keys.account('1234').windows, count);

      report.push(
        `open window, ${count} per account, ${events} events (${encoding}): ${perWindow.toFixed(1)}`,
      );
      expect(perWindow).toBeLessThanOrEqual(400);
    },
  );

  it.each([10, 100])('reports the cost of busier windows (%i events each)', async (events) => {
    const state = createAccountState('1234');
    const changes = new StateChanges();
    const region = regionOf(state, 'cn-hangzhou');
    for (let i = 0; i < 1_000; i += 1) {
      region.windows.set(ipOf(i), windowWith(ipOf(i), T0 - i * 60_000, events));
      changes.windows.add(StateChanges.key('cn-hangzhou', ipOf(i)));
    }
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '0' });

    const [perWindow, encoding] = await bytesPerEntry(sut.keys.account('1234').windows, 1_000);

    report.push(
      `open window, 1000 per account, ${events} events (${encoding}): ${perWindow.toFixed(1)}`,
    );
    expect(perWindow).toBeLessThanOrEqual(150 + 20 * Math.min(events, 100));
  });

  it.each([100, 10_000])(
    'reports the cost of a de-duplication id (%i in the horizon)',
    async (count) => {
      const state = createAccountState('1234');
      const changes = new StateChanges();
      state.clock = T0;
      for (let i = 0; i < count; i += 1) {
        const id = randomUUID();
        state.recentIds.set(id, T0 - i);
        changes.ids.push([id, T0 - i]);
      }
      await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '0' });

      const [perId, encoding] = await bytesPerEntry(sut.keys.account('1234').ids, count);

      report.push(`de-duplication id, ${count} in the horizon (${encoding}): ${perId.toFixed(1)}`);
      expect(perId).toBeLessThanOrEqual(200);
    },
  );
});
