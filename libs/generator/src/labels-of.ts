import { itemAt } from './item-at.util';
import { canonicalIp, compareIpText } from '@trail-insight/events';

import { DEFAULT_MIN_BASELINE, MS_PER_DAY } from './generator.constants';
import { expectedWindows } from './expected-outcome';
import { planTrail } from './trail-plan';
import { RecordFlaw, scheduleTrail } from './trail-schedule';

import type { ExpectedWindow } from './expected-outcome';
import type { GeneratorOptions } from './generator-options';
import type { TrailFormat } from './trail-catalog';
import type { AccountPlan, AccountRole, IpKind, SourceLabel, TrailPlan } from './trail-plan';
import type { ScheduledEvent } from './trail-schedule';

/** Ground truth for one (account, region, IP) present in the trail. */
export interface IpLabel {
  accountId: string;
  region: string;
  /** Canonical text, as an IPInsight's `sourceIpAddress` (RFC 5952, IPv4-mapped folded). */
  ip: string;
  /** The forms it takes in `sourceIpAddress`. */
  rawAddresses: string[];
  kind: IpKind;
  scenario: string;
  malicious: boolean;
  description: string;
  /** Valid, non-duplicate records from this IP in this region, global ones included. */
  events: number;
  /** Distinct UTC dates (`YYYY-MM-DD`) of those records. */
  days: string[];
  firstSeen: string;
  lastSeen: string;
  /** Windows under model `none` with the trail's home region configured. */
  expected: ExpectedWindow[];
  /** Windows under model `none` with no home region (global events analyzed where they are). */
  expectedWithoutHomeRegion: ExpectedWindow[];
}

export interface AccountLabel {
  accountId: string;
  role: AccountRole;
  /** The first one is the home region. */
  regions: string[];
  /** Valid, non-duplicate events: the account's baseline at the end (SPEC §3.1). */
  events: number;
  /** Time of the event that brings the baseline to `minBaseline`; null when it never does. */
  baselineReachedAt: string | null;
}

/** What `generateTrail` wrote and what a detector should find in it. */
export interface TrailLabels {
  format: TrailFormat;
  seed: number;
  startTime: string;
  endTime: string;
  days: number;
  homeRegion: string;
  minBaseline: number;
  /** Latest time of a counted event: where a batch run closes windows (SPEC §3.6). */
  lastEventTime: string | null;
  totals: { records: number; invalid: number; duplicates: number; counted: number };
  accounts: AccountLabel[];
  /** Every analyzable (account, region, IP), ordered by account, region, then IP. */
  ips: IpLabel[];
}

export interface LabelSettings {
  /** Baseline for the expected outcomes; default 10,000 (SPEC §3.1). */
  minBaseline?: number;
}

interface IpTrack {
  readonly account: AccountPlan;
  readonly region: number;
  readonly ip: string;
  readonly label: SourceLabel;
  readonly rawAddresses: Set<string>;
  readonly days: Set<number>;
  readonly inHome: number[];
  readonly all: number[];
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

class LabelCollector {
  readonly totals = { records: 0, invalid: 0, duplicates: 0, counted: 0 };
  readonly counted: number[][];
  readonly tracks = new Map<string, IpTrack>();
  lastEventTime = Number.NEGATIVE_INFINITY;
  private readonly canonical = new Map<string, string | null>();

  constructor(private readonly plan: TrailPlan) {
    this.counted = plan.accounts.map(() => []);
  }

