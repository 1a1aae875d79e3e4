/**
 * Needs a real Redis (REDIS_URL, from deploy/local/stack.sh in the integration tier's
 * globalSetup). Proves the contract of src/lua/persist-account-4.lua: every return code, that a
 * refused call writes nothing, that offsets compare as int64, that large batches are chunked
 * inside one call, and that the script survives SCRIPT FLUSH (ioredis falls back to EVAL).
 */
import {
  DEDUP_HORIZON_MS,
  StateChanges,
  WINDOW_MS,
  createAccountState,
  regionOf,
} from '@trail-insight/detection';

import type { AccountState, ObservationWindow } from '@trail-insight/detection';

import type { Redis } from 'ioredis';

import { AccountStateRepository } from './account-state.repository';
import { PersistOutcome, PersistScriptCode } from './persist-script';
import { MAX_PERSIST_ENTRIES, STATE_SCHEMA_VERSION } from './state-redis.constants';
import { StateStoreErrorCode, StateStoreException } from './state-store.exception';
import { T0, connectRedis, deleteByPrefix, snapshot, testPrefix } from './test/redis-fixture';

const TOPIC = 'normalized-events';

function windowOf(ip: string, start: number, ids: string[]): ObservationWindow {
  return {
    ip,
    start,
    lastTime: start,
    eventCount: ids.length,
    slots: 1,
    buckets: [{ start: Math.floor(start / 300_000) * 300_000, count: ids.length }],
    eventIds: ids,
    predictedValue: 0,
    threshold: 0.5,
    heterogeneity: 100,
    signals: [],
  };
}

/** A state with one usual IP, one window and one id, all marked dirty. */
function dirtyState(accountId: string): { state: AccountState; changes: StateChanges } {
  const state = createAccountState(accountId);
  const changes = new StateChanges();
  state.clock = T0;
  state.baseline = 2;
  const region = regionOf(state, 'cn-hangzhou');
  region.usual.set('10.0.0.1', T0 - 1000);
  changes.usual.add(StateChanges.key('cn-hangzhou', '10.0.0.1'));
  region.windows.set('42.120.1.2', windowOf('42.120.1.2', T0, ['a-1']));
  changes.windows.add(StateChanges.key('cn-hangzhou', '42.120.1.2'));
  state.nextVerdict = T0 + WINDOW_MS;
  state.recentIds.set('a-1', T0);
  changes.ids.push(['a-1', T0]);
  return { state, changes };
}

