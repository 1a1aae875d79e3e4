import {
  DetectionEngine,
  FORGET_AFTER_MS,
  MS_PER_DAY,
  NONE_MODEL,
  createAccountState,
} from '@trail-insight/detection';
import { toIpInsight } from '@trail-insight/insights';

import type { AccountState } from '@trail-insight/detection';

import type { NormalizedEvent } from '@trail-insight/events';

import { FULL_REFRESH_MS, ProvisionalPreview } from './provisional-preview';
import { ReorderBuffer } from './reorder-buffer';

const T0 = Date.UTC(2026, 2, 10, 8);
let next = 0;

function event(time: number, sourceIp: string | null, region = 'cn-hangzhou'): NormalizedEvent {
  next += 1;
  return {
    time,
    eventId: `e${next}`,
    accountId: '1',
    region,
    isGlobal: false,
    sourceIp,
    provider: 'actiontrail',
    userAgent: null,
    principalId: null,
    eventName: null,
    errorCode: null,
  };
}

const config = { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL };

/** A preview over a real reorder buffer: each event is one buffer entry, in input order. */
class Harness {
  readonly buffer = new ReorderBuffer();
  readonly preview = new ProvisionalPreview(config, this.buffer);
  private readonly slots = new Map<NormalizedEvent, number>();
  private offset = 0;

  add(item: NormalizedEvent): void {
    const [added] = this.buffer.add(this.offset, [item], null);
    this.offset += 1;
    if (added === undefined) {
      throw new Error('nothing buffered');
    }
    this.slots.set(item, added.slot);
    this.preview.add(added.slot, item);
  }

  remove(item: NormalizedEvent): void {
    const slot = this.slots.get(item);
    if (slot === undefined) {
      throw new Error(`${item.eventId} is not buffered`);
    }
    this.preview.remove(slot, item);
  }
}

/** An account state where `ip` is usual in cn-hangzhou (used on three days), and its engine. */
function stateWithUsual(ip: string): { state: AccountState; engine: DetectionEngine } {
  const state = createAccountState('1');
  const engine = new DetectionEngine(config, { windowClosed: () => undefined });
  for (const day of [0, 1, 2]) {
    engine.apply(state, event(T0 + day * MS_PER_DAY, ip));
  }
  return { state, engine };
}

