import calculateSlot from 'cluster-key-slot';
import fc from 'fast-check';

import { StateKeys } from './state-keys';
import { StateStoreErrorCode } from './state-store.exception';
import { hostileText } from './test/account-state.arbitrary';
import { thrownBy } from './test/thrown-by';

describe(StateKeys.name, () => {
  const sut = new StateKeys('ti:');

  it('builds the four account keys under one hash tag', () => {
    expect(sut.account('1234')).toEqual({
      meta: 'ti:{acct:1234}:meta',
      usual: 'ti:{acct:1234}:usual',
      windows: 'ti:{acct:1234}:windows',
      ids: 'ti:{acct:1234}:ids',
    });
    expect(sut.scriptKeys('1234')).toEqual([
      'ti:{acct:1234}:meta',
      'ti:{acct:1234}:usual',
      'ti:{acct:1234}:windows',
      'ti:{acct:1234}:ids',
    ]);
  });

  it('puts every key of an account in one Redis Cluster slot, whatever the account id', () => {
    fc.assert(
      fc.property(hostileText(1), fc.constantFrom('', 'ti:', 'test-x:'), (accountId, prefix) => {
        const keys = new StateKeys(prefix).scriptKeys(accountId);

        expect(new Set(keys.map((key) => calculateSlot(key))).size).toBe(1);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives distinct accounts distinct keys, as the UTF-8 bytes Redis receives', () => {
    const bytes = (key: string): string => Buffer.from(key, 'utf8').toString('hex');
    fc.assert(
      fc.property(hostileText(1), hostileText(1), (a, b) => {
        fc.pre(a !== b);
        const keysA = new Set(sut.scriptKeys(a).map(bytes));

        expect(sut.scriptKeys(b).some((key) => keysA.has(bytes(key)))).toBe(false);
      }),
      { numRuns: 1000 },
    );
    expect(bytes(sut.account('\ud800').meta)).not.toBe(bytes(sut.account('\ud801').meta));
  });

  it('spreads accounts over slots', () => {
    const slots = new Set(
      Array.from({ length: 1000 }, (_, i) => calculateSlot(sut.account(String(100_000 + i)).meta)),
    );

    expect(slots.size).toBeGreaterThan(900);
  });

  it('builds one verdict index per topic partition, in its own slot', () => {
    expect(sut.verdicts('normalized-events', 7)).toBe('ti:{p:normalized-events:7}:verdicts');
    expect(StateKeys.offsetField('normalized-events', 7)).toBe('offset:normalized-events:7');
    expect(StateKeys.home('normalized-events', 7)).toBe('normalized-events:7');
  });

  it.each([
    ['a topic with a brace', () => sut.verdicts('a}b', 0)],
    ['an empty topic', () => StateKeys.offsetField('', 0)],
    ['a negative partition', () => StateKeys.home('t', -1)],
    ['a fractional partition', () => sut.verdicts('t', 1.5)],
    ['a prefix with a brace', () => new StateKeys('x{')],
  ])('refuses %s', (_name, build) => {
    expect(thrownBy(build)).toMatchObject({ code: StateStoreErrorCode.InvalidArgument });
  });
});
