import { FORGET_AFTER_MS, MS_PER_DAY, USUAL_SLOT_COUNT, WINDOW_MS } from './generator.constants';

/** How an observation window ends under model `none` (every unfamiliar IP is unusual). */
export type WindowOutcome = 'insight' | 'baseline-not-met' | 'became-usual' | 'open';

/** One observation window SPEC §3 opens for an (account, region, IP). */
export interface ExpectedWindow {
  /** First operation (`startTime` of the IPInsight), ISO 8601 with milliseconds. */
  startTime: string;
  /** Last operation in the window. */
  endTime: string;
  eventCount: number;
  outcome: WindowOutcome;
}

interface OpenWindow {
  start: number;
  last: number;
  count: number;
  slots: number;
}

function slotCount(slots: number): number {
  let count = 0;
  for (let bits = slots; bits !== 0; bits &= bits - 1) {
    count += 1;
  }
  return count;
}

function closed(window: OpenWindow, outcome: WindowOutcome): ExpectedWindow {
  return {
    startTime: new Date(window.start).toISOString(),
    endTime: new Date(window.last).toISOString(),
    eventCount: window.count,
    outcome,
  };
}

/**
 * The windows of one (account, region, IP) under SPEC §3 with model `none`: a reference
 * implementation for ground truth, independent of the detection lib.
 *
 * @param times the IP's analyzed, valid, non-duplicate operations, in time order
 * @param endOfInput latest event time of a counted event over the whole input (SPEC §3.6)
 * @param baselineMet whether the account has enough events before a verdict time
 */
export function expectedWindows(
  times: readonly number[],
  endOfInput: number,
  baselineMet: (verdictTime: number) => boolean,
): ExpectedWindow[] {
  const windows: ExpectedWindow[] = [];
  const verdict = (window: OpenWindow): ExpectedWindow =>
    closed(window, baselineMet(window.start + WINDOW_MS) ? 'insight' : 'baseline-not-met');
  let usualSince: number | null = null;
  let window: OpenWindow | null = null;
  for (const time of times) {
    if (window !== null && time >= window.start + WINDOW_MS) {
      windows.push(verdict(window));
      window = null;
    }
    if (usualSince !== null) {
      if (time - usualSince <= FORGET_AFTER_MS) {
        usualSince = time;
        continue;
      }
      usualSince = null;
    }
    if (window === null) {
      window = { start: time, last: time, count: 1, slots: 1 };
      continue;
    }
    window.count += 1;
    window.last = time;
    window.slots |= 1 << Math.floor((time - window.start) / MS_PER_DAY);
    if (slotCount(window.slots) >= USUAL_SLOT_COUNT) {
      windows.push(closed(window, 'became-usual'));
      window = null;
      usualSince = time;
    }
  }
  if (window !== null) {
    windows.push(window.start + WINDOW_MS <= endOfInput ? verdict(window) : closed(window, 'open'));
  }
  return windows;
}
