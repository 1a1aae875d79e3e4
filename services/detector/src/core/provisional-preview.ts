import { DetectionEngine, FORGET_AFTER_MS } from '@trail-insight/detection';
import { toIpInsight } from '@trail-insight/insights';

import type { AccountState, DetectionConfig, RegionState } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';

import type { BufferedEvents } from './reorder-buffer';

/** A provisional insight as the preview hash holds it. */
export interface ProvisionalInsight extends IpInsight {
  state: 'provisional';
}

function fieldOf(region: string, ip: string): string {
  return `${region}\u0000${ip}`;
}

/** A partition's buffered operations of one (region, IP) of an account. */
interface BufferedIp {
  region: string;
  ip: string;
  /**
   * Its buffered operations by reorder-buffer slot: the event while the operations may be re-run,
   * null while the IP is usual in the applied state (they are then only counted, and decoded
   * from the buffer again if it stops being usual).
   */
  events: Map<number, NormalizedEvent | null>;
  /** Latest event time ever added (not lowered by removals: only used conservatively). */
  latest: number;
  /** Whether the last preview found the IP usual: its new operations are held by slot only. */
  usual: boolean;
  /** Operations added or removed since its last re-run. */
  dirty: boolean;
  /** Its provisional insight at its last re-run (null: none); undefined when not re-run since. */
  result: ProvisionalInsight | null | undefined;
}

/**
 * An account's preview is re-run whole at most this often (and when its applied state gained or
 * lost usual IPs or windows); in between, only the IPs whose buffered operations changed are.
 */
export const FULL_REFRESH_MS = 1_000;

/** A cheap fingerprint of what in the applied state most often changes a preview. */
function shapeOf(state: AccountState): string {
  let usual = 0;
  let windows = 0;
  for (const region of state.regions.values()) {
    usual += region.usual.size;
    windows += region.windows.size;
  }
  return `${usual}/${windows}`;
}

/**
 * The provisional view of the operations still in a partition's reorder buffer (SPEC §5: open
 * windows visible within seconds, not only after the watermark passed them). The preview of an
 * account is what its open windows would be if its buffered events were applied now: the real
 * {@link DetectionEngine} runs them, in event-time order, over a copy of the applied state, and the
 * open unusual windows of the IPs they touch are the provisional insights. The rules exist once;
 * the copy is thrown away and the exact window replaces the preview once the watermark applies the
 * operations.
 *
 * Cost is kept independent of the buffer's size (rate × lateness, millions of events live): the
 * operations of an IP that is usual in the applied state (and stays so for all of them) are not
 * re-run, since they refresh it and open no window; and the copy holds only the regions of the
 * operations re-run, with fresh copies of only their IPs' windows. So a usual-IP operation may be
 * missing from the preview in one case only: when it would have kept a usual IP from being forgotten
 * (90 days) for the heterogeneity model of another IP's window opened in the same buffer. Nor are
 * their event objects kept: only the re-run IPs' operations stay objects, the others are slots of
 * the {@link ReorderBuffer}, which keeps the buffer off the JavaScript heap.
 */
export class ProvisionalPreview {
  /** Buffered operations by account, then by `<region> NUL <ip>`. */
  private readonly byAccount = new Map<string, Map<string, BufferedIp>>();
  private readonly changed = new Set<string>();
  /** Per account with buffered operations: its last whole re-run by {@link refresh}. */
  private readonly lastFull = new Map<string, { at: number; shape: string }>();
  private readonly engine: DetectionEngine;
  constructor(
    config: DetectionConfig,
    private readonly buffer: BufferedEvents,
  ) {
    this.engine = new DetectionEngine(config, { windowClosed: () => undefined });
  }

  /** Accounts whose preview must be rewritten; cleared by {@link takeChanged}. */
  takeChanged(): string[] {
    const accounts = [...this.changed];
    this.changed.clear();
    return accounts;
  }

  /** Whether the account has buffered operations from an IP address. */
  has(accountId: string): boolean {
    return this.byAccount.has(accountId);
  }

  /** An operation entered the buffer at `slot`. */
  add(slot: number, event: NormalizedEvent): void {
    const ip = event.sourceIp;
    if (ip === null) {
      return;
    }
    let fields = this.byAccount.get(event.accountId);
    if (fields === undefined) {
      fields = new Map();
      this.byAccount.set(event.accountId, fields);
    }
    const field = fieldOf(event.region, ip);
    let buffered = fields.get(field);
    if (buffered === undefined) {
      buffered = {
        region: event.region,
        ip,
        events: new Map(),
        latest: event.time,
        usual: false,
        dirty: true,
        result: undefined,
      };
      fields.set(field, buffered);
    }
    buffered.events.set(slot, buffered.usual ? null : event);
    buffered.latest = Math.max(buffered.latest, event.time);
    buffered.dirty = true;
    this.changed.add(event.accountId);
  }

  /** The operation at `slot` left the buffer, applied by a checkpoint. */
  remove(slot: number, event: NormalizedEvent): void {
    if (event.sourceIp === null) {
      return;
    }
    const fields = this.byAccount.get(event.accountId);
    const field = fieldOf(event.region, event.sourceIp);
    const buffered = fields?.get(field);
    if (fields === undefined || buffered === undefined || !buffered.events.delete(slot)) {
      return;
    }
    buffered.dirty = true;
    if (buffered.events.size === 0) {
      fields.delete(field);
      if (fields.size === 0) {
        this.byAccount.delete(event.accountId);
      }
    }
    this.changed.add(event.accountId);
  }