  add(account: AccountPlan, event: ScheduledEvent): void {
    this.totals.records += 1;
    if (event.flaw !== RecordFlaw.None) {
      this.totals.invalid += 1;
      return;
    }
    if (event.duplicate) {
      this.totals.duplicates += 1;
      return;
    }
    this.totals.counted += 1;
    this.counted[account.index]?.push(event.time);
    this.lastEventTime = Math.max(this.lastEventTime, event.time);
    const ip = this.canonicalOf(event.address);
    const label = account.sources[event.source]?.label;
    if (ip === null || label === null || label === undefined) {
      return;
    }
    const key = `${account.index}|${event.region}|${ip}`;
    let track = this.tracks.get(key);
    if (track === undefined) {
      track = {
        account,
        region: event.region,
        ip,
        label,
        rawAddresses: new Set(),
        days: new Set(),
        inHome: [],
        all: [],
      };
      this.tracks.set(key, track);
    }
    track.rawAddresses.add(event.address);
    track.days.add(Math.floor(event.time / MS_PER_DAY));
    track.all.push(event.time);
    const operation = this.plan.catalog.operations[event.operation];
    if (operation?.global !== true || event.region === 0) {
      track.inHome.push(event.time);
    }
  }

  private canonicalOf(address: string): string | null {
    let ip = this.canonical.get(address);
    if (ip === undefined) {
      ip = canonicalIp(address);
      this.canonical.set(address, ip);
    }
    return ip;
  }
}

/**
 * The ground truth of the trail `generateTrail(options)` writes: for every (account, region, IP)
 * its scenario, whether it is malicious, and the windows SPEC §3 opens for it under model `none`
 * (with and without the home region), computed by an independent reference of the rules. Runs the
 * same schedule as the generator without rendering records.
 *
 * @throws RangeError when an option is out of range.
 */
export function labelsOf(options: GeneratorOptions, settings: LabelSettings = {}): TrailLabels {
  const plan = planTrail(options);
  const minBaseline = settings.minBaseline ?? DEFAULT_MIN_BASELINE;
  const collector = new LabelCollector(plan);
  for (const hour of scheduleTrail(plan)) {
    for (const { account, events, redelivered } of hour.accounts) {
      for (const event of events) {
        collector.add(account, event);
      }
      for (const event of redelivered) {
        collector.add(account, event);
      }
    }
  }
  const end = collector.lastEventTime;
  const reachedAt = collector.counted.map((times) =>
    minBaseline <= 0
      ? Number.NEGATIVE_INFINITY
      : (times[minBaseline - 1] ?? Number.POSITIVE_INFINITY),
  );
  const tracks = [...collector.tracks.values()].sort(
    (a, b) => a.account.index - b.account.index || a.region - b.region || compareIpText(a.ip, b.ip),
  );
  const ips = tracks.map((track): IpLabel => {
    const reached = reachedAt[track.account.index];
    const baselineMet = (verdictTime: number): boolean =>
      reached !== undefined && verdictTime > reached;
    return {
      accountId: track.account.accountId,
      region: itemAt(track.account.regions, track.region, 'region'),
      ip: track.ip,
      rawAddresses: [...track.rawAddresses].sort(),
      kind: track.label.kind,
      scenario: track.label.scenario,
      malicious: track.label.malicious,
      description: track.label.description,
      events: track.all.length,
      days: [...track.days].sort((a, b) => a - b).map((day) => iso(day * MS_PER_DAY).slice(0, 10)),
      firstSeen: iso(itemAt(track.all, 0, 'track events')),
      lastSeen: iso(itemAt(track.all, track.all.length - 1, 'track events')),
      expected: expectedWindows(track.inHome, end, baselineMet),
      expectedWithoutHomeRegion: expectedWindows(track.all, end, baselineMet),
    };
  });
  return {
    format: plan.catalog.format,
    seed: plan.options.seed,
    startTime: iso(plan.startTime),
    endTime: iso(plan.endTime),
    days: plan.options.days,
    homeRegion: plan.catalog.homeRegion,
    minBaseline,
    lastEventTime: Number.isFinite(end) ? iso(end) : null,
    totals: collector.totals,
    accounts: plan.accounts.map((account) => {
      const reached = reachedAt[account.index];
      return {
        accountId: account.accountId,
        role: account.role,
        regions: [...account.regions],
        events: collector.counted[account.index]?.length ?? 0,
        baselineReachedAt: reached !== undefined && Number.isFinite(reached) ? iso(reached) : null,
      };
    }),
    ips,
  };
}