describe(ProvisionalPreview.name, () => {
  it('shows buffered operations of an unfamiliar IP as a provisional insight, without touching the state', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const state = createAccountState('1');
    const first = event(T0, '203.0.113.9');
    harness.add(first);
    harness.add(event(T0 + 60_000, '203.0.113.9'));
    harness.add(event(T0 + 120_000, null));

    const preview = sut.previewOf(state);

    expect([...preview.keys()]).toEqual(['cn-hangzhou\u0000203.0.113.9']);
    expect(preview.get('cn-hangzhou\u0000203.0.113.9')).toMatchObject({
      state: 'provisional',
      eventCount: 2,
      eventIds: [first.eventId, `e${next - 1}`],
    });
    expect(state.regions.size).toBe(0);
    expect(sut.takeChanged()).toEqual(['1']);
  });

  it('applies the real rules: an IP used on three days in the buffer is usual, not provisional', () => {
    const harness = new Harness();
    const sut = harness.preview;
    for (const day of [0, 1, 2]) {
      harness.add(event(T0 + day * MS_PER_DAY, '198.51.100.1'));
    }
    expect(sut.previewOf(createAccountState('1')).size).toBe(0);
  });

  it('drops operations once a checkpoint applied them', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const only = event(T0, '203.0.113.10');
    const kept = event(T0 + 1_000, '203.0.113.11');
    harness.add(only);
    harness.add(kept);
    harness.remove(only);
    expect(sut.has('1')).toBe(true);
    expect([...sut.previewOf(createAccountState('1')).keys()]).toEqual([
      'cn-hangzhou\u0000203.0.113.11',
    ]);
    harness.remove(kept);
    expect(sut.has('1')).toBe(false);
    expect(sut.previewOf(createAccountState('1')).size).toBe(0);
  });

  it('does not re-run the operations of a usual IP, unless they come after it would be forgotten', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const { state } = stateWithUsual('198.51.100.7');
    expect(state.regions.get('cn-hangzhou')?.usual.has('198.51.100.7')).toBe(true);
    const familiar = event(T0 + 3 * MS_PER_DAY, '198.51.100.7');
    harness.add(familiar);
    expect(sut.previewOf(state).size).toBe(0);
    // 90 days and a minute after it was last seen, the IP is forgotten: a window opens again
    harness.remove(familiar);
    harness.add(event(T0 + 2 * MS_PER_DAY + FORGET_AFTER_MS + 60_000, '198.51.100.7'));
    expect([...sut.previewOf(state).keys()]).toEqual(['cn-hangzhou\u0000198.51.100.7']);
  });

  it('decodes again from the sealed buffer the operations of an IP that stops being usual', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const { state } = stateWithUsual('198.51.100.8');
    const familiar = event(T0 + 3 * MS_PER_DAY, '198.51.100.8');
    harness.add(familiar);
    expect(sut.previewOf(state).size).toBe(0);
    harness.buffer.seal(); // the buffer now holds its bytes only, the preview its slot only
    const forgotten = structuredClone(state);
    forgotten.regions.get('cn-hangzhou')?.usual.delete('198.51.100.8');

    expect(sut.previewOf(forgotten).get('cn-hangzhou\u0000198.51.100.8')).toMatchObject({
      eventCount: 1,
      eventIds: [familiar.eventId],
    });
  });

  it('adds buffered operations to an open window of the applied state without changing it', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const state = createAccountState('1');
    const engine = new DetectionEngine(config, { windowClosed: () => undefined });
    engine.apply(state, event(T0, '203.0.113.77'));
    const before = structuredClone(state);
    harness.add(event(T0 + MS_PER_DAY, '203.0.113.77'));
    expect(sut.previewOf(state).get('cn-hangzhou\u0000203.0.113.77')).toMatchObject({
      eventCount: 2,
    });
    expect(state).toEqual(before);
  });

  it('equals re-running every buffered operation over a full copy of the state (random buffers)', () => {
    // the preview before it skipped usual IPs and copied only what the engine may change
    const reference = (state: AccountState, buffered: readonly NormalizedEvent[]) => {
      const engine = new DetectionEngine(config, { windowClosed: () => undefined });
      const copy = structuredClone(state);
      const touched = new Set<string>();
      const ordered = buffered
        .map((item, index) => ({ item, index }))
        .sort((a, b) => a.item.time - b.item.time || a.index - b.index);
      for (const { item } of ordered) {
        engine.apply(copy, item);
        if (item.sourceIp !== null) {
          touched.add(`${item.region}\u0000${item.sourceIp}`);
        }
      }
      const out = new Map<string, unknown>();
      for (const [region, regionState] of copy.regions) {
        for (const window of regionState.windows.values()) {
          const field = `${region}\u0000${window.ip}`;
          if (touched.has(field) && window.heterogeneity > 0) {
            out.set(field, {
              ...toIpInsight({ accountId: '1', region, window }),
              state: 'provisional',
            });
          }
        }
      }
      return out;
    };
    let seed = 17;
    const random = (n: number): number => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    const ips = ['198.51.100.1', '198.51.100.2', '203.0.113.5', '203.0.113.6', '192.0.2.9', null];
    const regions = ['cn-hangzhou', 'cn-beijing'];
    for (let run = 0; run < 40; run += 1) {
      const engine = new DetectionEngine(config, { windowClosed: () => undefined });
      const state = createAccountState('1');
      const history: NormalizedEvent[] = [];
      for (let i = 0; i < 30; i += 1) {
        history.push(
          event(
            T0 + random(10) * MS_PER_DAY + random(3_600_000),
            ips[random(4)] ?? null,
            regions[random(2)],
          ),
        );
      }
      history.sort((a, b) => a.time - b.time);
      let early = state;
      history.forEach((item, index) => {
        if (index === history.length / 2) {
          early = structuredClone(state);
        }
        engine.apply(state, item);
      });
      const harness = new Harness();
      const sut = harness.preview;
      const buffered: NormalizedEvent[] = [];
      const base = T0 + 10 * MS_PER_DAY;
      for (let i = 0; i < 25; i += 1) {
        const item =
          i > 0 && random(5) === 0
            ? { ...(buffered[random(buffered.length)] as NormalizedEvent) } // a redelivered id
            : event(base + random(600_000), ips[random(ips.length)] ?? null, regions[random(2)]);
        buffered.push(item);
        harness.add(item);
        if (random(4) === 0) {
          harness.buffer.seal();
        }
      }
      // a preview against the later state first: more IPs are usual there, so the preview lets
      // go of their events, and must get them back from the (sealed) buffer for the earlier one
      sut.previewOf(state);
      harness.buffer.seal();
      for (let i = 0; i < 3; i += 1) {
        const gone = buffered.splice(random(buffered.length), 1)[0] as NormalizedEvent;
        harness.remove(gone);
      }
      const before = structuredClone(early);
      expect(sut.previewOf(early)).toEqual(reference(early, buffered));
      expect(early).toEqual(before);
    }
  });

  it('refresh re-runs changed IPs at once, and the rest at the whole re-run a second later', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const state = createAccountState('1');
    const engine = new DetectionEngine(config, { windowClosed: () => undefined });
    engine.apply(state, event(T0, '203.0.113.40'));
    harness.add(event(T0 + 60_000, '203.0.113.40'));
    expect(sut.refresh(state, 0).get('cn-hangzhou\u0000203.0.113.40')).toMatchObject({
      eventCount: 2,
    });
    // the applied window grows without the IP's buffered operations changing (same shape)
    engine.apply(state, event(T0 + 30_000, '203.0.113.40'));
    harness.add(event(T0 + 90_000, '203.0.113.41')); // a new IP shows at once

    const soon = sut.refresh(state, FULL_REFRESH_MS - 1);
    expect(soon.get('cn-hangzhou\u0000203.0.113.40')).toMatchObject({ eventCount: 2 });
    expect(soon.has('cn-hangzhou\u0000203.0.113.41')).toBe(true);
    expect(sut.refresh(state, FULL_REFRESH_MS).get('cn-hangzhou\u0000203.0.113.40')).toMatchObject({
      eventCount: 3,
    });
  });

  it('refresh re-runs an account whole when its applied state gains or loses windows', () => {
    const harness = new Harness();
    const sut = harness.preview;
    const state = createAccountState('1');
    const engine = new DetectionEngine(config, { windowClosed: () => undefined });
    harness.add(event(T0 + 60_000, '203.0.113.50'));
    expect(sut.refresh(state, 0).get('cn-hangzhou\u0000203.0.113.50')).toMatchObject({
      eventCount: 1,
    });
    engine.apply(state, event(T0, '203.0.113.50')); // the IP's window is now applied

    expect(sut.refresh(state, 1).get('cn-hangzhou\u0000203.0.113.50')).toMatchObject({
      eventCount: 2,
    });
  });

  it('refresh equals previewOf while only the buffer changes (random adds and removes)', () => {
    let seed = 5;
    const random = (n: number): number => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % n;
    };
    const ips = ['198.51.100.1', '203.0.113.5', '203.0.113.6', '192.0.2.9', null];
    for (let run = 0; run < 20; run += 1) {
      const engine = new DetectionEngine(config, { windowClosed: () => undefined });
      const state = createAccountState('1');
      for (let i = 0; i < 20; i += 1) {
        engine.apply(state, event(T0 + random(6) * MS_PER_DAY, ips[random(3)] ?? null));
      }
      const incremental = new Harness();
      const whole = new Harness();
      const buffered: NormalizedEvent[] = [];
      const base = T0 + 10 * MS_PER_DAY;
      for (let step = 0; step < 30; step += 1) {
        if (buffered.length > 0 && random(3) === 0) {
          const gone = buffered.splice(random(buffered.length), 1)[0] as NormalizedEvent;
          incremental.remove(gone);
          whole.remove(gone);
        } else {
          const item = event(base + random(600_000), ips[random(ips.length)] ?? null);
          buffered.push(item);
          incremental.add(item);
          whole.add(item);
        }
        if (random(3) === 0) {
          incremental.buffer.seal();
        }
        // never a whole re-run after the first: `now` stays within FULL_REFRESH_MS
        expect(incremental.preview.refresh(state, step)).toEqual(whole.preview.previewOf(state));
      }
    }
  });
});
