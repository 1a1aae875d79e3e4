import fc from 'fast-check';

import type { NormalizedEvent } from '@trail-insight/events';

import { ReorderBuffer, decodeSealedEntry } from './reorder-buffer';

function event(time: number, id: string): NormalizedEvent {
  return {
    time,
    eventId: id,
    accountId: 'a',
    region: 'r',
    isGlobal: false,
    sourceIp: '203.0.113.1',
    provider: 'actiontrail',
    userAgent: 'aliyun-cli',
    principalId: null,
    eventName: 'DescribeInstances',
    errorCode: null,
  };
}

describe(ReorderBuffer.name, () => {
  it('releases exactly the events older than the watermark, in (time, offset, index) order, sealed or not', () => {
    fc.assert(
      fc.property(
        // entries of 1-3 events, each entry with consumed bytes or not, sealed after it or not
        fc.array(
          fc.record({
            times: fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 3 }),
            consumed: fc.boolean(),
            seal: fc.boolean(),
          }),
          { maxLength: 80 },
        ),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 5 }),
        (entries, watermarks) => {
          const sut = new ReorderBuffer();
          const all: Array<{ offset: number; index: number; event: NormalizedEvent }> = [];
          entries.forEach(({ times, consumed, seal }, offset) => {
            const events = times.map((time, index) => event(time, `e${offset}-${index}`));
            const bytes = consumed ? Buffer.from(JSON.stringify(events)) : null;
            sut.add(offset, events, bytes);
            events.forEach((item, index) => all.push({ offset, index, event: item }));
            if (seal) {
              sut.seal();
            }
          });
          const released: Array<{ offset: number; index: number; event: NormalizedEvent }> = [];
          for (const watermark of [...watermarks].sort((a, b) => a - b)) {
            const batch = sut.take(sut.popBelow(watermark));
            expect(batch.every((item) => item.event.time < watermark)).toBe(true);
            released.push(
              ...batch.map(({ offset, index, event: item }) => ({ offset, index, event: item })),
            );
            sut.seal();
          }
          const expected = all
            .filter(({ event: item }) => item.time < Math.max(...watermarks))
            .sort(
              (a, b) => a.event.time - b.event.time || a.offset - b.offset || a.index - b.index,
            );
          expect(released).toEqual(expected);
          expect(sut.size).toBe(all.length - expected.length);
        },
      ),
    );
  });

  it('keeps sealed events as an owned copy of their JSON, not the consumed bytes', () => {
    const sut = new ReorderBuffer();
    const events = [event(2, 'x'), event(1, 'y')];
    const consumed = Buffer.from(JSON.stringify(events));
    const [first, second] = sut.add(7, events, consumed);
    sut.seal();
    consumed.fill(0x20); // the fetch response's memory is reused
    expect(sut.eventsOf([first?.slot ?? -1, second?.slot ?? -1])).toEqual(events);
    expect(sut.take(sut.popBelow(3))).toEqual([
      { slot: second?.slot, offset: 7, index: 1, event: events[1] },
      { slot: first?.slot, offset: 7, index: 0, event: events[0] },
    ]);
    expect(sut.size).toBe(0);
  });

  it('hands out the objects it was given until sealed, then equal decoded copies', () => {
    const sut = new ReorderBuffer();
    const given = event(5, 'z');
    const [added] = sut.add(1, [given], null);
    const slot = added?.slot ?? -1;
    expect(sut.eventsOf([slot])[0]).toBe(given);
    sut.seal();
    const decoded = sut.eventsOf([slot])[0];
    expect(decoded).not.toBe(given);
    expect(decoded).toEqual(given);
  });

  it('buffers only the events `keep` accepts (a reloaded entry partly applied), at their index', () => {
    const sut = new ReorderBuffer();
    const events = [event(1, 'a'), event(2, 'b'), event(3, 'c')];
    const added = sut.add(4, events, Buffer.from(JSON.stringify(events)), (index) => index !== 1);
    sut.seal();
    expect(added.map(({ event: item }) => item.eventId)).toEqual(['a', 'c']);
    expect(
      sut.take(sut.popBelow(10)).map(({ index, event: item }) => [index, item.eventId]),
    ).toEqual([
      [0, 'a'],
      [2, 'c'],
    ]);
  });

  it('puts back popped slots it did not take', () => {
    const sut = new ReorderBuffer();
    sut.add(0, [event(1, 'a'), event(1, 'b'), event(2, 'c')], null);
    const popped = sut.popBelow(3);
    expect(popped.map((slot) => sut.timeOf(slot))).toEqual([1, 1, 2]);
    sut.unpop(popped[2] ?? -1);
    expect(sut.take(popped.slice(0, 2)).map(({ event: item }) => item.eventId)).toEqual(['a', 'b']);
    expect(sut.size).toBe(1);
    expect(sut.peekTime()).toBe(2);
  });

  it('reuses freed slots and entries without mixing their events up', () => {
    const sut = new ReorderBuffer();
    for (let round = 0; round < 5; round += 1) {
      const events = Array.from({ length: 3_000 }, (_, i) =>
        event(round * 10_000 + i, `${round}-${i}`),
      );
      sut.add(round, events, null);
      sut.seal();
      const taken = sut.take(sut.popBelow(round * 10_000 + 1_500));
      expect(taken.map(({ event: item }) => item.eventId)).toEqual(
        round === 0
          ? events.slice(0, 1_500).map((item) => item.eventId)
          : [
              ...Array.from({ length: 1_500 }, (_, i) => `${round - 1}-${1_500 + i}`),
              ...events.slice(0, 1_500).map((item) => item.eventId),
            ],
      );
    }
    expect(sut.size).toBe(1_500);
  });

  it('knows the oldest entry with events left and no copy in Redis, through releases and spills', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('add' as const),
              times: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 3 }),
              spilled: fc.boolean(),
            }),
            fc.record({
              op: fc.constant('release' as const),
              below: fc.integer({ min: 0, max: 45 }),
            }),
            fc.record({
              op: fc.constant('spill' as const),
              age: fc.integer({ min: 0, max: 30 }),
              limit: fc.integer({ min: 1, max: 4 }),
            }),
          ),
          { maxLength: 120 },
        ),
        (operations) => {
          const sut = new ReorderBuffer();
          // The model: per entry (offset = when it was added), its live times and whether Redis
          // holds a copy.
          const model: Array<{
            offset: number;
            times: number[];
            latest: number;
            spilled: boolean;
            at: number;
          }> = [];
          operations.forEach((operation, step) => {
            if (operation.op === 'add') {
              const events = operation.times.map((time, i) => event(time, `${step}-${i}`));
              sut.add(step, events, null, undefined, {
                absorbedAt: step,
                spilled: operation.spilled,
                last: step,
              });
              model.push({
                offset: step,
                times: [...operation.times],
                latest: Math.max(...operation.times),
                spilled: operation.spilled,
                at: step,
              });
            } else if (operation.op === 'release') {
              sut.take(sut.popBelow(operation.below));
              for (const entry of model) {
                entry.times = entry.times.filter((time) => time >= operation.below);
              }
            } else {
              const before = step - operation.age;
              const expected = model
                .filter((entry) => entry.times.length > 0 && !entry.spilled && entry.at <= before)
                .slice(0, operation.limit);
              const spilled = sut.spill(before, operation.limit);
              expect(spilled.map(({ offset, latest }) => ({ offset, latest }))).toEqual(
                expected.map(({ offset, latest }) => ({ offset, latest })),
              );
              for (const entry of expected) {
                entry.spilled = true;
              }
            }
            sut.seal();
            const live = model.filter((entry) => entry.times.length > 0 && !entry.spilled);
            expect(sut.retainedFrom()).toBe(live[0]?.offset ?? null);
          });
        },
      ),
    );
  });

  it('hands a spilled entry out whole: every event, its latest time and its run of offsets', () => {
    const sut = new ReorderBuffer();
    const events = [event(30, 'a'), event(10, 'b'), event(20, 'c')];
    sut.add(4, events, null, undefined, { last: 9, absorbedAt: 100 });
    sut.seal();
    sut.take(sut.popBelow(15));
    expect(sut.spill(99, 10)).toEqual([]);
    const [spilled] = sut.spill(100, 10);
    expect(spilled).toEqual({ offset: 4, last: 9, latest: 30, bytes: expect.any(Buffer) });
    expect(JSON.parse((spilled?.bytes as Buffer).toString())).toEqual(events);
    expect(sut.retainedFrom()).toBeNull();
    expect(sut.spill(1_000, 10)).toEqual([]);
  });

  it('keeps only the JSON of the events left when the absorbing checkpoint released part of it', () => {
    const sut = new ReorderBuffer();
    const events = [event(30, 'a'), event(10, 'b'), event(20, 'c'), event(40, 'd')];
    const consumed = Buffer.from(JSON.stringify(events));
    sut.add(4, events, null, undefined, { absorbedAt: 1 });
    sut.add(5, events, consumed, undefined, { absorbedAt: 1 });
    // b and c of both entries go; the entry without bytes is encoded with a and d only, the
    // consumed one is kept whole (half of it is left).
    expect(sut.take(sut.popBelow(25)).map(({ offset, index }) => [offset, index])).toEqual([
      [4, 1],
      [5, 1],
      [4, 2],
      [5, 2],
    ]);
    sut.seal();
    const [packed, whole] = sut.spill(1, 10);
    expect(JSON.parse((packed?.bytes as Buffer).toString())).toEqual([events[0], events[3]]);
    expect(whole?.bytes.equals(consumed)).toBe(true);
    // Positions and input order survive the repacking.
    expect(
      sut
        .take(sut.popBelow(100))
        .map(({ offset, index, event: item }) => [offset, index, item.eventId]),
    ).toEqual([
      [4, 0, 'a'],
      [5, 0, 'a'],
      [4, 3, 'd'],
      [5, 3, 'd'],
    ]);
  });

  it('decodes a sealed entry of either wire shape: an array of events, or one event (v1)', () => {
    const one = event(1, 'v1');
    expect(decodeSealedEntry(Buffer.from(JSON.stringify(one)))).toEqual([one]);
    expect(decodeSealedEntry(Buffer.from(JSON.stringify([one, event(2, 'v2')])))).toEqual([
      one,
      event(2, 'v2'),
    ]);
  });
});
