import fc from 'fast-check';

import { EventHeap } from './event-heap';

import type { BufferedEvent } from './buffered-event';

function item(time: number, offset: number): BufferedEvent {
  return {
    offset,
    index: 0,
    event: {
      time,
      eventId: `e${offset}`,
      accountId: 'a',
      region: 'r',
      isGlobal: false,
      sourceIp: null,
      provider: 'actiontrail',
      userAgent: null,
      principalId: null,
      eventName: null,
      errorCode: null,
    },
  };
}

describe(EventHeap.name, () => {
  it('releases exactly the events older than the watermark, in (time, offset) order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 5 }),
        (times, watermarks) => {
          const sut = new EventHeap();
          times.forEach((time, offset) => sut.push(item(time, offset)));
          const released: BufferedEvent[] = [];
          for (const watermark of [...watermarks].sort((a, b) => a - b)) {
            const batch = sut.popBelow(watermark);
            expect(batch.every((entry) => entry.event.time < watermark)).toBe(true);
            released.push(...batch);
          }
          const expected = times
            .map((time, offset) => ({ time, offset }))
            .filter(({ time }) => time < Math.max(...watermarks))
            .sort((a, b) => a.time - b.time || a.offset - b.offset);
          expect(released.map((entry) => [entry.event.time, entry.offset])).toEqual(
            expected.map(({ time, offset }) => [time, offset]),
          );
          expect(sut.size).toBe(times.length - expected.length);
        },
      ),
    );
  });
});
