import { parseCidr } from '@trail-insight/events';

import type { Cidr, NormalizedEvent } from '@trail-insight/events';

import { DetectionEngine, EventOutcome, WindowVerdict } from './detection-engine';
import { MS_PER_DAY, WINDOW_MS } from './detection.constants';
import { createAccountState } from './detection-state';
import { NONE_MODEL } from './heterogeneity-model';

import type { ClosedWindow } from './detection-engine';
import type { DetectionConfig } from './detection-config';
import type { AccountState } from './detection-state';

const T0 = Date.UTC(2026, 2, 10, 2, 3, 4);
const HOUR = 3_600_000;
let nextId = 0;

function event(
  time: number,
  ip: string | null,
  overrides: Partial<NormalizedEvent> = {},
): NormalizedEvent {
  nextId += 1;
  return {
    time,
    eventId: `e-${nextId}`,
    accountId: '1234',
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp: ip,
    provider: 'actiontrail',
    userAgent: null,
    principalId: null,
    eventName: null,
    errorCode: null,
    ...overrides,
  };
}

function setup(config: Partial<DetectionConfig> = {}): {
  sut: DetectionEngine;
  state: AccountState;
  closed: ClosedWindow[];
  run: (...events: NormalizedEvent[]) => EventOutcome[];
} {
  const closed: ClosedWindow[] = [];
  const sut = new DetectionEngine(
    { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL, ...config },
    { windowClosed: (window) => closed.push(window) },
  );
  const state = createAccountState('1234');
  return { sut, state, closed, run: (...events) => events.map((e) => sut.apply(state, e)) };
}

function cidrs(...texts: string[]): Cidr[] {
  return texts.map((text) => parseCidr(text) as Cidr);
}

