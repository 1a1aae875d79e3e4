import { DetectionEngine } from '@trail-insight/detection';
import { toIpInsight } from '@trail-insight/insights';

import type { AccountState, DetectionConfig } from '@trail-insight/detection';
import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsight } from '@trail-insight/insights';

/** A provisional insight as the preview hash holds it. */
export interface ProvisionalInsight extends IpInsight {
  state: 'provisional';
}

function fieldOf(region: string, ip: string): string {
  return `${region}\u0000${ip}`;
}

/**
 * The provisional view of the operations still in a partition's reorder buffer (SPEC §5: open
 * windows visible within seconds, not only after the watermark passed them). The preview of an
 * account is what its state would be if its buffered events were applied now: the real
 * {@link DetectionEngine} runs them, in event-time order, over a copy of the applied state, and the
 * open unusual windows of the IPs they touch are the provisional insights. The rules exist once;
 * the copy is thrown away and the exact window replaces the preview once the watermark applies the
 * operations.
 */
export class ProvisionalPreview {
  /** Buffered events by account, in arrival order (the event objects the reorder buffer holds). */
  private readonly byAccount = new Map<string, Set<NormalizedEvent>>();
  private readonly changed = new Set<string>();
  private readonly engine: DetectionEngine;

  constructor(config: DetectionConfig) {
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

  add(event: NormalizedEvent): void {
    if (event.sourceIp === null) {
      return;
    }
    let events = this.byAccount.get(event.accountId);
    if (events === undefined) {
      events = new Set();
      this.byAccount.set(event.accountId, events);
    }
    events.add(event);
    this.changed.add(event.accountId);
  }

  /** The event (the object given to {@link add}) left the buffer, applied by a checkpoint. */
  remove(event: NormalizedEvent): void {
    const events = this.byAccount.get(event.accountId);
    if (events === undefined || !events.delete(event)) {
      return;
    }
    if (events.size === 0) {
      this.byAccount.delete(event.accountId);
    }
    this.changed.add(event.accountId);
  }

  /** The account's provisional insights by `<region> NUL <ip>`, given its applied state. */
  previewOf(state: AccountState): Map<string, ProvisionalInsight> {
    const out = new Map<string, ProvisionalInsight>();
    const events = this.byAccount.get(state.accountId);
    if (events === undefined) {
      return out;
    }
    const copy = structuredClone(state);
    const ordered = [...events]
      .map((event, index) => ({ event, index }))
      .sort((a, b) => a.event.time - b.event.time || a.index - b.index);
    const touched = new Set<string>();
    for (const { event } of ordered) {
      this.engine.apply(copy, event);
      if (event.sourceIp !== null) {
        touched.add(fieldOf(event.region, event.sourceIp));
      }
    }
    for (const [regionName, region] of copy.regions) {
      for (const window of region.windows.values()) {
        const field = fieldOf(regionName, window.ip);
        if (touched.has(field) && window.heterogeneity > 0) {
          out.set(field, {
            ...toIpInsight({ accountId: state.accountId, region: regionName, window }),
            state: 'provisional',
          });
        }
      }
    }
    return out;
  }
}
