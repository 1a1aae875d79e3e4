import fc from 'fast-check';

import { BUCKET_MS, DEDUP_HORIZON_MS, StateChanges } from '@trail-insight/detection';

import type { AccountState, ObservationWindow, RegionState } from '@trail-insight/detection';

/** Epoch ms across SPEC §1's range (years 0001–9999). */
export const timeArbitrary = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 });

/** Any UTF-16 text, lone surrogates, NULs and the store's escape character included. */
export const hostileText = (minLength = 0): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
      fc.constantFrom('\u0000', '\u0001', '\ud800', '\udfff', '}', '{'),
    ),
    minLength,
    maxLength: 12,
  });

export const eventIdArbitrary = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  hostileText(1),
);

export const ipArbitrary = fc.oneof(
  fc.ipV4(),
  fc.ipV6().map((ip) => ip.toLowerCase()),
);

export const windowArbitrary = (ip: string): fc.Arbitrary<ObservationWindow> =>
  fc
    .record({
      start: timeArbitrary,
      span: fc.integer({ min: 0, max: 7 * 86_400_000 - 1 }),
      eventCount: fc.nat({ max: 100_000 }),
      slots: fc.integer({ min: 0, max: 127 }),
      bucketSteps: fc.array(
        fc.record({
          step: fc.integer({ min: 1, max: 2016 }),
          count: fc.integer({ min: 1, max: 5000 }),
        }),
        {
          maxLength: 20,
        },
      ),
      eventIds: fc.array(eventIdArbitrary, { maxLength: 100 }),
      predictedValue: fc.double(),
      threshold: fc.double(),
      heterogeneity: fc.double(),
      signals: fc.array(hostileText(), { maxLength: 3 }),
    })
    .map((r) => {
      let index = Math.floor(r.start / BUCKET_MS) - 1;
      const buckets = r.bucketSteps.map(({ step, count }) => {
        index += step;
        return { start: index * BUCKET_MS, count };
      });
      return {
        ip,
        start: r.start,
        lastTime: r.start + r.span,
        eventCount: r.eventCount,
        slots: r.slots,
        buckets,
        eventIds: r.eventIds,
        predictedValue: r.predictedValue,
        threshold: r.threshold,
        heterogeneity: r.heterogeneity,
        signals: r.signals,
      };
    });

const regionArbitrary: fc.Arbitrary<RegionState> = fc
  .record({
    usual: fc.uniqueArray(fc.tuple(ipArbitrary, timeArbitrary), {
      selector: ([ip]) => ip,
      maxLength: 8,
    }),
    windowIps: fc.uniqueArray(ipArbitrary, { maxLength: 4 }),
  })
  .chain(({ usual, windowIps }) =>
    fc.tuple(...windowIps.map((ip) => windowArbitrary(ip))).map((windows) => ({
      usual: new Map(usual),
      windows: new Map(windows.map((window) => [window.ip, window])),
    })),
  );

/** Any state the engine could hold, with ids inside the de-duplication horizon of the clock. */
export const accountStateArbitrary: fc.Arbitrary<AccountState> = fc
  .record({
    accountId: hostileText(1),
    baseline: fc.nat(),
    clock: fc.oneof(timeArbitrary, fc.constant(Number.NEGATIVE_INFINITY)),
    nextVerdict: fc.oneof(timeArbitrary, fc.constant(Number.POSITIVE_INFINITY)),
    regions: fc.uniqueArray(fc.tuple(hostileText(1), regionArbitrary), {
      selector: ([name]) => name,
      maxLength: 3,
    }),
    ids: fc.uniqueArray(fc.tuple(eventIdArbitrary, fc.integer({ min: 0, max: DEDUP_HORIZON_MS })), {
      selector: ([id]) => id,
      maxLength: 10,
    }),
  })
  .map((r) => {
    const ids: Array<[string, number]> = Number.isFinite(r.clock)
      ? r.ids.map(([id, age]) => [id, r.clock - age])
      : [];
    return {
      accountId: r.accountId,
      baseline: r.baseline,
      clock: r.clock,
      nextVerdict: r.nextVerdict,
      regions: new Map(r.regions),
      recentIds: new Map(ids),
    };
  });

/** Changes marking everything in `state` dirty, as if it had all just been written. */
export function everythingDirty(state: AccountState): StateChanges {
  const changes = new StateChanges();
  for (const [region, { usual, windows }] of state.regions) {
    for (const ip of usual.keys()) {
      changes.usual.add(StateChanges.key(region, ip));
    }
    for (const ip of windows.keys()) {
      changes.windows.add(StateChanges.key(region, ip));
    }
  }
  for (const entry of state.recentIds) {
    changes.ids.push(entry);
  }
  return changes;
}
