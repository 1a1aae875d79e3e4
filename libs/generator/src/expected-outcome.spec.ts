import { expectedWindows } from './expected-outcome';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 2, 10, 0, 0);
const always = (): boolean => true;

describe(expectedWindows.name, () => {
  const sut = expectedWindows;

  it('closes a window with two day slots as an insight at t0 + 7 days', () => {
    const windows = sut([T0, T0 + 3 * DAY], T0 + 8 * DAY, always);
    expect(windows).toEqual([
      {
        startTime: '2026-03-02T10:00:00.000Z',
        endTime: '2026-03-05T10:00:00.000Z',
        eventCount: 2,
        outcome: 'insight',
      },
    ]);
  });

  it('makes the IP usual on its third distinct day slot, even in the last second', () => {
    const windows = sut(
      [T0, T0 + 3 * DAY, T0 + 7 * DAY - 1000, T0 + 9 * DAY],
      T0 + 10 * DAY,
      always,
    );
    expect(windows.map((window) => [window.eventCount, window.outcome])).toEqual([
      [3, 'became-usual'],
    ]);
  });

  it('counts slots from t0, not from calendar days', () => {
    const windows = sut([T0, T0 + DAY - 1000, T0 + 2 * DAY - 1000], T0 + 8 * DAY, always);
    expect(windows.map((window) => window.outcome)).toEqual(['insight']);
  });

  it('opens a new window for an operation at exactly t0 + 7 days', () => {
    const windows = sut([T0, T0 + 7 * DAY - 1000, T0 + 7 * DAY], T0 + 15 * DAY, always);
    expect(windows.map((window) => [window.startTime, window.eventCount, window.outcome])).toEqual([
      ['2026-03-02T10:00:00.000Z', 2, 'insight'],
      ['2026-03-09T10:00:00.000Z', 1, 'insight'],
    ]);
  });

  it('leaves a window open when the input ends before its verdict', () => {
    expect(sut([T0], T0 + 7 * DAY - 1, always)[0]?.outcome).toBe('open');
    expect(sut([T0], T0 + 7 * DAY, always)[0]?.outcome).toBe('insight');
  });

  it('reports an unmet baseline at the verdict time', () => {
    const baselineMet = (verdictTime: number): boolean => verdictTime > T0 + 8 * DAY;
    expect(sut([T0], T0 + 20 * DAY, baselineMet)[0]?.outcome).toBe('baseline-not-met');
    expect(sut([T0 + 2 * DAY], T0 + 20 * DAY, baselineMet)[0]?.outcome).toBe('insight');
  });

  it('forgets a usual IP unseen for more than 90 days', () => {
    const usual = [T0, T0 + DAY, T0 + 2 * DAY];
    expect(sut([...usual, T0 + 92 * DAY], T0 + 200 * DAY, always)).toHaveLength(1);
    expect(
      sut([...usual, T0 + 92 * DAY + 1], T0 + 200 * DAY, always).map((window) => window.outcome),
    ).toEqual(['became-usual', 'insight']);
  });
});
