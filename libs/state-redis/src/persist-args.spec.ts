import fc from 'fast-check';

import { StateChanges, createAccountState, regionOf } from '@trail-insight/detection';

import { decodeStoredAccount } from './account-state-codec';
import { canonicalAccountState } from './canonical-account-state';
import { PERSIST_HEADER_LENGTH, PersistMode, buildPersistArgs } from './persist-args';
import { MAX_PERSIST_ENTRIES, STATE_SCHEMA_VERSION } from './state-redis.constants';
import { StateStoreErrorCode } from './state-store.exception';
import { accountStateArbitrary, everythingDirty } from './test/account-state.arbitrary';
import { thrownBy } from './test/thrown-by';

import type { StoredAccountRecord } from './account-state-codec';

const POSITION = { topic: 'normalized-events', partition: 4, offset: '17' };

/**
 * Reads an ARGV back the way src/lua/persist-account-4.lua writes it (lists only, no position
 * checks), into the record a load would read.
 */
function applyArgv(record: StoredAccountRecord, argv: Array<string | Buffer>): StoredAccountRecord {
  const text = (i: number): string => String(argv[i]);
  const counts = argv.slice(9, PERSIST_HEADER_LENGTH).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const [usualSet, usualDel, windowSet, windowDel, idAdd, idDel] = counts;
  const meta: Record<string, string> = {
    ...record.meta,
    v: text(0),
    baseline: text(5),
    clock: text(6),
    nextVerdict: text(7),
  };
  if ((text(1) as PersistMode) === PersistMode.Batch) {
    meta[text(2)] = text(3);
    meta.home = text(4);
  }
  const usual = { ...record.usual };
  const windows = { ...record.windows };
  const ids = new Map<string, number>();
  for (let i = 0; i < record.ids.length; i += 2) {
    const id = record.ids[i];
    if (id === undefined) {
      throw new Error('odd ids');
    }
    ids.set(id, Number(record.ids[i + 1]));
  }
  let at = PERSIST_HEADER_LENGTH;
  for (let n = 0; n < usualSet; n += 1, at += 2) usual[text(at)] = text(at + 1);
  for (let n = 0; n < usualDel; n += 1, at += 1) delete usual[text(at)];
  for (let n = 0; n < windowSet; n += 1, at += 2) windows[text(at)] = argv[at + 1] as Buffer;
  for (let n = 0; n < windowDel; n += 1, at += 1) delete windows[text(at)];
  for (let n = 0; n < idAdd; n += 1, at += 2) ids.set(text(at + 1), Number(text(at)));
  for (let n = 0; n < idDel; n += 1, at += 1) ids.delete(text(at));
  expect(at).toBe(argv.length);
  const cutoff = text(8);
  const kept = [...ids].filter(([, time]) => cutoff === '' || time >= Number(cutoff));
  return { meta, usual, windows, ids: kept.flatMap(([id, time]) => [id, String(time)]) };
}

const EMPTY: StoredAccountRecord = { meta: {}, usual: {}, windows: {}, ids: [] };

describe(buildPersistArgs.name, () => {
  it('round-trips any account state through ARGV and back (Maps included)', () => {
    fc.assert(
      fc.property(accountStateArbitrary, (state) => {
        const { argv } = buildPersistArgs(
          state,
          everythingDirty(state),
          PersistMode.Batch,
          POSITION,
        );

        const loaded = decodeStoredAccount(state.accountId, applyArgv(EMPTY, argv));

        expect(canonicalAccountState(loaded.state)).toEqual(canonicalAccountState(state));
        expect(loaded.appliedOffsets).toEqual(new Map([['normalized-events:4', 17n]]));
        expect(loaded.home).toBe('normalized-events:4');
      }),
      { numRuns: 300 },
    );
  });

  it('turns keys that left the state into deletions, also from an earlier write', () => {
    fc.assert(
      fc.property(accountStateArbitrary, accountStateArbitrary, (before, after) => {
        const state = { ...after, accountId: before.accountId };
        const first = buildPersistArgs(
          before,
          everythingDirty(before),
          PersistMode.Batch,
          POSITION,
        );
        const changes = everythingDirty(state);
        for (const key of everythingDirty(before).usual) changes.usual.add(key);
        for (const key of everythingDirty(before).windows) changes.windows.add(key);
        changes.ids.push(...before.recentIds);

        const { argv } = buildPersistArgs(state, changes, PersistMode.Batch, {
          ...POSITION,
          offset: '18',
        });
        const loaded = decodeStoredAccount(
          state.accountId,
          applyArgv(applyArgv(EMPTY, first.argv), argv),
        );

        expect(canonicalAccountState(loaded.state)).toEqual(canonicalAccountState(state));
      }),
      { numRuns: 200 },
    );
  });

  it('lays out the header of the script contract', () => {
    const state = createAccountState('1234');
    state.clock = 10_000_000;
    state.baseline = 3;
    const changes = new StateChanges();
    regionOf(state, 'cn-hangzhou').usual.set('10.0.0.1', 9_000_000);
    changes.usual.add(StateChanges.key('cn-hangzhou', '10.0.0.1'));
    changes.usual.add(StateChanges.key('cn-hangzhou', '10.0.0.2'));
    state.recentIds.set('e1', 9_999_999);
    changes.ids.push(['e1', 9_999_999], ['e0', 1], ['e1', 9_999_999]);

    const { argv, entryCount } = buildPersistArgs(state, changes, PersistMode.Advance, {
      topic: 'normalized-events',
      partition: 0,
      appliedOffset: null,
    });

    expect(argv).toEqual([
      STATE_SCHEMA_VERSION,
      'advance',
      'offset:normalized-events:0',
      '',
      'normalized-events:0',
      '3',
      '10000000',
      'inf',
      String(10_000_000 - 3_600_000),
      '1',
      '1',
      '0',
      '0',
      '1',
      '1',
      'cn-hangzhou\u000010.0.0.1',
      '9000000',
      'cn-hangzhou\u000010.0.0.2',
      '9999999',
      'e1',
      'e0',
    ]);
    expect(entryCount).toBe(4);
  });

  it('refuses more dirty entries than one atomic write may carry', () => {
    const state = createAccountState('1234');
    const changes = new StateChanges();
    for (let i = 0; i <= MAX_PERSIST_ENTRIES; i += 1) {
      changes.ids.push([`id-${i}`, 0]);
    }

    expect(
      thrownBy(() => buildPersistArgs(state, changes, PersistMode.Batch, POSITION)),
    ).toMatchObject({ code: StateStoreErrorCode.BatchTooLarge, retriable: false });
  });

  it.each(['', '-1', '01', '1.0', '9223372036854775808', 'x'])(
    'refuses the offset %p',
    (offset) => {
      expect(
        thrownBy(() =>
          buildPersistArgs(createAccountState('1'), new StateChanges(), PersistMode.Batch, {
            ...POSITION,
            offset,
          }),
        ),
      ).toMatchObject({ code: StateStoreErrorCode.InvalidArgument });
    },
  );
});
