import { StateChanges, createAccountState } from '@trail-insight/detection';

import { AccountStateCache } from './account-state.cache';
import { createAccountStateStoreMock } from './account-state.repository.mock';
import { PersistOutcome } from './persist-script';
import { StateStoreErrorCode, StateStoreException } from './state-store.exception';

import type { CachedAccount } from './account-state.cache';

const POSITION = { topic: 'normalized-events', partition: 1, offset: '42' };

function touch(entry: CachedAccount): void {
  entry.state.baseline += 1;
  entry.changes.ids.push([`id-${entry.state.baseline}`, 0]);
}

describe(AccountStateCache.name, () => {
  let store: ReturnType<typeof createAccountStateStoreMock>;
  let sut: AccountStateCache;

  beforeEach(() => {
    store = createAccountStateStoreMock();
    store.loadAccount.mockImplementation((accountId: string) =>
      Promise.resolve({
        state: createAccountState(accountId),
        appliedOffsets: new Map([['normalized-events:1', 7n]]),
        home: 'normalized-events:1',
      }),
    );
    store.persist.mockResolvedValue(PersistOutcome.Applied);
    store.persistAdvance.mockResolvedValue(PersistOutcome.Applied);
    sut = new AccountStateCache(store, { maxAccounts: 2 });
  });

  it('loads an account once and serves it from memory after', async () => {
    const first = await sut.acquire('a');
    const second = await sut.acquire('a');

    expect(second).toBe(first);
    expect(store.loadAccount).toHaveBeenCalledTimes(1);
    expect(first.appliedOffset('normalized-events', 1)).toBe(7n);
    expect(first.appliedOffset('normalized-events', 2)).toBeNull();
  });

  it('shares one load between concurrent misses', async () => {
    const [a, b] = await Promise.all([sut.acquire('a'), sut.acquire('a')]);

    expect(a).toBe(b);
    expect(store.loadAccount).toHaveBeenCalledTimes(1);
  });

  it('drops the least recently used released accounts beyond maxAccounts', async () => {
    for (const id of ['a', 'b', 'c']) {
      sut.release(await sut.acquire(id));
    }
    sut.release(await sut.acquire('b'));
    sut.release(await sut.acquire('d'));

    expect(sut.size).toBe(2);
    expect(['a', 'b', 'c', 'd'].filter((id) => sut.has(id))).toEqual(['b', 'd']);
  });

  it('never drops an acquired or dirty account, even beyond maxAccounts', async () => {
    const [a, b, c, d] = await Promise.all([
      sut.acquire('a'),
      sut.acquire('b'),
      sut.acquire('c'),
      sut.acquire('d'),
    ]);
    touch(a);

    expect(sut.size).toBe(4);
    sut.release(b);
    sut.release(c);
    sut.release(d);

    expect(sut.has('a')).toBe(true);
    expect(sut.size).toBe(2);
  });

  it('persists changes, clears them and remembers the applied offset', async () => {
    const entry = await sut.acquire('a');
    touch(entry);
    const changes = entry.changes;

    const outcome = await sut.persist(entry, POSITION);

    expect(outcome).toBe(PersistOutcome.Applied);
    expect(store.persist).toHaveBeenCalledWith(entry.state, changes, POSITION);
    expect(entry.changes.isEmpty).toBe(true);
    expect(entry.appliedOffset('normalized-events', 1)).toBe(42n);
  });

  it('sends nothing for an account without changes', async () => {
    const entry = await sut.acquire('a');

    expect(await sut.persist(entry, POSITION)).toBe(PersistOutcome.Unchanged);
    expect(await sut.persistAdvance(entry, POSITION)).toBe(PersistOutcome.Unchanged);
    expect(store.persist).not.toHaveBeenCalled();
    expect(store.persistAdvance).not.toHaveBeenCalled();
  });

  it('advances at the offset the entry was loaded at', async () => {
    const entry = await sut.acquire('a');
    touch(entry);

    await sut.persistAdvance(entry, { topic: 'normalized-events', partition: 1 });
    touch(entry);
    await sut.persistAdvance(entry, { topic: 'normalized-events', partition: 9 });

    expect(store.persistAdvance).toHaveBeenNthCalledWith(1, entry.state, expect.any(StateChanges), {
      topic: 'normalized-events',
      partition: 1,
      appliedOffset: '7',
    });
    expect(store.persistAdvance).toHaveBeenNthCalledWith(2, entry.state, expect.any(StateChanges), {
      topic: 'normalized-events',
      partition: 9,
      appliedOffset: null,
    });
  });

  it.each([PersistOutcome.AlreadyApplied, PersistOutcome.Conflict])(
    'drops an account whose persist was refused (%s), so the next use reloads it',
    async (refusal) => {
      store.persist.mockResolvedValueOnce(refusal);
      const entry = await sut.acquire('a');
      touch(entry);

      expect(await sut.persist(entry, POSITION)).toBe(refusal);
      expect(sut.has('a')).toBe(false);
      expect(await sut.acquire('a')).not.toBe(entry);
    },
  );

  it('drops an account whose persist failed and rethrows', async () => {
    const failure = new StateStoreException(StateStoreErrorCode.RedisCommandFailed, 'down');
    store.persist.mockRejectedValueOnce(failure);
    const entry = await sut.acquire('a');
    touch(entry);

    await expect(sut.persist(entry, POSITION)).rejects.toBe(failure);
    expect(sut.has('a')).toBe(false);
  });

  it('abandons a failed batch: drops dirty accounts, unpins the clean ones', async () => {
    const dirty = await sut.acquire('a');
    await sut.acquire('b');
    await sut.acquire('c');
    touch(dirty);

    expect(sut.abandonBatch()).toBe(1);
    expect(sut.has('a')).toBe(false);
    expect(sut.size).toBe(2);
  });

  it('refuses a non-positive bound', () => {
    expect(() => new AccountStateCache(store, { maxAccounts: 0 })).toThrow(RangeError);
  });
});
