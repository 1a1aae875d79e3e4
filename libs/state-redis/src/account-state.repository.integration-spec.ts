/**
 * Needs a real Redis (REDIS_URL, from deploy/local/stack.sh in the integration tier's
 * globalSetup). Proves that the stored state is the engine's state: a load after any persist
 * equals the in-memory state (canonical view) while a real DetectionEngine runs over generated
 * trails with duplicates and disorder within the lateness; that a detector which crashes at any
 * point and restarts from the last committed offset (skipping what the store already applied)
 * ends in the same state with the same closed windows; and the verdict index contract.
 */
import fc from 'fast-check';

import {
  DetectionEngine,
  NONE_MODEL,
  StateChanges,
  WINDOW_MS,
  createAccountState,
} from '@trail-insight/detection';

import type { AccountState, ClosedWindow, DetectionListener } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';

import type { Redis } from 'ioredis';

import { AccountStateCache } from './account-state.cache';
import { AccountStateRepository } from './account-state.repository';
import { canonicalAccountState } from './canonical-account-state';
import { PersistOutcome } from './persist-script';
import { T0, connectRedis, deleteByPrefix, makeEvent, testPrefix } from './test/redis-fixture';

const TOPIC = 'normalized-events';
const PARTITION = 2;
const LATENESS_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;

function engineWith(closed: ClosedWindow[]): DetectionEngine {
  const listener: DetectionListener = { windowClosed: (window) => closed.push(window) };
  return new DetectionEngine(
    { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
    listener,
  );
}

/** Delivery-ordered events of one account: disorder within the lateness, redelivered copies. */
const trailArbitrary: fc.Arbitrary<NormalizedEvent[]> = fc
  .array(
    fc.record({
      gap: fc.oneof(
        fc.integer({ min: 0, max: 10 * 60_000 }),
        fc.integer({ min: 0, max: 12 * HOUR_MS }),
      ),
      jitter: fc.integer({ min: 0, max: LATENESS_MS - 1 }),
      ip: fc.oneof(
        fc.constantFrom('42.120.1.2', '2001:db8::1', '10.0.0.1', null),
        fc.integer({ min: 1, max: 30 }).map((n) => `203.0.113.${n}`),
      ),
      region: fc.constantFrom('cn-hangzhou', 'ap-southeast-1'),
      duplicate: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
    }),
    { minLength: 20, maxLength: 250 },
  )
  .map((steps) => {
    let time = T0;
    const timed = steps.map((step, index) => {
      time += step.gap;
      const event = makeEvent({
        time,
        eventId: `ev-${index}`,
        sourceIp: step.ip,
        region: step.region,
      });
      return { event, deliveredAt: time + step.jitter, duplicate: step.duplicate };
    });
    const delivered = [...timed].sort((a, b) => a.deliveredAt - b.deliveredAt);
    const events: NormalizedEvent[] = [];
    for (const entry of delivered) {
      events.push(entry.event);
      if (entry.duplicate) {
        events.push({ ...entry.event });
      }
    }
    return events;
  });

/** Batch boundaries over `length` events: sorted cut points. */
function batchesOf(length: number, cuts: number[]): Array<[number, number]> {
  const points = [...new Set(cuts.map((cut) => cut % length))]
    .filter((p) => p > 0)
    .sort((a, b) => a - b);
  const batches: Array<[number, number]> = [];
  let previous = 0;
  for (const bound of [...points, length]) {
    batches.push([previous, bound]);
    previous = bound;
  }
  return batches;
}

function eventAt(events: readonly NormalizedEvent[], i: number): NormalizedEvent {
  const event = events[i];
  if (event === undefined) {
    throw new RangeError(`no event ${i} of ${events.length}`);
  }
  return event;
}

function watermarkOf(events: NormalizedEvent[], end: number): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < end; i += 1) {
    latest = Math.max(latest, eventAt(events, i).time);
  }
  return latest - LATENESS_MS;
}

function closedKeys(closed: ClosedWindow[]): string[] {
  const keys = closed.map(
    (c) => `${c.region}|${c.window.ip}|${c.window.start}|${c.verdict}|${c.window.eventCount}`,
  );
  return [...new Set(keys)].sort();
}

/** The uninterrupted run: one state in memory, batches and watermark advances. */
function referenceRun(
  events: NormalizedEvent[],
  batches: Array<[number, number]>,
): { state: AccountState; closed: ClosedWindow[] } {
  const closed: ClosedWindow[] = [];
  const engine = engineWith(closed);
  const state = createAccountState('1234');
  for (const [start, end] of batches) {
    for (let i = start; i < end; i += 1) {
      engine.apply(state, eventAt(events, i));
    }
    engine.advance(state, watermarkOf(events, end));
  }
  return { state, closed };
}

