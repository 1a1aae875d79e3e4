/**
 * Needs: a real Redis (REDIS_URL from the integration globalSetup; TRAIL_INSIGHT_STACK="redis").
 * Kafka is simulated in-process (partition logs, batches, commits), so thousands of crash points
 * can be tried quickly; the service-level test proves the same over real Kafka with kill -9.
 *
 * Proves: for a multi-week trail delivered with disorder below the allowed lateness, the
 * detector core's insights are exactly those of the batch CLI (`analyzeTrailPaths`) on the same
 * records — ids, counts, buckets, event ids — and stay exactly those when the process dies at
 * random Redis commands or produces (before or after they took effect): no insight lost, none
 * different, repeats only as identical copies.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Redis } from 'ioredis';

import { NONE_MODEL, WINDOW_MS } from '@trail-insight/detection';
import { requireTestEnv, uniqueName } from '@trail-insight/testing';
import { analyzeTrailPaths } from '@trail-insight/trail-files';

import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';

import { DetectorKeys } from './detector-keys';
import { NOOP_OBSERVER } from './detector-ports';
import { PreviewRepository } from './preview.repository';
import {
  CollectingPublisher,
  PartitionInput,
  coreOptions,
  createCore,
  runStream,
} from '../../test/core-harness';
import {
  TestRandom,
  deliveryOrder,
  sentinelRecord,
  syntheticTrail,
  writeJsonLines,
} from '../../test/synthetic-trail';

import type { Packing, PartitionLog } from '../../test/core-harness';
import type { SyntheticRecord } from '../../test/synthetic-trail';

const LATENESS = 600_000;

/** A GetUser operation of `accountId` in cn-hangzhou. */
function operation(
  accountId: string,
  eventId: string,
  time: number,
  sourceIp: string | null = null,
): NormalizedEvent {
  return {
    time,
    eventId,
    accountId,
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp,
    provider: 'actiontrail',
    userAgent: 'ua',
    principalId: null,
    eventName: 'GetUser',
    errorCode: null,
  };
}
const PARTITIONS = 3;