describe(DetectionEngine.name, () => {
  it('keeps an operation at t0 + 7d − 1 ms inside the window and closes the window at t0 + 7d', () => {
    const { state, closed, run } = setup();
    run(event(T0, '42.120.1.2'), event(T0 + WINDOW_MS - 1, '42.120.1.2'));
    expect(closed).toHaveLength(0);
    expect(state.regions.get('cn-hangzhou')?.windows.get('42.120.1.2')?.eventCount).toBe(2);

    const outcomes = run(event(T0 + WINDOW_MS, '42.120.1.2'));
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ verdict: WindowVerdict.Insight, closedAt: T0 + WINDOW_MS });
    expect(closed[0]?.window.eventCount).toBe(2);
    expect(outcomes).toEqual([EventOutcome.WindowOpened]);
    expect(state.regions.get('cn-hangzhou')?.windows.get('42.120.1.2')?.start).toBe(T0 + WINDOW_MS);
  });

  it('makes an IP usual on its third distinct day slot, with no insight', () => {
    const { state, closed, run } = setup();
    const outcomes = run(
      event(T0, '1.1.1.1'),
      event(T0 + MS_PER_DAY - 1, '1.1.1.1'),
      event(T0 + MS_PER_DAY, '1.1.1.1'),
      event(T0 + 6 * MS_PER_DAY + 5, '1.1.1.1'),
    );
    expect(outcomes).toEqual([
      EventOutcome.WindowOpened,
      EventOutcome.WindowUpdated,
      EventOutcome.WindowUpdated,
      EventOutcome.BecameUsual,
    ]);
    expect(closed.map((c) => c.verdict)).toEqual([WindowVerdict.BecameUsual]);
    expect(state.regions.get('cn-hangzhou')?.usual.get('1.1.1.1')).toBe(T0 + 6 * MS_PER_DAY + 5);
    expect(run(event(T0 + 10 * MS_PER_DAY, '1.1.1.1'))).toEqual([EventOutcome.Familiar]);
  });

  it('yields an insight for an IP used on exactly two slots', () => {
    const { closed, run } = setup();
    run(
      event(T0, '1.1.1.1'),
      event(T0 + 3 * MS_PER_DAY, '1.1.1.1'),
      event(T0 + 9 * MS_PER_DAY, null),
    );
    expect(closed).toHaveLength(1);
    expect(closed[0]?.verdict).toBe(WindowVerdict.Insight);
    expect(closed[0]?.window.slots).toBe(0b1001);
  });

  it('forgets a usual IP unseen for more than 90 days, not at exactly 90 days', () => {
    const { state, run } = setup();
    run(
      event(T0, '2.2.2.2'),
      event(T0 + MS_PER_DAY, '2.2.2.2'),
      event(T0 + 2 * MS_PER_DAY, '2.2.2.2'),
    );
    const lastSeen = T0 + 2 * MS_PER_DAY;
    expect(run(event(lastSeen + 90 * MS_PER_DAY, '2.2.2.2'))).toEqual([EventOutcome.Familiar]);
    const refreshed = lastSeen + 90 * MS_PER_DAY;
    expect(run(event(refreshed + 90 * MS_PER_DAY + 1, '2.2.2.2'))).toEqual([
      EventOutcome.WindowOpened,
    ]);
    expect(state.regions.get('cn-hangzhou')?.usual.has('2.2.2.2')).toBe(false);
  });

  it('counts the baseline only from events before the verdict time', () => {
    const { closed, run } = setup({ minBaseline: 3 });
    run(event(T0, '3.3.3.3'), event(T0 + HOUR, null), event(T0 + WINDOW_MS, null));
    expect(closed[0]).toMatchObject({ verdict: WindowVerdict.BaselineNotMet, baseline: 2 });

    const second = setup({ minBaseline: 3 });
    second.run(
      event(T0, '3.3.3.3'),
      event(T0 + HOUR, null),
      event(T0 + WINDOW_MS - 1, null),
      event(T0 + WINDOW_MS, null),
    );
    expect(second.closed[0]).toMatchObject({ verdict: WindowVerdict.Insight, baseline: 3 });
  });

  it('counts events of every region toward the baseline, crossing it mid-window', () => {
    const { closed, run } = setup({ minBaseline: 4 });
    run(
      event(T0, '3.3.3.3'),
      event(T0 + 1, '9.9.9.9', { region: 'ap-southeast-1' }),
      event(T0 + 2, null, { region: 'us-west-1' }),
      event(T0 + 3 * MS_PER_DAY, null, { region: 'us-west-1' }),
      event(T0 + WINDOW_MS + 5, null),
    );
    const byIp = Object.fromEntries(closed.map((c) => [c.window.ip, c]));
    expect(byIp['3.3.3.3']).toMatchObject({ verdict: WindowVerdict.Insight, baseline: 4 });
    expect(byIp['9.9.9.9']).toMatchObject({
      region: 'ap-southeast-1',
      verdict: WindowVerdict.Insight,
    });
  });

  it('keeps usual IPs per (account, region)', () => {
    const { run } = setup();
    run(
      event(T0, '4.4.4.4'),
      event(T0 + MS_PER_DAY, '4.4.4.4'),
      event(T0 + 2 * MS_PER_DAY, '4.4.4.4'),
    );
    expect(run(event(T0 + 3 * MS_PER_DAY, '4.4.4.4', { region: 'ap-southeast-1' }))).toEqual([
      EventOutcome.WindowOpened,
    ]);
  });

  it('analyzes global events only in the home region', () => {
    const { run } = setup({ homeRegion: 'cn-hangzhou' });
    expect(
      run(
        event(T0, '5.5.5.5', { isGlobal: true, region: 'cn-shanghai' }),
        event(T0, '5.5.5.5', { isGlobal: true, region: 'cn-hangzhou' }),
        event(T0, '5.5.5.6', { isGlobal: true, region: 'global' }),
      ),
    ).toEqual([EventOutcome.BaselineOnly, EventOutcome.WindowOpened, EventOutcome.BaselineOnly]);
    const noHome = setup();
    expect(noHome.run(event(T0, '5.5.5.5', { isGlobal: true, region: 'global' }))).toEqual([
      EventOutcome.WindowOpened,
    ]);
    const globalHome = setup({ homeRegion: 'global' });
    expect(globalHome.run(event(T0, '5.5.5.5', { isGlobal: true, region: 'global' }))).toEqual([
      EventOutcome.WindowOpened,
    ]);
  });

  it('never analyzes allow-listed IPv4 and IPv6 addresses, but counts them', () => {
    const { state, run } = setup({
      allowList: cidrs('10.0.0.0/8', '2001:db8::/32', '::ffff:45.32.0.0/112'),
    });
    expect(
      run(
        event(T0, '10.1.2.3'),
        event(T0, '2001:db8::1'),
        event(T0, '45.32.9.9'),
        event(T0, '45.33.0.1'),
        event(T0, '2001:db9::1'),
      ),
    ).toEqual([
      EventOutcome.BaselineOnly,
      EventOutcome.BaselineOnly,
      EventOutcome.BaselineOnly,
      EventOutcome.WindowOpened,
      EventOutcome.WindowOpened,
    ]);
    expect(state.baseline).toBe(5);
  });

  it('skips a duplicate id within one hour, counts it again after that, and does not move time', () => {
    const { state, closed, run } = setup();
    const first = event(T0, '6.6.6.6', { eventId: 'dup' });
    expect(
      run(
        first,
        { ...first, time: T0 + HOUR },
        { ...first, time: T0 + HOUR + 1 },
        { ...first, time: T0 + HOUR + 2, region: 'us-east-1' },
      ),
    ).toEqual([
      EventOutcome.WindowOpened,
      EventOutcome.Duplicate,
      EventOutcome.WindowUpdated,
      EventOutcome.Duplicate,
    ]);
    expect(state.baseline).toBe(2);
    run(event(T0 + WINDOW_MS - 1, null), { ...first, eventId: 'e-late', time: T0 + WINDOW_MS - 1 });
    run({ ...first, eventId: 'e-late', time: T0 + WINDOW_MS });
    expect(closed).toHaveLength(0);
    expect(state.clock).toBe(T0 + WINDOW_MS - 1);
  });

  it('records 5-minute buckets in time order and caps event ids at 100', () => {
    const { closed, run } = setup();
    const times = [T0, T0 + 1, T0 + 300_000, T0 + 2 * MS_PER_DAY];
    for (let round = 0; round < 30; round += 1) {
      for (const time of times) {
        run(event(time, '7.7.7.7'));
      }
    }
    run(event(T0 + WINDOW_MS, null));
    const window = closed[0]?.window;
    expect(window?.eventCount).toBe(120);
    expect(window?.eventIds).toHaveLength(100);
    expect(window?.lastTime).toBe(T0 + 2 * MS_PER_DAY);
    const bucket = (t: number): number => Math.floor(t / 300_000) * 300_000;
    expect(window?.buckets).toEqual([
      { start: bucket(T0), count: 60 },
      { start: bucket(T0 + 300_000), count: 30 },
      { start: bucket(T0 + 2 * MS_PER_DAY), count: 30 },
    ]);
  });

  it('closes due windows on advance, at or before the given time only', () => {
    const { sut, state, closed, run } = setup();
    run(event(T0, '8.8.8.8'), event(T0 + 1, '8.8.4.4'));
    sut.advance(state, T0 + WINDOW_MS);
    expect(closed.map((c) => c.window.ip)).toEqual(['8.8.8.8']);
    sut.advance(state, T0 + WINDOW_MS + 1);
    expect(closed.map((c) => c.window.ip)).toEqual(['8.8.8.8', '8.8.4.4']);
  });

  it('lets a late event count and join an open window but never open one', () => {
    const { sut, state, run } = setup();
    run(event(T0, '9.9.9.9'), event(T0 + HOUR, null));
    expect(sut.apply(state, event(T0 + 10, '9.9.9.9'))).toBe(EventOutcome.Late);
    expect(sut.apply(state, event(T0 + 20, '9.9.9.8'))).toBe(EventOutcome.Late);
    const region = state.regions.get('cn-hangzhou');
    expect(region?.windows.get('9.9.9.9')?.eventCount).toBe(2);
    expect(region?.windows.has('9.9.9.8')).toBe(false);
    expect(state.baseline).toBe(4);
  });

  it('asks the model only when a window opens, with the non-forgotten usual IPs', () => {
    const seen: string[][] = [];
    const closed: ClosedWindow[] = [];
    const sut = new DetectionEngine(
      {
        minBaseline: 0,
        homeRegion: null,
        allowList: [],
        model: {
          name: 'spy',
          usesUsualIps: true,
          evaluate: (input) => {
            seen.push(input.usualIps.map((u) => u.ip));
            return { predictedValue: 0.6, threshold: 0.5, signals: ['fits'] };
          },
        },
      },
      { windowClosed: (c) => closed.push(c) },
    );
    const state = createAccountState('1234');
    for (const t of [T0, T0 + MS_PER_DAY, T0 + 2 * MS_PER_DAY]) {
      sut.apply(state, event(t, '1.1.1.1'));
    }
    sut.apply(state, event(T0 + 3 * MS_PER_DAY, '1.1.1.2'));
    sut.apply(state, event(T0 + 3 * MS_PER_DAY + 1, '1.1.1.2'));
    sut.apply(state, event(T0 + 200 * MS_PER_DAY, '1.1.1.3'));
    expect(seen).toEqual([[], ['1.1.1.1'], []]);
    expect(closed.find((c) => c.window.ip === '1.1.1.2')).toMatchObject({
      verdict: WindowVerdict.NotUnusual,
    });
    expect(closed.find((c) => c.window.ip === '1.1.1.2')?.window.heterogeneity).toBeCloseTo(-20);
  });
});