describe('persist-account-4.lua', () => {
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

  it(`returns ${PersistScriptCode.Applied} (applied) and writes state, offset and home`, async () => {
    const { state, changes } = dirtyState('acct-1');

    const outcome = await sut.persist(state, changes, { topic: TOPIC, partition: 3, offset: '41' });

    expect(outcome).toBe(PersistOutcome.Applied);
    const keys = sut.keys.account('acct-1');
    expect(await redis.hgetall(keys.meta)).toEqual({
      v: STATE_SCHEMA_VERSION,
      baseline: '2',
      clock: String(T0),
      nextVerdict: String(T0 + WINDOW_MS),
      home: `${TOPIC}:3`,
      [`offset:${TOPIC}:3`]: '41',
    });
    expect(await redis.hgetall(keys.usual)).toEqual({
      'cn-hangzhou\u000010.0.0.1': String(T0 - 1000),
    });
    expect(await redis.hkeys(keys.windows)).toEqual(['cn-hangzhou\u000042.120.1.2']);
    expect(await redis.zrange(keys.ids, 0, -1, 'WITHSCORES')).toEqual(['a-1', String(T0)]);
    expect(await sut.appliedOffset('acct-1', TOPIC, 3)).toBe(41n);
    expect(await sut.appliedOffset('acct-1', TOPIC, 4)).toBeNull();
  });

  it(`returns ${PersistScriptCode.AlreadyApplied} (already applied) for the same or a lower offset, writing nothing`, async () => {
    const { state, changes } = dirtyState('acct-1');
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '10' });
    const before = await snapshot(redis, prefix);
    state.baseline = 99;
    regionOf(state, 'cn-hangzhou').usual.delete('10.0.0.1');

    const same = await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '10' });
    const lower = await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '9' });

    expect(same).toBe(PersistOutcome.AlreadyApplied);
    expect(lower).toBe(PersistOutcome.AlreadyApplied);
    expect(await snapshot(redis, prefix)).toEqual(before);
  });

  it('compares offsets as int64, not as text or doubles', async () => {
    const { state, changes } = dirtyState('acct-1');
    const offsets = ['9', '10', '9007199254740993', '9223372036854775806', '9223372036854775807'];

    const outcomes = [];
    for (const offset of offsets) {
      outcomes.push(await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset }));
    }
    const stale = await sut.persist(state, changes, {
      topic: TOPIC,
      partition: 0,
      offset: '9007199254740992',
    });

    expect(outcomes).toEqual(offsets.map(() => PersistOutcome.Applied));
    expect(stale).toBe(PersistOutcome.AlreadyApplied);
    expect(await sut.appliedOffset('acct-1', TOPIC, 0)).toBe(9223372036854775807n);
  });

  it('keeps one applied offset per partition', async () => {
    const { state, changes } = dirtyState('acct-1');

    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '100' });
    const other = await sut.persist(state, changes, { topic: TOPIC, partition: 1, offset: '5' });

    expect(other).toBe(PersistOutcome.Applied);
    expect(await sut.appliedOffset('acct-1', TOPIC, 0)).toBe(100n);
    expect(await sut.appliedOffset('acct-1', TOPIC, 1)).toBe(5n);
  });

  it.each([
    ['an unknown mode', (argv: string[]) => argv.splice(1, 1, 'merge')],
    ['an offset with a leading zero', (argv: string[]) => argv.splice(3, 1, '010')],
    ['an empty batch offset', (argv: string[]) => argv.splice(3, 1, '')],
    ['a non-numeric count', (argv: string[]) => argv.splice(9, 1, 'x')],
    ['counts that do not match the lists', (argv: string[]) => argv.splice(9, 1, '2')],
  ])(
    `returns ${PersistScriptCode.MalformedArguments} (malformed) for %s, writing nothing`,
    async (_name, corrupt) => {
      const [meta, usual, windows, ids] = sut.keys.scriptKeys('acct-1');
      const argv = [
        STATE_SCHEMA_VERSION,
        'batch',
        `offset:${TOPIC}:0`,
        '1',
        `${TOPIC}:0`,
        '1',
        String(T0),
        'inf',
        '',
        '1',
        '0',
        '0',
        '0',
        '0',
        '0',
        'cn-hangzhou\u000010.0.0.1',
        String(T0),
      ];
      corrupt(argv);

      const reply = await redis.persistAccountState(meta, usual, windows, ids, argv);

      expect(reply).toBe(PersistScriptCode.MalformedArguments);
      expect(await snapshot(redis, prefix)).toEqual(new Map());
    },
  );

  it(`returns ${PersistScriptCode.SchemaVersionMismatch} (schema mismatch) as a non-retriable exception, writing nothing`, async () => {
    const { state, changes } = dirtyState('acct-1');
    await redis.hset(sut.keys.account('acct-1').meta, 'v', '0');
    const accountKeys = `${prefix}{acct:`;
    const before = await snapshot(redis, accountKeys);

    const result = sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '1' });

    await expect(result).rejects.toMatchObject({
      code: StateStoreErrorCode.SchemaVersionMismatch,
      retriable: false,
    });
    await expect(result).rejects.toBeInstanceOf(StateStoreException);
    expect(await snapshot(redis, accountKeys)).toEqual(before);
  });

  it(`returns ${PersistScriptCode.OffsetConflict} (conflict) when an advance expects another offset, writing nothing`, async () => {
    const { state, changes } = dirtyState('acct-1');
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '7' });
    const before = await snapshot(redis, prefix);

    const stale = await sut.persistAdvance(state, changes, {
      topic: TOPIC,
      partition: 0,
      appliedOffset: '6',
    });
    const none = await sut.persistAdvance(state, changes, {
      topic: TOPIC,
      partition: 0,
      appliedOffset: null,
    });

    expect(stale).toBe(PersistOutcome.Conflict);
    expect(none).toBe(PersistOutcome.Conflict);
    expect(await snapshot(redis, prefix)).toEqual(before);
  });

  it('applies an advance at the stored offset without moving the offset', async () => {
    const { state, changes } = dirtyState('acct-1');
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '7' });
    const closing = new StateChanges();
    regionOf(state, 'cn-hangzhou').windows.delete('42.120.1.2');
    closing.windows.add(StateChanges.key('cn-hangzhou', '42.120.1.2'));
    state.clock = T0 + WINDOW_MS;
    state.nextVerdict = Number.POSITIVE_INFINITY;

    const outcome = await sut.persistAdvance(state, closing, {
      topic: TOPIC,
      partition: 0,
      appliedOffset: '7',
    });

    expect(outcome).toBe(PersistOutcome.Applied);
    expect(await sut.appliedOffset('acct-1', TOPIC, 0)).toBe(7n);
    const keys = sut.keys.account('acct-1');
    expect(await redis.exists(keys.windows)).toBe(0);
    expect(await redis.hget(keys.meta, 'nextVerdict')).toBe('inf');
    expect(await redis.zcard(keys.ids)).toBe(0);
  });

  it('applies an advance on an account never written from that partition when none is expected', async () => {
    const { state, changes } = dirtyState('acct-1');

    const outcome = await sut.persistAdvance(state, changes, {
      topic: TOPIC,
      partition: 0,
      appliedOffset: null,
    });

    expect(outcome).toBe(PersistOutcome.Applied);
    expect(await sut.appliedOffset('acct-1', TOPIC, 0)).toBeNull();
  });

  it('deletes fields that are no longer in the state and ids past the horizon', async () => {
    const { state, changes } = dirtyState('acct-1');
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '1' });
    const next = new StateChanges();
    const region = regionOf(state, 'cn-hangzhou');
    region.usual.delete('10.0.0.1');
    next.usual.add(StateChanges.key('cn-hangzhou', '10.0.0.1'));
    region.windows.delete('42.120.1.2');
    next.windows.add(StateChanges.key('cn-hangzhou', '42.120.1.2'));
    state.clock = T0 + DEDUP_HORIZON_MS + 1;
    state.recentIds.set('b-2', state.clock);
    next.ids.push(['b-2', state.clock]);

    await sut.persist(state, next, { topic: TOPIC, partition: 0, offset: '2' });

    const keys = sut.keys.account('acct-1');
    expect(await redis.exists(keys.usual, keys.windows)).toBe(0);
    expect(await redis.zrange(keys.ids, 0, -1)).toEqual(['b-2']);
  });

  it('keeps an id exactly at the horizon, as the engine does', async () => {
    const { state, changes } = dirtyState('acct-1');
    state.clock = T0 + DEDUP_HORIZON_MS;

    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '1' });

    expect(await redis.zrange(sut.keys.account('acct-1').ids, 0, -1)).toEqual(['a-1']);
  });

  it(`writes ${MAX_PERSIST_ENTRIES} dirty entries (the limit) in one atomic call`, async () => {
    const state = createAccountState('big');
    const changes = new StateChanges();
    state.clock = T0;
    const region = regionOf(state, 'cn-hangzhou');
    const quarter = MAX_PERSIST_ENTRIES / 4;
    for (let i = 0; i < 2 * quarter; i += 1) {
      const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      region.usual.set(ip, T0 - i);
      changes.usual.add(StateChanges.key('cn-hangzhou', ip));
    }
    for (let i = 0; i < quarter; i += 1) {
      const ip = `172.16.${(i >> 8) & 255}.${i & 255}`;
      region.windows.set(ip, windowOf(ip, T0 - i, [`w-${i}`]));
      changes.windows.add(StateChanges.key('cn-hangzhou', ip));
      state.recentIds.set(`id-${i}`, T0 - (i % 1000));
      changes.ids.push([`id-${i}`, T0 - (i % 1000)]);
    }

    const outcome = await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '1' });

    expect(outcome).toBe(PersistOutcome.Applied);
    const keys = sut.keys.account('big');
    expect(await redis.hlen(keys.usual)).toBe(2 * quarter);
    expect(await redis.hlen(keys.windows)).toBe(quarter);
    expect(await redis.zcard(keys.ids)).toBe(quarter);
  });

  it('still runs after SCRIPT FLUSH (NOSCRIPT falls back to EVAL)', async () => {
    const { state, changes } = dirtyState('acct-1');
    await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '1' });

    await redis.script('FLUSH');
    const outcome = await sut.persist(state, changes, { topic: TOPIC, partition: 0, offset: '2' });

    expect(outcome).toBe(PersistOutcome.Applied);
    expect(await sut.appliedOffset('acct-1', TOPIC, 0)).toBe(2n);
  });
});