describe(AccountStateRepository.name, () => {
  let redis: Redis;
  let prefix: string;
  let sut: AccountStateRepository;

  beforeAll(() => {
    redis = connectRedis();
  });

  afterAll(async () => {
    await redis.quit();
  });

  beforeEach(() => {
    prefix = testPrefix();
    sut = new AccountStateRepository(redis, { prefix });
  });

  afterEach(async () => {
    await deleteByPrefix(redis, prefix);
  });

  it('loads a fresh state for an account never stored', async () => {
    const loaded = await sut.loadAccount('nobody');

    expect(loaded.state).toEqual(createAccountState('nobody'));
    expect(loaded.appliedOffsets.size).toBe(0);
    expect(loaded.home).toBeNull();
    expect(await sut.appliedOffset('nobody', TOPIC, 0)).toBeNull();
  });

  it('loads what the engine has in memory after every persisted batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        trailArbitrary,
        fc.array(fc.nat(), { maxLength: 12 }),
        async (events, cuts) => {
          const runPrefix = testPrefix();
          const repository = new AccountStateRepository(redis, { prefix: runPrefix });
          try {
            const engine = engineWith([]);
            const state = createAccountState('1234');
            for (const [start, end] of batchesOf(events.length, cuts)) {
              const changes = new StateChanges();
              for (let i = start; i < end; i += 1) {
                engine.apply(state, eventAt(events, i), changes);
              }
              engine.advance(state, watermarkOf(events, end), changes);
              engine.prune(state, changes);
              const outcome = await repository.persist(state, changes, {
                topic: TOPIC,
                partition: PARTITION,
                offset: String(end - 1),
              });
              expect(outcome).toBe(PersistOutcome.Applied);
              const loaded = await repository.load('1234');
              expect(canonicalAccountState(loaded)).toEqual(canonicalAccountState(state));
            }
          } finally {
            await deleteByPrefix(redis, runPrefix);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('ends in the same state with the same verdicts when the detector crashes anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        trailArbitrary,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(
          fc.record({ at: fc.nat(), phase: fc.constantFrom('mid', 'persisted', 'advanced') }),
          {
            maxLength: 4,
          },
        ),
        async (events, cuts, crashes) => {
          const runPrefix = testPrefix();
          const repository = new AccountStateRepository(redis, { prefix: runPrefix });
          const batches = batchesOf(events.length, cuts);
          const reference = referenceRun(events, batches);
          const closed: ClosedWindow[] = [];
          const engine = engineWith(closed);
          const pending = new Map(crashes.map((c) => [c.at % batches.length, c.phase]));
          let cache = new AccountStateCache(repository, { maxAccounts: 4 });
          let committed = 0;
          try {
            for (let b = 0; b < batches.length; b += 1) {
              const [, end] = batches[b] ?? [];
              if (end === undefined) {
                throw new RangeError(`no batch ${b}`);
              }
              const crash = pending.get(b);
              pending.delete(b);
              const entry = await cache.acquire('1234');
              const applied = entry.appliedOffset(TOPIC, PARTITION) ?? -1n;
              for (let i = committed; i < end; i += 1) {
                if (BigInt(i) > applied) {
                  engine.apply(entry.state, eventAt(events, i), entry.changes);
                }
              }
              if (crash === 'mid') {
                cache = new AccountStateCache(repository, { maxAccounts: 4 });
                b -= 1;
                continue;
              }
              expect(
                await cache.persist(entry, {
                  topic: TOPIC,
                  partition: PARTITION,
                  offset: String(end - 1),
                }),
              ).not.toBe(PersistOutcome.AlreadyApplied);
              if (crash === 'persisted') {
                cache = new AccountStateCache(repository, { maxAccounts: 4 });
                b -= 1;
                continue;
              }
              const advancing = await cache.acquire('1234');
              engine.advance(advancing.state, watermarkOf(events, end), advancing.changes);
              if (crash === 'advanced') {
                cache = new AccountStateCache(repository, { maxAccounts: 4 });
                b -= 1;
                continue;
              }
              const advanced = await cache.persistAdvance(advancing, {
                topic: TOPIC,
                partition: PARTITION,
              });
              expect([PersistOutcome.Applied, PersistOutcome.Unchanged]).toContain(advanced);
              committed = end;
            }
            const final = await repository.load('1234');
            expect(canonicalAccountState(final)).toEqual(canonicalAccountState(reference.state));
            expect(closedKeys(closed)).toEqual(closedKeys(reference.closed));
          } finally {
            await deleteByPrefix(redis, runPrefix);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('is idempotent: persisting the same batch twice leaves the stored state unchanged', async () => {
    const engine = engineWith([]);
    const state = createAccountState('1234');
    const changes = new StateChanges();
    engine.apply(state, makeEvent({ time: T0 }), changes);
    const position = { topic: TOPIC, partition: 0, offset: '5' };

    const first = await sut.persist(state, changes, position);
    const stored = await sut.load('1234');
    engine.apply(state, makeEvent({ time: T0 + 1 }), changes);
    const second = await sut.persist(state, changes, position);

    expect([first, second]).toEqual([PersistOutcome.Applied, PersistOutcome.AlreadyApplied]);
    expect(await sut.load('1234')).toEqual(stored);
  });

  it('indexes accounts by next verdict per partition, never later than the stored one', async () => {
    const engine = engineWith([]);
    const state = createAccountState('1234');
    const changes = new StateChanges();
    engine.apply(state, makeEvent({ time: T0, sourceIp: '42.120.1.2' }), changes);
    await sut.persist(state, changes, { topic: TOPIC, partition: 1, offset: '0' });

    expect(await sut.dueAccounts(TOPIC, 1, T0 + WINDOW_MS - 1)).toEqual([]);
    expect(await sut.dueAccounts(TOPIC, 1, T0 + WINDOW_MS)).toEqual(['1234']);
    expect(await sut.dueAccounts(TOPIC, 0, T0 + WINDOW_MS)).toEqual([]);

    const closing = new StateChanges();
    engine.advance(state, T0 + WINDOW_MS, closing);
    await sut.persistAdvance(state, closing, { topic: TOPIC, partition: 1, appliedOffset: '0' });

    expect(await sut.dueAccounts(TOPIC, 1, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('lowers the index before a write that is then refused, so no verdict can be missed', async () => {
    const engine = engineWith([]);
    const state = createAccountState('1234');
    const changes = new StateChanges();
    engine.apply(state, makeEvent({ time: T0, sourceIp: '42.120.1.2' }), changes);
    await sut.persist(state, changes, { topic: TOPIC, partition: 1, offset: '9' });
    const later = createAccountState('1234');
    const laterChanges = new StateChanges();
    engine.apply(later, makeEvent({ time: T0 - 1000, sourceIp: '8.8.8.8' }), laterChanges);

    const outcome = await sut.persist(later, laterChanges, {
      topic: TOPIC,
      partition: 1,
      offset: '3',
    });
    const stored = await sut.load('1234');

    expect(outcome).toBe(PersistOutcome.AlreadyApplied);
    expect(await sut.dueAccounts(TOPIC, 1, T0 - 1000 + WINDOW_MS)).toEqual(['1234']);
    await sut.syncVerdictIndex(stored, TOPIC, 1);
    expect(await sut.dueAccounts(TOPIC, 1, T0 - 1000 + WINDOW_MS)).toEqual([]);
    expect(await sut.dueAccounts(TOPIC, 1, T0 + WINDOW_MS)).toEqual(['1234']);
  });

  it('serves open windows as the provisional insights view', async () => {
    const engine = engineWith([]);
    const state = createAccountState('1234');
    const changes = new StateChanges();
    engine.apply(state, makeEvent({ time: T0, sourceIp: '42.120.1.2', eventId: 'e1' }), changes);
    engine.apply(
      state,
      makeEvent({ time: T0 + 60_000, sourceIp: '42.120.1.2', eventId: 'e2' }),
      changes,
    );
    engine.apply(
      state,
      makeEvent({
        time: T0 + 120_000,
        sourceIp: '2001:db8::1',
        region: 'ap-southeast-1',
        eventId: 'e3',
      }),
      changes,
    );
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '2' });

    const open = await sut.openWindows('1234');

    expect(
      open.map(({ region, window }) => [region, window.ip, window.eventCount, window.eventIds]),
    ).toEqual([
      ['cn-hangzhou', '42.120.1.2', 2, ['e1', 'e2']],
      ['ap-southeast-1', '2001:db8::1', 1, ['e3']],
    ]);
    expect(open[0]?.window).toEqual(state.regions.get('cn-hangzhou')?.windows.get('42.120.1.2'));
  });

  it('round-trips hostile text: lone surrogates, NULs and the escape character', async () => {
    const engine = engineWith([]);
    const state = createAccountState('acct-{x}\ud800');
    const changes = new StateChanges();
    const region = 'reg\u0000ion\udc00';
    for (const [i, id] of [
      '\ud800',
      '\ud801',
      '\u0001"x',
      'A0B1C2D3-0000-4000-8000-00000000000F',
    ].entries()) {
      engine.apply(
        state,
        makeEvent({ time: T0 + i, eventId: id, region, accountId: state.accountId }),
        changes,
      );
    }
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '0' });

    const loaded = await sut.load(state.accountId);

    expect(canonicalAccountState(loaded)).toEqual(canonicalAccountState(state));
    expect(loaded.recentIds.size).toBe(4);
  });

  it('deletes an account', async () => {
    const engine = engineWith([]);
    const state = createAccountState('1234');
    const changes = new StateChanges();
    engine.apply(state, makeEvent({ time: T0 }), changes);
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '0' });

    await sut.deleteAccount('1234');

    expect(await redis.exists(...sut.keys.scriptKeys('1234'))).toBe(0);
  });
});
