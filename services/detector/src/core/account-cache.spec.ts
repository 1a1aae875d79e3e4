import { createAccountState } from '@trail-insight/detection';

import { AccountCache } from './account-cache';

describe(AccountCache.name, () => {
  const entry = (id: string, partition = 0) => ({
    state: createAccountState(id),
    partition,
    checkpoint: 0,
  });

  it('evicts the least recently used accounts beyond its bound, never pinned ones', () => {
    const sut = new AccountCache(2);
    sut.set('a', entry('a'));
    sut.set('b', entry('b'));
    sut.set('c', entry('c'));
    sut.get('a');
    sut.trim(new Set(['b']));
    expect(sut.get('c')).toBeUndefined();
    expect(sut.get('a')).toBeDefined();
    expect(sut.get('b')).toBeDefined();
  });

  it('drops every account of a partition whose owner may have changed', () => {
    const sut = new AccountCache(10);
    sut.set('a', entry('a', 0));
    sut.set('b', entry('b', 1));
    sut.dropPartition(0);
    expect(sut.get('a')).toBeUndefined();
    expect(sut.get('b')).toBeDefined();
  });

  it('refuses a bound below one', () => {
    expect(() => new AccountCache(0)).toThrow(RangeError);
  });
});
