import fc from 'fast-check';

import { StateStoreErrorCode } from './state-store.exception';
import { eventIdArbitrary, windowArbitrary } from './test/account-state.arbitrary';
import { decodeWindow, encodeWindow } from './window-codec';
import { thrownBy } from './test/thrown-by';

import type { ObservationWindow } from '@trail-insight/detection';

const T0 = Date.UTC(2026, 2, 10, 2, 3, 4);

function oneEventWindow(eventId: string): ObservationWindow {
  return {
    ip: '42.120.1.2',
    start: T0,
    lastTime: T0,
    eventCount: 1,
    slots: 1,
    buckets: [{ start: Math.floor(T0 / 300_000) * 300_000, count: 1 }],
    eventIds: [eventId],
    predictedValue: 0,
    threshold: 0.5,
    heterogeneity: 100,
    signals: [],
  };
}

describe('window codec', () => {
  it('round-trips any window the engine can hold', () => {
    fc.assert(
      fc.property(windowArbitrary('2001:db8::1'), (window) => {
        expect(decodeWindow(window.ip, encodeWindow(window))).toEqual(window);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the exact text of every event id, UUIDs in either case included', () => {
    fc.assert(
      fc.property(eventIdArbitrary, (id) => {
        expect(decodeWindow('1.2.3.4', encodeWindow(oneEventWindow(id))).eventIds).toEqual([id]);
      }),
    );
  });

  it('keeps -0, NaN and infinities of the model values', () => {
    const window = {
      ...oneEventWindow('x'),
      predictedValue: -0,
      threshold: Number.NaN,
      heterogeneity: Number.NEGATIVE_INFINITY,
    };

    const decoded = decodeWindow(window.ip, encodeWindow(window));

    expect(Object.is(decoded.predictedValue, -0)).toBe(true);
    expect(decoded.threshold).toBeNaN();
    expect(decoded.heterogeneity).toBe(Number.NEGATIVE_INFINITY);
  });

  it('stores a window of one or two events in at most 64 bytes (Redis listpack value limit)', () => {
    const one = oneEventWindow('9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d');
    const two: ObservationWindow = {
      ...one,
      lastTime: T0 + 3_600_000,
      eventCount: 2,
      buckets: [...one.buckets, { start: (one.buckets[0]?.start ?? 0) + 3_600_000, count: 1 }],
      eventIds: [...one.eventIds, '1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
    };

    expect(encodeWindow(one).length).toBeLessThanOrEqual(64);
    expect(encodeWindow(two).length).toBeLessThanOrEqual(64);
  });

  it('refuses times it cannot store exactly', () => {
    const window = oneEventWindow('x');

    const unencodable = { code: StateStoreErrorCode.UnencodableState };

    expect(thrownBy(() => encodeWindow({ ...window, start: T0 + 0.5 }))).toMatchObject(unencodable);
    expect(
      thrownBy(() => encodeWindow({ ...window, buckets: [{ start: T0 + 1, count: 1 }] })),
    ).toMatchObject(unencodable);
  });

  it('rejects truncated, padded or unknown-format bytes as corrupt', () => {
    const encoded = encodeWindow(oneEventWindow('9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d'));
    const corrupt = { code: StateStoreErrorCode.CorruptState, retriable: false };
    const damaged = [
      encoded.subarray(0, encoded.length - 1),
      Buffer.concat([encoded, Buffer.of(0)]),
      Buffer.concat([Buffer.of(9), encoded.subarray(1)]),
      Buffer.alloc(0),
    ];

    for (const bytes of damaged) {
      expect(thrownBy(() => decodeWindow('ip', bytes))).toMatchObject(corrupt);
    }
  });

  it('never throws anything but a corrupt-state error on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          decodeWindow('ip', Buffer.from(bytes));
        } catch (error) {
          expect(error).toMatchObject({ code: StateStoreErrorCode.CorruptState });
        }
      }),
    );
  });
});