describe('DetectorCore (real Redis)', () => {
  let redis: Redis;
  let dir: string;
  let ordered: SyntheticRecord[];
  let logs: PartitionLog[];
  let expected: Map<string, IpInsight>;
  let watermark: number;

  beforeAll(async () => {
    redis = new Redis(requireTestEnv('REDIS_URL'), { enableAutoPipelining: true });
    dir = mkdtempSync(join(tmpdir(), 'detector-core-'));
    const records = syntheticTrail({ seed: 7, accounts: 7, days: 26, perIpPerDay: 6 });
    ordered = deliveryOrder(records, LATENESS, 11);
    const latest = Math.max(...records.map((r) => r.event.time));
    for (let p = 0; p < PARTITIONS; p += 1) {
      ordered.push(sentinelRecord(`p${p}`, latest));
    }
    writeJsonLines(join(dir, 'trail.jsonl'), ordered);
    const accounts = [...new Set(ordered.map((r) => r.event.accountId))];
    logs = Array.from({ length: PARTITIONS }, () => []);
    for (const { event } of ordered) {
      const sentinel = /^sentinel-p(\d)$/.exec(event.accountId);
      const partition = sentinel
        ? Number(sentinel[1])
        : accounts.indexOf(event.accountId) % PARTITIONS;
      logs[partition]?.push(event);
    }
    watermark = latest - LATENESS;
    const batch = await analyzeTrailPaths([dir], {
      config: { minBaseline: 50, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    expected = new Map(
      batch.insights
        .filter((insight) => Date.parse(insight.verdictTime) <= watermark)
        .map((insight) => [insight.insightId, insight]),
    );
  });

  afterAll(async () => {
    await redis.quit();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cleanup(prefix: string): Promise<void> {
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 500) {
      await redis.del(...keys.slice(i, i + 500));
    }
  }

  function assertSameAsBatch(publisher: CollectingPublisher): void {
    const { delivered } = publisher;
    expect(delivered.conflicting).toEqual([]);
    expect([...delivered.ids.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [id, message] of delivered.ids) {
      expect(message.insight).toEqual(expected.get(id));
      const userAgents = Object.values(message.attributions.userAgent).reduce((a, b) => a + b, 0);
      expect(userAgents).toBe(message.insight.eventCount);
      expect(message.provider).toBe('actiontrail');
      expect(Date.parse(message.insight.verdictTime)).toBeLessThanOrEqual(watermark);
    }
  }

  it('gives exactly the batch insights for disorder within the lateness', async () => {
    expect(expected.size).toBeGreaterThan(30);
    process.stdout.write(
      `equivalence: ${ordered.length} events, ${expected.size} insights to match\n`,
    );
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    try {
      const report = await runStream(
        redis,
        logs,
        coreOptions(uniqueName('topic'), prefix),
        publisher,
        new TestRandom(1),
        [],
      );
      expect(report.crashes).toBe(0);
      assertSameAsBatch(publisher);
      expect(publisher.delivered.duplicates).toBe(0);
    } finally {
      await cleanup(prefix);
    }
  });

  // `raw`: one record per message without consumed bytes, as DETECTOR_INPUT=raw delivers them
  // (runs of them share a buffer entry); `mixed`: normalized-events messages.
  // A spill after 0 ms copies every buffered entry to Redis at the next checkpoint, so the
  // rebuild reads both the input and Redis.
  it.each<[number, number | undefined, Packing, number | undefined]>([
    [2, undefined, 'mixed', undefined],
    [3, undefined, 'mixed', undefined],
    [4, 37, 'mixed', undefined],
    [5, 5, 'mixed', undefined],
    [6, undefined, 'raw', undefined],
    [8, 37, 'raw', undefined],
    [9, undefined, 'mixed', 0],
    [10, 37, 'raw', 0],
  ])(
    'gives the same insights when the process dies at random points (seed %i, release cap %s, %s messages, spill after %s ms)',
    async (seed, cap, packing, spillAfterMs) => {
      const random = new TestRandom(seed);
      const plan = Array.from({ length: 12 }, (_, index) =>
        index % 3 === 2
          ? { at: 1 + random.int(3), after: true, only: 'publish' as const }
          : { at: 1 + random.int(random.int(2) === 0 ? 12 : 150), after: random.int(2) === 0 },
      );
      const prefix = `${uniqueName('core')}:`;
      const publisher = new CollectingPublisher();
      try {
        const report = await runStream(
          redis,
          logs,
          coreOptions(uniqueName('topic'), prefix, {
            maxReleasedPerCheckpoint: cap,
            spillAfterMs,
          }),
          publisher,
          random,
          plan,
          packing,
        );
        expect(report.crashes).toBeGreaterThanOrEqual(6);
        assertSameAsBatch(publisher);
        process.stdout.write(
          `crash seed ${seed} (${packing}): ${report.crashes} crashes in ${report.batches} batches, ` +
            `${publisher.delivered.duplicates} exact repeats, 0 lost, 0 different\n`,
        );
      } finally {
        await cleanup(prefix);
      }
    },
  );

  it('previews buffered operations as provisional insights, then the exact window', async () => {
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    const options = coreOptions(uniqueName('topic'), prefix);
    const core = createCore(redis, options, publisher);
    const previews = new PreviewRepository(redis, prefix, 3_600);
    const base = Date.UTC(2026, 3, 1);
    const event = (offset: number, time: number, ip: string) => ({
      offset: String(offset),
      events: [
        {
          time,
          eventId: `p${offset}`,
          accountId: 'preview-acct',
          region: 'cn-hangzhou',
          isGlobal: false,
          sourceIp: ip,
          provider: 'cloudtrail' as const,
          userAgent: 'ua',
          principalId: null,
          eventName: 'GetUser',
          errorCode: null,
        },
      ],
    });
    try {
      await core.handleBatch(0, [
        event(0, base, '192.0.2.7'),
        event(1, base + 60_000, '192.0.2.7'),
      ]);
      const provisional = await previews.read('preview-acct');
      expect(provisional).toHaveLength(1);
      expect(provisional[0]).toMatchObject({
        state: 'provisional',
        sourceIpAddress: '192.0.2.7',
        eventCount: 2,
        heterogeneity: 100,
      });
      const windowsKey = `${prefix}{acct:preview-acct}:windows`;
      expect(await redis.hlen(windowsKey)).toBe(0);
      await core.handleBatch(0, [event(2, base + LATENESS + 120_000, '192.0.2.8')]);
      expect(await redis.hlen(windowsKey)).toBe(1);
      const after = await previews.read('preview-acct');
      expect(after.map((insight) => insight.sourceIpAddress)).toEqual(['192.0.2.8']);
    } finally {
      await cleanup(prefix);
    }
  });

  it('closes the window of a quiet account on day 8 by advancing an idle partition with the clock', async () => {
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    const options = coreOptions(uniqueName('topic'), prefix, {
      idleAdvance: true,
      idleAfterMs: 100,
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const core = createCore(redis, options, publisher);
    const now = Date.now();
    const start = now - WINDOW_MS - LATENESS - 60_000;
    try {
      await core.handleBatch(0, [
        {
          offset: '0',
          events: [
            {
              time: start,
              eventId: 'quiet-1',
              accountId: 'quiet-acct',
              region: 'cn-hangzhou',
              isGlobal: false,
              sourceIp: '192.0.2.9',
              provider: 'actiontrail',
              userAgent: 'ua',
              principalId: null,
              eventName: 'GetUser',
              errorCode: null,
            },
          ],
        },
      ]);
      expect(publisher.delivered.ids.size).toBe(0);
      await core.advanceIdle(now + 50);
      expect(publisher.delivered.ids.size).toBe(0);
      await core.advanceIdle(Date.now() + 1_000);
      expect([...publisher.delivered.ids.values()].map((m) => m.insight.sourceIpAddress)).toEqual([
        '192.0.2.9',
      ]);
    } finally {
      await cleanup(prefix);
    }
  });

  it('still closes the window of a quiet account after a restart, once its partition is assigned and read again', async () => {
    const prefix = `${uniqueName('core')}:`;
    const options = coreOptions(uniqueName('topic'), prefix, {
      idleAdvance: true,
      idleAfterMs: 100,
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const now = Date.now();
    try {
      const before = new CollectingPublisher();
      const input = new PartitionInput(3);
      await input.deliver(createCore(redis, options, before), {
        offset: '0',
        events: [
          {
            time: now - WINDOW_MS - LATENESS - 60_000,
            eventId: 'restart-1',
            accountId: 'restart-acct',
            region: 'cn-hangzhou',
            isGlobal: false,
            sourceIp: '192.0.2.10',
            provider: 'actiontrail',
            userAgent: 'ua',
            principalId: null,
            eventName: 'GetUser',
            errorCode: null,
          },
        ],
      });
      expect(before.delivered.ids.size).toBe(0);
      const keys = new DetectorKeys(prefix).partition(options.topic, 3);
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('0');

      const after = new CollectingPublisher();
      const restarted = createCore(redis, options, after);
      await restarted.advanceIdle(Date.now() + 1_000);
      expect(after.delivered.ids.size).toBe(0);
      // Its buffered event is not in Redis: the partition is to be read again from it at once
      // (no new message would bring it), and nothing advances before.
      expect(await restarted.adopt([3], now)).toEqual([{ partition: 3, offset: 0 }]);
      await restarted.advanceIdle(Date.now() + 1_000);
      expect(after.delivered.ids.size).toBe(0);
      input.restart();
      await input.deliver(restarted);
      expect(after.delivered.ids.size).toBe(0);
      input.seek(0);
      await input.deliver(restarted);
      await restarted.advanceIdle(Date.now() + 1_000);
      expect([...after.delivered.ids.values()].map((m) => m.insight.sourceIpAddress)).toEqual([
        '192.0.2.10',
      ]);
    } finally {
      await cleanup(prefix);
    }
  });

  it('counts a late event toward the baseline without reopening a window', async () => {
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    const options = coreOptions(uniqueName('topic'), prefix, {
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const core = createCore(redis, options, publisher);
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number, ip: string | null) =>
      operation('late-acct', id, time, ip);
    const input = new PartitionInput();
    try {
      await input.deliver(core, { offset: '0', events: [event('a', base, '192.0.2.1')] });
      await input.deliver(core, {
        offset: '1',
        events: [event('b', base + WINDOW_MS + LATENESS + 1, null)],
      });
      expect(publisher.delivered.ids.size).toBe(1);
      const late = event('c', base + 1_000, '192.0.2.1');
      await input.deliver(core, { offset: '2', events: [late] });
      // Redelivered to the same core: skipped.
      expect(await core.handleBatch(0, [{ offset: '2', events: [late] }])).toEqual({
        kind: 'handled',
      });
      input.restart();
      await input.deliver(createCore(redis, options, publisher), {
        offset: '3',
        events: [event('d', base + 2 * WINDOW_MS, null)],
      });
      expect(publisher.delivered.ids.size).toBe(1);
      // a, the late c and b (released by d's watermark); d itself is still buffered.
      expect(await redis.hget(`${prefix}{acct:late-acct}:meta`, 'baseline')).toBe('3');
    } finally {
      await cleanup(prefix);
    }
  });

  it('applies each event of a message the watermark splits once, across a restart', async () => {
    const HOUR = 3_600_000;
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    const options = coreOptions(uniqueName('topic'), prefix, {
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number) => operation('split-acct', id, time);
    const baseline = () => redis.hget(`${prefix}{acct:split-acct}:meta`, 'baseline');
    try {
      // Message 0's first event is released with message 1 (watermark = latest - lateness), its
      // second is not; `c`, applied two hours after `a`, moves `a` out of the de-dup horizon, so
      // only the buffer's bookkeeping can keep `a` from being applied twice after a restart.
      const input = new PartitionInput();
      await input.deliver(
        createCore(redis, options, publisher),
        { offset: '0', events: [event('a', base), event('b', base + 3 * HOUR)] },
        { offset: '1', events: [event('c', base + 2 * HOUR)] },
      );
      const keys = new DetectorKeys(prefix).partition(options.topic, 0);
      expect(await baseline()).toBe('2');
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('0');
      input.restart();
      await input.deliver(createCore(redis, options, publisher), {
        offset: '2',
        events: [event('d', base + 6 * HOUR)],
      });
      expect(await baseline()).toBe('3');
      // Messages 0 and 1 were applied whole; 2 is read again after a restart. Redis holds none.
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('2');
      expect(await redis.exists(keys.buffer, keys.order)).toBe(0);
    } finally {
      await cleanup(prefix);
    }
  });

  it('rebuilds a run of messages without bytes from the input and applies each event once after a restart', async () => {
    const MINUTE = 60_000;
    const HOUR = 60 * MINUTE;
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    const options = coreOptions(uniqueName('topic'), prefix, {
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number, accountId = 'raw-acct') =>
      operation(accountId, id, time);
    const keys = new DetectorKeys(prefix).partition(options.topic, 0);
    const baseline = () => redis.hget(`${prefix}{acct:raw-acct}:meta`, 'baseline');
    try {
      // One raw record per message, as DETECTOR_INPUT=raw delivers them; none is released yet.
      const input = new PartitionInput();
      await input.deliver(
        createCore(redis, options, publisher),
        { offset: '10', events: [event('a', base + 9 * MINUTE)] },
        { offset: '11', events: [event('b', base)] },
        { offset: '12', events: [event('c', base + 5 * MINUTE, 'other-acct')] },
      );
      expect(await redis.exists(keys.buffer)).toBe(0);
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('10');
      expect(await baseline()).toBeNull();
      // A restarted core reads 10 to 12 again, in a batch that also brings 13 (another run's
      // boundaries), and releases `b` then `a` (time order), once each.
      input.restart();
      await input.deliver(createCore(redis, options, publisher), {
        offset: '13',
        events: [event('d', base + HOUR)],
      });
      expect(await baseline()).toBe('2');
      expect(await redis.hget(`${prefix}{acct:other-acct}:meta`, 'baseline')).toBe('1');
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('13');
    } finally {
      await cleanup(prefix);
    }
  });

  it('copies a message held too long to Redis, so a restart need not read the input from it', async () => {
    const HOUR = 3_600_000;
    const prefix = `${uniqueName('core')}:`;
    const publisher = new CollectingPublisher();
    const options = coreOptions(uniqueName('topic'), prefix, {
      spillAfterMs: 0,
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number) => operation('spill-acct', id, time);
    const keys = new DetectorKeys(prefix).partition(options.topic, 0);
    const baseline = () => redis.hget(`${prefix}{acct:spill-acct}:meta`, 'baseline');
    const input = new PartitionInput();
    try {
      const core = createCore(redis, options, publisher);
      // `far` stays buffered: alone, it would keep a restart reading the input from 0.
      await input.deliver(
        core,
        { offset: '0', events: [event('a', base), event('far', base + 5 * HOUR)] },
        { offset: '1', events: [event('b', base + HOUR)] },
      );
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('0');
      await input.deliver(core, { offset: '2', events: [event('c', base + 2 * HOUR)] });
      // Messages 0 and 1 (no consumed bytes) share one entry.
      expect(await redis.hkeys(keys.buffer)).toEqual(['0-1']);
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('');
      expect(await baseline()).toBe('3');

      input.restart();
      await input.deliver(createCore(redis, options, publisher), {
        offset: '3',
        events: [event('d', base + 6 * HOUR)],
      });
      // a, b, c, then `far` from the copy in Redis, once; d is buffered.
      expect(await baseline()).toBe('4');
      expect(await redis.exists(keys.buffer)).toBe(0);
    } finally {
      await cleanup(prefix);
    }
  });

  it('asks to read the input again once, and reports the events it no longer holds', async () => {
    const prefix = `${uniqueName('core')}:`;
    const options = coreOptions(uniqueName('topic'), prefix);
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number) => operation('lost-acct', id, time);
    let missing = 0;
    const observer = {
      ...NOOP_OBSERVER,
      rebuildMismatch: (count: number) => (missing += count),
    };
    try {
      await createCore(redis, options, new CollectingPublisher()).handleBatch(0, [
        { offset: '0', events: [event('a', base + 3_600_000)] },
        { offset: '1', events: [event('b', base)] },
      ]);
      const restarted = createCore(redis, options, new CollectingPublisher(), observer);
      const later = [{ offset: '2', events: [event('c', base + 7_200_000)] }];
      // Retention deleted offsets 0 and 1: the fetch from 0 starts at 2.
      expect(await restarted.handleBatch(0, later, { fetchedOffset: 2, lastOffset: 2 })).toEqual({
        kind: 'rewind',
        offset: 0,
      });
      expect(missing).toBe(0);
      expect(await restarted.handleBatch(0, later, { fetchedOffset: 2, lastOffset: 2 })).toEqual({
        kind: 'handled',
      });
      expect(missing).toBe(1);
    } finally {
      await cleanup(prefix);
    }
  });

  it('reads each message again once while rebuilding, even when the partition is fetched from its start twice', async () => {
    const MINUTE = 60_000;
    const prefix = `${uniqueName('core')}:`;
    const options = coreOptions(uniqueName('topic'), prefix, {
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number) => operation('twice-acct', id, time);
    const messages = [
      { offset: '0', events: [event('a', base + 60 * MINUTE)] },
      { offset: '1', events: [event('b', base + 61 * MINUTE)] },
      { offset: '2', events: [event('c', base)] },
    ];
    let rebuilt = 0;
    let mismatch = 0;
    const observer = {
      ...NOOP_OBSERVER,
      rebuilt: (count: number) => (rebuilt += count),
      rebuildMismatch: (missing: number) => (mismatch += Math.abs(missing) + 1),
    };
    try {
      await createCore(redis, options, new CollectingPublisher()).handleBatch(0, messages);
      const restarted = createCore(redis, options, new CollectingPublisher(), observer);
      await restarted.handleBatch(0, messages.slice(0, 1), { fetchedOffset: 0, lastOffset: 0 });
      // The seek on assignment lands after the rebuild began: 0 comes again.
      await restarted.handleBatch(
        0,
        [...messages, { offset: '3', events: [event('d', base + 180 * MINUTE)] }],
        { fetchedOffset: 0, lastOffset: 3 },
      );
      expect(rebuilt).toBe(2);
      expect(mismatch).toBe(0);
      expect(await redis.hget(`${prefix}{acct:twice-acct}:meta`, 'baseline')).toBe('3');
    } finally {
      await cleanup(prefix);
    }
  });

  it('takes over a partition whose buffer an earlier detector kept whole in Redis', async () => {
    const HOUR = 3_600_000;
    const prefix = `${uniqueName('core')}:`;
    const options = coreOptions(uniqueName('topic'), prefix, {
      detection: { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    });
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number) => operation('legacy-acct', id, time);
    const keys = new DetectorKeys(prefix).partition(options.topic, 0);
    const watermark = base + 3 * HOUR - LATENESS;
    try {
      // What the earlier detector left after checkpoint 1 absorbed messages 0 and 1: message 0
      // in the buffer (its `a` applied, `b` not), no low/from/size fields, offsets committed.
      await redis.hset(keys.checkpoint, {
        seq: '1',
        done: '1',
        next: '2',
        wm: String(watermark),
        wmPrev: '-inf',
        max: String(base + 3 * HOUR),
      });
      await redis.hset(
        keys.buffer,
        '0',
        `1:${JSON.stringify([event('a', base), event('b', base + 3 * HOUR)])}`,
      );
      await redis.zadd(keys.order, base + 3 * HOUR, '0');
      const core = createCore(redis, options, new CollectingPublisher());
      expect(
        await core.handleBatch(0, [{ offset: '2', events: [event('d', base + 6 * HOUR)] }]),
      ).toEqual({ kind: 'handled' });
      // b was applied from the Redis copy (a was not again); d waits in memory.
      expect(await redis.hget(`${prefix}{acct:legacy-acct}:meta`, 'baseline')).toBe('1');
      expect(await redis.exists(keys.buffer, keys.order)).toBe(0);
      expect(await redis.hget(keys.checkpoint, 'low')).toBe('2');
    } finally {
      await cleanup(prefix);
    }
  });

  it('counts accounts whose events arrive on another partition than before (an unkeyed input)', async () => {
    const HOUR = 3_600_000;
    const prefix = `${uniqueName('core')}:`;
    const options = coreOptions(uniqueName('topic'), prefix, { allowedLatenessMs: 0 });
    let moved = 0;
    const observer = { ...NOOP_OBSERVER, accountsMoved: (count: number) => (moved += count) };
    const base = Date.UTC(2026, 3, 1);
    const event = (id: string, time: number) => operation('roaming-acct', id, time);
    try {
      const core = createCore(redis, options, new CollectingPublisher(), observer);
      await core.handleBatch(0, [
        { offset: '0', events: [event('a', base)] },
        { offset: '1', events: [event('b', base + HOUR)] },
      ]);
      await core.handleBatch(0, [{ offset: '2', events: [event('c', base + 2 * HOUR)] }]);
      expect(moved).toBe(0);
      await core.handleBatch(1, [
        { offset: '0', events: [event('d', base + 3 * HOUR)] },
        { offset: '1', events: [event('e', base + 4 * HOUR)] },
      ]);
      expect(moved).toBe(1);
    } finally {
      await cleanup(prefix);
    }
  });
});
