import {
  BUCKET_MS,
  FORGET_AFTER_MS,
  MAX_EVENT_IDS,
  WINDOW_MS,
  heterogeneityOf,
} from '@trail-insight/detection';
import { isAllowed } from '@trail-insight/events';
import { toIpInsight } from '@trail-insight/insights';

import type { AccountState, DetectionConfig, ObservationWindow } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';

/** Buffered (not yet applied) operations of one (account, region, IP). */
interface PendingOperations {
  region: string;
  ip: string;
  first: NormalizedEvent;
  count: number;
  lastTime: number;
  buckets: Map<number, number>;
  eventIds: string[];
}

/** A provisional insight as the preview hash holds it. */
export interface ProvisionalInsight extends IpInsight {
  state: 'provisional';
}

function fieldOf(region: string, ip: string): string {
  return `${region}\u0000${ip}`;
}

/**
 * The provisional view of the operations still in a partition's reorder buffer (SPEC §5: open
 * windows visible within seconds, not only after the watermark passed them). For each buffered
 * operation of an analyzable IP that is not familiar in the applied state, the preview is the
 * applied open window (if any) plus the buffered operations, or a new window starting at the
 * first buffered one. A best-effort view: it ignores de-duplication and slot rules inside the
 * buffer, and is replaced by the exact window once the watermark applies the operations.
 */
export class ProvisionalPreview {
  private readonly byAccount = new Map<string, Map<string, PendingOperations>>();
  private readonly changed = new Set<string>();

  constructor(private readonly config: DetectionConfig) {}

  /** Accounts whose preview must be rewritten; cleared by {@link takeChanged}. */
  takeChanged(): string[] {
    const accounts = [...this.changed];
    this.changed.clear();
    return accounts;
  }

  /** Whether the account has buffered operations of analyzable IPs. */
  has(accountId: string): boolean {
    return this.byAccount.has(accountId);
  }

  add(event: NormalizedEvent): void {
    const ip = this.analyzableIp(event);
    if (ip === null) {
      return;
    }
    let account = this.byAccount.get(event.accountId);
    if (account === undefined) {
      account = new Map();
      this.byAccount.set(event.accountId, account);
    }
    const field = fieldOf(event.region, ip);
    let pending = account.get(field);
    if (pending === undefined) {
      pending = {
        region: event.region,
        ip,
        first: event,
        count: 0,
        lastTime: event.time,
        buckets: new Map(),
        eventIds: [],
      };
      account.set(field, pending);
    }
    pending.count += 1;
    if (event.time < pending.first.time) {
      pending.first = event;
    }
    pending.lastTime = Math.max(pending.lastTime, event.time);
    const bucket = Math.floor(event.time / BUCKET_MS) * BUCKET_MS;
    pending.buckets.set(bucket, (pending.buckets.get(bucket) ?? 0) + 1);
    if (pending.eventIds.length < MAX_EVENT_IDS) {
      pending.eventIds.push(event.eventId);
    }
    this.changed.add(event.accountId);
  }

  /** The event left the buffer (applied by a checkpoint). */
  remove(event: NormalizedEvent): void {
    const ip = this.analyzableIp(event);
    if (ip === null) {
      return;
    }
    const account = this.byAccount.get(event.accountId);
    const field = fieldOf(event.region, ip);
    const pending = account?.get(field);
    if (account === undefined || pending === undefined) {
      return;
    }
    this.changed.add(event.accountId);
    pending.count -= 1;
    if (pending.count <= 0) {
      account.delete(field);
      if (account.size === 0) {
        this.byAccount.delete(event.accountId);
      }
      return;
    }
    const bucket = Math.floor(event.time / BUCKET_MS) * BUCKET_MS;
    const left = (pending.buckets.get(bucket) ?? 0) - 1;
    if (left > 0) {
      pending.buckets.set(bucket, left);
    } else {
      pending.buckets.delete(bucket);
    }
    const index = pending.eventIds.indexOf(event.eventId);
    if (index >= 0) {
      pending.eventIds.splice(index, 1);
    }
  }

  /** The account's provisional insights by `<region> NUL <ip>`, given its applied state. */
  previewOf(state: AccountState): Map<string, ProvisionalInsight> {
    const out = new Map<string, ProvisionalInsight>();
    const account = this.byAccount.get(state.accountId);
    if (account === undefined) {
      return out;
    }
    for (const [field, pending] of account) {
      const region = state.regions.get(pending.region);
      const lastSeen = region?.usual.get(pending.ip);
      if (lastSeen !== undefined && pending.first.time - lastSeen <= FORGET_AFTER_MS) {
        continue;
      }
      const applied = region?.windows.get(pending.ip);
      const window =
        applied === undefined ? this.newWindow(state, pending) : merge(applied, pending);
      if (window.heterogeneity <= 0) {
        continue;
      }
      out.set(field, {
        ...toIpInsight({ accountId: state.accountId, region: pending.region, window }),
        state: 'provisional',
      });
    }
    return out;
  }

  private newWindow(state: AccountState, pending: PendingOperations): ObservationWindow {
    const { model } = this.config;
    const usualIps = [];
    if (model.usesUsualIps) {
      for (const [ip, lastSeen] of state.regions.get(pending.region)?.usual ?? []) {
        if (pending.first.time - lastSeen <= FORGET_AFTER_MS) {
          usualIps.push({ ip, lastSeen });
        }
      }
    }
    const verdict = model.evaluate({
      accountId: state.accountId,
      region: pending.region,
      ip: pending.ip,
      time: pending.first.time,
      event: pending.first,
      usualIps,
    });
    return {
      ip: pending.ip,
      start: pending.first.time,
      slots: 0,
      predictedValue: verdict.predictedValue,
      threshold: verdict.threshold,
      heterogeneity: heterogeneityOf(verdict),
      signals: verdict.signals,
      ...withPending(
        {
          start: pending.first.time,
          lastTime: pending.first.time,
          eventCount: 0,
          buckets: [],
          eventIds: [],
        },
        pending,
      ),
    };
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
}

function withPending(
  base: Pick<ObservationWindow, 'start' | 'lastTime' | 'eventCount' | 'buckets' | 'eventIds'>,
  pending: PendingOperations,
): Pick<ObservationWindow, 'eventCount' | 'buckets' | 'eventIds' | 'lastTime'> {
  const end = base.start + WINDOW_MS;
  const counts = new Map(base.buckets.map((bucket) => [bucket.start, bucket.count]));
  let added = 0;
  for (const [start, count] of pending.buckets) {
    if (start + BUCKET_MS <= base.start || start >= end) {
      continue;
    }
    counts.set(start, (counts.get(start) ?? 0) + count);
    added += count;
  }
  return {
    eventCount: base.eventCount + added,
    buckets: [...counts].sort((a, b) => a[0] - b[0]).map(([start, count]) => ({ start, count })),
    eventIds: [...base.eventIds, ...pending.eventIds].slice(0, MAX_EVENT_IDS),
    lastTime: Math.max(base.lastTime, Math.min(pending.lastTime, end - 1)),
  };
}

function merge(applied: ObservationWindow, pending: PendingOperations): ObservationWindow {
  return { ...applied, ...withPending(applied, pending) };
}
