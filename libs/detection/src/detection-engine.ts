import { isAllowed } from '@trail-insight/events';

import type { NormalizedEvent } from '@trail-insight/events';

import {
  BUCKET_MS,
  DEDUP_HORIZON_MS,
  FORGET_AFTER_MS,
  MAX_EVENT_IDS,
  MS_PER_DAY,
  USUAL_SLOT_COUNT,
  WINDOW_MS,
} from './detection.constants';
import { regionOf } from './detection-state';
import { heterogeneityOf } from './heterogeneity-model';
import { StateChanges } from './state-changes';

import type { DetectionConfig } from './detection-config';
import type { AccountState, ObservationWindow, RegionState } from './detection-state';
import type { UsualIp } from './heterogeneity-model';

/** What one event did to the state. Bounded set: usable as a metric label. */
export enum EventOutcome {
  Duplicate = 'duplicate',
  /** Counted toward the baseline only: not an IP, allowed, or a global event outside home. */
  BaselineOnly = 'baseline-only',
  Familiar = 'familiar',
  WindowOpened = 'window-opened',
  WindowUpdated = 'window-updated',
  BecameUsual = 'became-usual',
  /** Arrived behind the account clock (streaming only): counted, never opens or reopens a window. */
  Late = 'late',
}

/** How a window ended. */
export enum WindowVerdict {
  Insight = 'insight',
  NotUnusual = 'not-unusual',
  BaselineNotMet = 'baseline-not-met',
  BecameUsual = 'became-usual',
}

/** A window that ended, with the account's baseline at that moment. */
export interface ClosedWindow {
  accountId: string;
  region: string;
  window: ObservationWindow;
  verdict: WindowVerdict;
  /** For verdicts at t0 + 7d: the verdict time; for {@link WindowVerdict.BecameUsual}: the event time. */
  closedAt: number;
  baseline: number;
}

/** Receives what the engine decides, in processing order. */
export interface DetectionListener {
  windowOpened?(accountId: string, region: string, window: ObservationWindow): void;
  windowClosed(closed: ClosedWindow): void;
}

function addBucket(window: ObservationWindow, time: number): void {
  const start = Math.floor(time / BUCKET_MS) * BUCKET_MS;
  const buckets = window.buckets;
  const last = buckets[buckets.length - 1];
  if (last !== undefined && last.start === start) {
    last.count += 1;
    return;
  }
  if (last === undefined || last.start < start) {
    buckets.push({ start, count: 1 });
    return;
  }
  const index = buckets.findIndex((bucket) => bucket.start >= start);
  const found = buckets[index];
  if (found !== undefined && found.start === start) {
    found.count += 1;
  } else {
    buckets.splice(index, 0, { start, count: 1 });
  }
}

function slotCount(slots: number): number {
  let count = 0;
  for (let bits = slots; bits !== 0; bits &= bits - 1) {
    count += 1;
  }
  return count;
}

/**
 * The rules of SPEC §1 (de-duplication) and §2–§4, as functions over {@link AccountState}.
 * Pure and deterministic: the only effects are on the state passed in, the optional
 * {@link StateChanges} and the listener. The batch CLI and the streaming detector both run this.
 */
export class DetectionEngine {
  constructor(
    private readonly config: DetectionConfig,
    private readonly listener: DetectionListener,
  ) {}

  /**
   * Applies one valid event. Events must come in event-time order per account (ties in input
   * order); an event behind the account clock is handled by {@link applyLate}.
   */
  apply(state: AccountState, event: NormalizedEvent, changes?: StateChanges): EventOutcome {
    if (event.time < state.clock) {
      return this.applyLate(state, event, changes);
    }
    if (this.isDuplicate(state, event)) {
      return EventOutcome.Duplicate;
    }
    this.advance(state, event.time, changes);
    this.recordId(state, event, changes);
    state.baseline += 1;
    const analyzable = this.analyzableIp(event);
    if (analyzable === null) {
      return EventOutcome.BaselineOnly;
    }
    return this.observe(state, regionOf(state, event.region), event, analyzable, changes);
  }

  /**
   * Applies an event older than the account clock (SPEC §3.7): it counts toward the baseline and
   * refreshes a usual IP or joins the IP's open window, but never opens a window.
   */
  applyLate(state: AccountState, event: NormalizedEvent, changes?: StateChanges): EventOutcome {
    if (this.isDuplicate(state, event)) {
      return EventOutcome.Duplicate;
    }
    this.recordId(state, event, changes);
    state.baseline += 1;
    const ip = this.analyzableIp(event);
    if (ip === null) {
      return EventOutcome.Late;
    }
    const region = regionOf(state, event.region);
    const lastSeen = region.usual.get(ip);
    if (lastSeen !== undefined && lastSeen < event.time) {
      region.usual.set(ip, event.time);
      changes?.usual.add(StateChanges.key(event.region, ip));
    }
    const window = region.windows.get(ip);
    if (window !== undefined && event.time >= window.start) {
      this.addOperation(window, event);
      changes?.windows.add(StateChanges.key(event.region, ip));
    }
    return EventOutcome.Late;
  }

  /**
   * Moves the account clock to `time` and closes every window whose verdict time is at or before
   * it (SPEC §3.5, §3.6). Used before each event and, at end of input or on a watermark, alone.
   */
  advance(state: AccountState, time: number, changes?: StateChanges): void {
    if (time > state.clock) {
      state.clock = time;
    }
    if (time < state.nextVerdict) {
      return;
    }
    let next = Number.POSITIVE_INFINITY;
    const due: Array<[string, RegionState, ObservationWindow]> = [];
    for (const [regionName, region] of state.regions) {
      for (const window of region.windows.values()) {
        const verdictTime = window.start + WINDOW_MS;
        if (verdictTime <= time) {
          due.push([regionName, region, window]);
        } else if (verdictTime < next) {
          next = verdictTime;
        }
      }
    }
    state.nextVerdict = next;
    due.sort((a, b) => a[2].start - b[2].start);
    for (const [regionName, region, window] of due) {
      region.windows.delete(window.ip);
      changes?.windows.add(StateChanges.key(regionName, window.ip));
      this.listener.windowClosed({
        accountId: state.accountId,
        region: regionName,
        window,
        verdict: this.verdictOf(state, window),
        closedAt: window.start + WINDOW_MS,
        baseline: state.baseline,
      });
    }
  }