  /**
   * The account's provisional insights by `<region> NUL <ip>`, given its applied state, every
   * buffered IP re-run. The IPs found usual let go of their event objects; those to re-run get
   * theirs back from the buffer.
   */
  previewOf(state: AccountState): Map<string, ProvisionalInsight> {
    return this.compute(state, true);
  }

  /**
   * {@link previewOf} as a checkpoint writes it, at wall-clock `now`: only the IPs whose buffered
   * operations changed since their last re-run are re-run, unless the account is due for a whole
   * re-run ({@link FULL_REFRESH_MS}, or its applied state gained or lost usual IPs or windows). A
   * new unusual IP shows at once; a change that comes from the applied state alone (a verdict
   * that closed the IP's applied window, the usual IPs the heterogeneity model sees) shows at the
   * account's next whole re-run, within about a second while it is active. At 10,000 events/s
   * re-running every account's every buffered unusual IP at every checkpoint was most of the
   * detector's work.
   */
  refresh(state: AccountState, now: number): Map<string, ProvisionalInsight> {
    const shape = shapeOf(state);
    const last = this.lastFull.get(state.accountId);
    const full = last === undefined || now - last.at >= FULL_REFRESH_MS || last.shape !== shape;
    if (full) {
      this.lastFull.set(state.accountId, { at: now, shape });
    }
    return this.compute(state, full);
  }

  private compute(state: AccountState, full: boolean): Map<string, ProvisionalInsight> {
    const out = new Map<string, ProvisionalInsight>();
    const fields = this.byAccount.get(state.accountId);
    if (fields === undefined) {
      this.lastFull.delete(state.accountId);
      return out;
    }
    const rerun: BufferedIp[] = [];
    for (const buffered of fields.values()) {
      const lastSeen = state.regions.get(buffered.region)?.usual.get(buffered.ip);
      if (lastSeen === undefined || buffered.latest - lastSeen > FORGET_AFTER_MS) {
        rerun.push(buffered);
      } else {
        settleUsual(buffered);
      }
    }
    const stale = full
      ? rerun
      : rerun.filter((buffered) => buffered.dirty || buffered.result === undefined);
    if (stale.length > 0) {
      const ordered: Array<[NormalizedEvent, number]> = [];
      for (const buffered of stale) {
        this.materialize(buffered);
        for (const [slot, event] of buffered.events) {
          ordered.push([event as NormalizedEvent, slot]);
        }
      }
      ordered.sort((a, b) => a[0].time - b[0].time || this.buffer.compareInput(a[1], b[1]));
      const copy = copyFor(state, stale, ordered);
      for (const [event] of ordered) {
        this.engine.apply(copy, event);
      }
      for (const buffered of stale) {
        const { region: regionName, ip } = buffered;
        const window = copy.regions.get(regionName)?.windows.get(ip);
        buffered.result =
          window !== undefined && window.heterogeneity > 0
            ? {
                ...toIpInsight({ accountId: state.accountId, region: regionName, window }),
                state: 'provisional',
              }
            : null;
        buffered.dirty = false;
      }
    }
    for (const buffered of rerun) {
      if (buffered.result) {
        out.set(fieldOf(buffered.region, buffered.ip), buffered.result);
      }
    }
    return out;
  }

  /** Gets back from the buffer the event objects of an IP that was usual and is to be re-run. */
  private materialize(buffered: BufferedIp): void {
    if (!buffered.usual) {
      return;
    }
    buffered.usual = false;
    const slots: number[] = [];
    for (const [slot, event] of buffered.events) {
      if (event === null) {
        slots.push(slot);
      }
    }
    const events = this.buffer.eventsOf(slots);
    slots.forEach((slot, index) => buffered.events.set(slot, events[index] as NormalizedEvent));
  }
}

/** The IP is usual in the applied state: its operations are held by slot only. */
function settleUsual(buffered: BufferedIp): void {
  if (buffered.usual) {
    return;
  }
  buffered.usual = true;
  buffered.result = undefined;
  for (const slot of buffered.events.keys()) {
    buffered.events.set(slot, null);
  }
}

/**
 * What the engine may change when it re-runs `ordered` (the operations of `rerun`) over `state`,
 * copied: the regions of those IPs (usual IPs shallowly, their own windows deeply; other windows
 * are only dropped from the copy's map when their verdict passes, never changed), the counters,
 * and the de-duplication ids of those operations (in time order, as the engine keeps them).
 */
function copyFor(
  state: AccountState,
  rerun: readonly BufferedIp[],
  ordered: ReadonlyArray<[NormalizedEvent, number]>,
): AccountState {
  const regions = new Map<string, RegionState>();
  for (const { region: name, ip } of rerun) {
    let region = regions.get(name);
    if (region === undefined) {
      const applied = state.regions.get(name);
      region = {
        usual: new Map(applied?.usual),
        windows: new Map(applied?.windows),
      };
      regions.set(name, region);
    }
    const window = region.windows.get(ip);
    if (window !== undefined) {
      region.windows.set(ip, structuredClone(window));
    }
  }
  const seen: Array<[string, number]> = [];
  for (const [event] of ordered) {
    const time = state.recentIds.get(event.eventId);
    if (time !== undefined) {
      seen.push([event.eventId, time]);
    }
  }
  seen.sort((a, b) => a[1] - b[1]);
  return {
    accountId: state.accountId,
    baseline: state.baseline,
    clock: state.clock,
    regions,
    recentIds: new Map(seen),
    nextVerdict: state.nextVerdict,
  };
}