  /** Drops de-duplication entries older than the horizon and usual IPs past forgetting. */
  prune(state: AccountState, changes?: StateChanges): void {
    this.evictIds(state);
    for (const [regionName, region] of state.regions) {
      for (const [ip, lastSeen] of region.usual) {
        if (state.clock - lastSeen > FORGET_AFTER_MS) {
          region.usual.delete(ip);
          changes?.usual.add(StateChanges.key(regionName, ip));
        }
      }
      if (region.usual.size === 0 && region.windows.size === 0) {
        state.regions.delete(regionName);
      }
    }
  }

  private verdictOf(state: AccountState, window: ObservationWindow): WindowVerdict {
    if (window.heterogeneity <= 0) {
      return WindowVerdict.NotUnusual;
    }
    return state.baseline >= this.config.minBaseline
      ? WindowVerdict.Insight
      : WindowVerdict.BaselineNotMet;
  }

  private isDuplicate(state: AccountState, event: NormalizedEvent): boolean {
    const seenAt = state.recentIds.get(event.eventId);
    return seenAt !== undefined && Math.abs(event.time - seenAt) <= DEDUP_HORIZON_MS;
  }

  private recordId(state: AccountState, event: NormalizedEvent, changes?: StateChanges): void {
    const ids = state.recentIds;
    ids.delete(event.eventId);
    ids.set(event.eventId, event.time);
    changes?.ids.push([event.eventId, event.time]);
    this.evictIds(state);
  }

  private evictIds(state: AccountState): void {
    const cutoff = state.clock - DEDUP_HORIZON_MS;
    for (const [id, time] of state.recentIds) {
      if (time >= cutoff) {
        break;
      }
      state.recentIds.delete(id);
    }
  }

  private analyzableIp(event: NormalizedEvent): string | null {
    const ip = event.sourceIp;
    if (ip === null) {
      return null;
    }
    const { homeRegion, allowList } = this.config;
    if (event.isGlobal && homeRegion !== null && event.region !== homeRegion) {
      return null;
    }
    return isAllowed(ip, allowList) ? null : ip;
  }

  private observe(
    state: AccountState,
    region: RegionState,
    event: NormalizedEvent,
    ip: string,
    changes?: StateChanges,
  ): EventOutcome {
    const key = StateChanges.key(event.region, ip);
    const lastSeen = region.usual.get(ip);
    if (lastSeen !== undefined) {
      changes?.usual.add(key);
      if (event.time - lastSeen <= FORGET_AFTER_MS) {
        region.usual.set(ip, event.time);
        return EventOutcome.Familiar;
      }
      region.usual.delete(ip);
    }
    const window = region.windows.get(ip);
    if (window === undefined) {
      this.openWindow(state, region, event, ip);
      changes?.windows.add(key);
      return EventOutcome.WindowOpened;
    }
    this.addOperation(window, event);
    changes?.windows.add(key);
    if (slotCount(window.slots) < USUAL_SLOT_COUNT) {
      return EventOutcome.WindowUpdated;
    }
    region.windows.delete(ip);
    region.usual.set(ip, event.time);
    changes?.usual.add(key);
    this.listener.windowClosed({
      accountId: state.accountId,
      region: event.region,
      window,
      verdict: WindowVerdict.BecameUsual,
      closedAt: event.time,
      baseline: state.baseline,
    });
    return EventOutcome.BecameUsual;
  }

  private openWindow(
    state: AccountState,
    region: RegionState,
    event: NormalizedEvent,
    ip: string,
  ): void {
    const model = this.config.model;
    const verdict = model.evaluate({
      accountId: state.accountId,
      region: event.region,
      ip,
      time: event.time,
      event,
      usualIps: model.usesUsualIps ? this.activeUsualIps(region, event.time) : [],
    });
    const window: ObservationWindow = {
      ip,
      start: event.time,
      lastTime: event.time,
      eventCount: 0,
      slots: 0,
      buckets: [],
      eventIds: [],
      predictedValue: verdict.predictedValue,
      threshold: verdict.threshold,
      heterogeneity: heterogeneityOf(verdict),
      signals: verdict.signals,
    };
    this.addOperation(window, event);
    region.windows.set(ip, window);
    const verdictTime = window.start + WINDOW_MS;
    if (verdictTime < state.nextVerdict) {
      state.nextVerdict = verdictTime;
    }
    this.listener.windowOpened?.(state.accountId, event.region, window);
  }

  private addOperation(window: ObservationWindow, event: NormalizedEvent): void {
    window.eventCount += 1;
    window.slots |= 1 << Math.floor((event.time - window.start) / MS_PER_DAY);
    if (event.time > window.lastTime) {
      window.lastTime = event.time;
    }
    addBucket(window, event.time);
    if (window.eventIds.length < MAX_EVENT_IDS) {
      window.eventIds.push(event.eventId);
    }
  }

  private activeUsualIps(region: RegionState, time: number): UsualIp[] {
    const active: UsualIp[] = [];
    for (const [ip, lastSeen] of region.usual) {
      if (time - lastSeen <= FORGET_AFTER_MS) {
        active.push({ ip, lastSeen });
      }
    }
    return active;
  }
}
