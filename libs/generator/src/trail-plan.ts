import { itemAt } from './item-at.util';
import { ACTIONTRAIL_CATALOG } from './actiontrail-catalog';
import { CLOUDTRAIL_CATALOG } from './cloudtrail-catalog';
import {
  MS_PER_DAY,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  SMALL_ACCOUNT_BACKGROUND_CAP,
  WINDOW_MS,
} from './generator.constants';
import { resolveGeneratorOptions } from './generator-options';
import { drawAddress, neighbourInSlash16, neighbourInSlash64 } from './ip-pools';
import { SeededRandom } from './seeded-random';

import type { GeneratorOptions, ResolvedGeneratorOptions } from './generator-options';
import type { IpPool } from './ip-pools';
import type { AgentKind, OperationMix, TrailCatalog } from './trail-catalog';

/** The main account reaches the baseline; the small one never does; medium ones repeat the main story. */
export type AccountRole = 'main' | 'small' | 'medium';

/** Coarse class of a source IP, for precision and recall. */
export type IpKind = 'usual' | 'ci' | 'benign-new' | 'attack';

/** Ground truth about the addresses of one traffic source. */
export interface SourceLabel {
  readonly kind: IpKind;
  /** Fine-grained scenario name, e.g. `burst`, `home-isp-change`. */
  readonly scenario: string;
  readonly malicious: boolean;
  readonly description: string;
}

export type PrincipalKind = 'user' | 'role-session' | 'service';

/** A caller identity of an account (`userIdentity`). */
export interface Principal {
  readonly kind: PrincipalKind;
  readonly userName: string;
  readonly roleName: string;
  readonly sessionName: string;
  readonly principalId: string;
  readonly accessKeyId: string;
}

/** A weighted operation choice, as catalog indices with cumulative weights. */
export interface CompiledMix {
  readonly operations: readonly number[];
  readonly cumulative: readonly number[];
}

/**
 * Who calls from where. Background sources (weight > 0) produce the volume; scripted ones only
 * the operations listed in {@link AccountPlan.scripted}.
 */
export interface TrafficSource {
  readonly name: string;
  /** Null for service calls, whose source is not an IP address. */
  readonly label: SourceLabel | null;
  /** Raw `sourceIpAddress` forms: the first is the usual one, the others are variants. */
  readonly addresses: readonly string[];
  readonly variantRate: number;
  readonly principals: readonly number[];
  /** Null: the user agent is the source itself (service calls). */
  readonly agents: readonly string[] | null;
  readonly mix: CompiledMix;
  /** Indices into {@link AccountPlan.regions}, with cumulative weights. */
  readonly regions: readonly number[];
  readonly regionCumulative: readonly number[];
  readonly weight: number;
  /** Per day of the trail: 1 when the source works that day. */
  readonly activeDays: Uint8Array;
  /** UTC hours [from, to) when the source works. */
  readonly fromHour: number;
  readonly toHour: number;
  /**
   * Seconds after `fromHour` of a daily anchor operation per region: the first operation of each
   * working day, always at the same time of day, so day slots are exactly the days of use.
   */
  readonly anchorSecond: number | null;
  readonly errorRate: number;
}

/** One operation of a scripted scenario. */
export interface ScriptedOperation {
  readonly time: number;
  readonly source: number;
  readonly region: number;
  readonly address: string;
  /** Also delivered again, unchanged, in a separate later file. */
  readonly redeliver: boolean;
}

export interface AccountPlan {
  readonly index: number;
  readonly role: AccountRole;
  readonly accountId: string;
  /** `regions[0]` is the trail's home region. */
  readonly regions: readonly string[];
  readonly principals: readonly Principal[];
  readonly sources: readonly TrafficSource[];
  /** In time order, inside the trail's time range. */
  readonly scripted: readonly ScriptedOperation[];
  /** Background events per hour of the trail. */
  readonly hourCounts: Int32Array;
  /** UTC hour at which one office event is duplicated in every way SPEC §1 distinguishes. */
  readonly duplicateHour: number;
  readonly duplicateSource: number;
}

/** Everything decided before any event is drawn: accounts, actors, addresses, scripts, volumes. */
export interface TrailPlan {
  readonly options: ResolvedGeneratorOptions;
  readonly catalog: TrailCatalog;
  readonly startTime: number;
  readonly endTime: number;
  readonly hours: number;
  /** ActionTrail resource directory id (multi-account trail layout). */
  readonly resourceDirectoryId: string;
  readonly operationIndex: ReadonlyMap<string, number>;
  readonly accounts: readonly AccountPlan[];
}

const DIGITS = '0123456789';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface PlanContext {
  readonly options: ResolvedGeneratorOptions;
  readonly catalog: TrailCatalog;
  readonly operationIndex: ReadonlyMap<string, number>;
  readonly usedAddresses: Set<string>;
  readonly usedAccounts: Set<string>;
}

interface HourRange {
  readonly from: number;
  readonly to: number;
}

interface SourceSpec {
  name: string;
  label: SourceLabel | null;
  addresses: readonly string[];
  variantRate?: number;
  principals: readonly number[];
  agents: readonly AgentKind[] | null;
  mix: OperationMix;
  regions: readonly number[];
  regionWeights?: readonly number[];
  weight?: number;
  activeDays?: Uint8Array;
  hours?: HourRange;
  anchored?: boolean;
  errorRate?: number;
}

function randomText(random: SeededRandom, alphabet: string, length: number): string {
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text += alphabet[random.int(alphabet.length)];
  }
  return text;
}

function cumulativeOf(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((weight) => (sum += weight));
}

function compileMix(context: PlanContext, name: OperationMix): CompiledMix {
  const entries = context.catalog.mixes[name];
  return {
    operations: entries.map(([eventName]) => {
      const index = context.operationIndex.get(eventName);
      if (index === undefined) {
        throw new Error(`mix ${name} names unknown operation ${eventName}`);
      }
      return index;
    }),
    cumulative: cumulativeOf(entries.map(([, weight]) => weight)),
  };
}

function utcHours(catalog: TrailCatalog, localFrom: number, localTo: number): HourRange {
  const from = (((localFrom - catalog.utcOffsetHours) % 24) + 24) % 24;
  return { from, to: Math.min(24, from + localTo - localFrom) };
}

function dayFlags(
  options: ResolvedGeneratorOptions,
  keep: (day: number, weekday: number) => boolean,
): Uint8Array {
  const flags = new Uint8Array(options.days);
  for (let day = 0; day < options.days; day += 1) {
    const weekday = new Date(options.startTime + day * MS_PER_DAY).getUTCDay();
    flags[day] = keep(day, weekday) ? 1 : 0;
  }
  return flags;
}

class AccountBuilder {
  readonly sources: TrafficSource[] = [];
  readonly scripted: ScriptedOperation[] = [];

  constructor(
    private readonly context: PlanContext,
    readonly random: SeededRandom,
  ) {}

  address(pool: IpPool): string {
    return this.unique(() => drawAddress(pool, this.random));
  }

  unique(draw: () => string): string {
    for (;;) {
      const address = draw();
      if (!this.context.usedAddresses.has(address)) {
        this.context.usedAddresses.add(address);
        return address;
      }
    }
  }

  addSource(spec: SourceSpec): number {
    const { catalog, options } = this.context;
    const hours = spec.hours ?? { from: 0, to: 24 };
    const weight = spec.weight ?? 0;
    this.sources.push({
      name: spec.name,
      label: spec.label,
      addresses: spec.addresses,
      variantRate: spec.variantRate ?? 0,
      principals: spec.principals,
      agents: spec.agents === null ? null : spec.agents.flatMap((kind) => catalog.userAgents[kind]),
      mix: compileMix(this.context, spec.mix),
      regions: spec.regions,
      regionCumulative: cumulativeOf(spec.regionWeights ?? spec.regions.map(() => 1)),
      weight,
      activeDays: spec.activeDays ?? new Uint8Array(weight > 0 ? options.days : 0).fill(1),
      fromHour: hours.from,
      toHour: hours.to,
      anchorSecond: spec.anchored === true ? this.random.between(0, 540) : null,
      errorRate: spec.errorRate ?? 0.01,
    });
    return this.sources.length - 1;
  }

  operations(
    source: number,
    region: number,
    times: readonly number[],
    address: (index: number) => string,
    redeliverIndex = -1,
  ): void {
    times.forEach((time, index) => {
      this.scripted.push({
        time,
        source,
        region,
        address: address(index),
        redeliver: index === redeliverIndex,
      });
    });
  }

  /** `count` operations from `first` over `spanMs`, the first exactly at `first`. */
  burst(first: number, count: number, spanMs: number): number[] {
    const offsets: number[] = [];
    for (let index = 1; index < count; index += 1) {
      offsets.push(this.random.between(1, Math.floor(spanMs / MS_PER_SECOND)) * MS_PER_SECOND);
    }
    offsets.sort((a, b) => a - b);
    return [first, ...offsets.map((offset) => first + offset)];
  }
}

function principalsFor(
  context: PlanContext,
  random: SeededRandom,
  specs: readonly (readonly [PrincipalKind, string, string])[],
): Principal[] {
  const cloudTrail = context.catalog.format === 'cloudtrail';
  return specs.map(([kind, first, second]) => {
    if (kind === 'user') {
      return {
        kind,
        userName: first,
        roleName: '',
        sessionName: '',
        principalId: cloudTrail
          ? `AIDA${randomText(random, BASE32, 17)}`
          : `2${randomText(random, DIGITS, 16)}`,
        accessKeyId: cloudTrail
          ? `AKIA${randomText(random, BASE32, 16)}`
          : `LTAI5t${randomText(random, ALPHANUMERIC, 18)}`,
      };
    }
    return {
      kind,
      userName: '',
      roleName: first,
      sessionName: second,
      principalId: cloudTrail
        ? `AROA${randomText(random, BASE32, 17)}`
        : `3${randomText(random, DIGITS, 17)}`,
      accessKeyId: cloudTrail
        ? `ASIA${randomText(random, BASE32, 16)}`
        : `STS.NU${randomText(random, ALPHANUMERIC, 23)}`,
    };
  });
}

function newAccountId(context: PlanContext, random: SeededRandom): string {
  for (;;) {
    const digits = context.catalog.accountIdDigits;
    const id = `${random.between(1, 9)}${randomText(random, DIGITS, digits - 1)}`;
    if (!context.usedAccounts.has(id)) {
      context.usedAccounts.add(id);
      return id;
    }
  }
}

function hourCountsOf(
  options: ResolvedGeneratorOptions,
  sources: readonly TrafficSource[],
  dailyVolume: number,
): Int32Array {
  const hours = options.days * 24;
  const firstHour = Math.floor(options.startTime / MS_PER_HOUR) % 24;
  const weights = new Float64Array(hours);
  let total = 0;
  for (let hour = 0; hour < hours; hour += 1) {
    const day = Math.floor(hour / 24);
    const hourOfDay = (firstHour + hour) % 24;
    let weight = 0;
    for (const source of sources) {
      if (
        source.weight > 0 &&
        source.activeDays[day] === 1 &&
        hourOfDay >= source.fromHour &&
        hourOfDay < source.toHour
      ) {
        weight += source.weight;
      }
    }
    weights[hour] = weight;
    total += weight;
  }
  const counts = new Int32Array(hours);
  const target = dailyVolume * options.days;
  let cumulative = 0;
  let issued = 0;
  for (let hour = 0; hour < hours; hour += 1) {
    cumulative += itemAt(weights, hour, 'hour weights');
    const due = total === 0 ? 0 : Math.floor((target * cumulative) / total);
    counts[hour] = due - issued;
    issued = due;
  }
  return counts;
}

function dailyVolumes(options: ResolvedGeneratorOptions): number[] {
  const total = options.eventsPerDay;
  if (options.accounts === 1) {
    return [total];
  }
  const small = Math.min(
    Math.round(total * 0.05),
    Math.floor(SMALL_ACCOUNT_BACKGROUND_CAP / options.days),
  );
  const rest = total - small;
  if (options.accounts === 2) {
    return [rest, small];
  }
  const main = Math.round(rest * 0.6);
  const volumes = [main, small];
  let remaining = rest - main;
  for (let medium = options.accounts - 2; medium > 0; medium -= 1) {
    const share = Math.floor(remaining / medium);
    volumes.push(share);
    remaining -= share;
  }
  return volumes;
}

function finishAccount(
  context: PlanContext,
  builder: AccountBuilder,
  base: Pick<AccountPlan, 'index' | 'role' | 'accountId' | 'regions' | 'principals'>,
  dailyVolume: number,
  duplicateHour: number,
): AccountPlan {
  const { startTime, days } = context.options;
  const endTime = startTime + days * MS_PER_DAY;
  const scripted = builder.scripted
    .filter((operation) => operation.time >= startTime && operation.time < endTime)
    .sort((a, b) => a.time - b.time);
  return {
    ...base,
    sources: builder.sources,
    scripted,
    hourCounts: hourCountsOf(context.options, builder.sources, dailyVolume),
    duplicateHour,
    duplicateSource: 0,
  };
}

const BUSY_PRINCIPALS: readonly (readonly [PrincipalKind, string, string])[] = [
  ['user', 'alice', ''],
  ['user', 'bob', ''],
  ['user', 'carol', ''],
  ['user', 'dave', ''],
  ['role-session', 'ci-deploy', 'pipeline'],
  ['service', 'aliyunserviceroleforecs', 'ecs'],
  ['user', 'partner-sync', ''],
];
const ALICE = 0;
const BOB = 1;
const CAROL = 2;
const DAVE = 3;
const CI_ROLE = 4;
const SERVICE_ROLE = 5;
const PARTNER = 6;

function pickRegions(
  context: PlanContext,
  random: SeededRandom,
  count: number,
  fixed: boolean,
): string[] {
  const others = [...context.catalog.otherRegions];
  const picked: string[] = [];
  while (picked.length < count) {
    const index = fixed ? 0 : random.int(others.length);
    picked.push(...others.splice(index, 1));
  }
  return [context.catalog.homeRegion, ...picked];
}

function planBusyAccount(
  context: PlanContext,
  index: number,
  role: AccountRole,
  dailyVolume: number,
): AccountPlan {
  const { options, catalog } = context;
  const random = SeededRandom.derive(options.seed, 0, index + 1);
  const builder = new AccountBuilder(context, random);
  const pools = catalog.ipPools;
  const shift = role === 'main' ? 0 : -((index - 1) % 2);
  const at = (day: number, hour: number, minute: number, second: number): number =>
    options.startTime +
    (day + shift) * MS_PER_DAY +
    hour * MS_PER_HOUR +
    minute * MS_PER_MINUTE +
    second * MS_PER_SECOND;
  const accountId = newAccountId(context, random);
  const regions = pickRegions(context, random, 2, role === 'main');
  const principals = principalsFor(context, random, BUSY_PRINCIPALS);
  const office = utcHours(catalog, 9, 18);
  const evening = utcHours(catalog, 20, 23);
  const workingDays = dayFlags(options, (_, weekday) => weekday >= 1 && weekday <= 5);
  const ispChangeDay = 6 + shift;

  const officeAddress = builder.address(pools.office);
  builder.addSource({
    name: 'office',
    label: {
      kind: 'usual',
      scenario: 'office',
      malicious: false,
      description:
        'Main office egress, used every working day in every region; a few records carry it IPv4-mapped (::ffff:a.b.c.d)',
    },
    addresses: [officeAddress, `::ffff:${officeAddress}`],
    variantRate: 0.02,
    principals: [ALICE, BOB, CAROL],
    agents: ['office', 'console'],
    mix: 'office',
    regions: [0, 1, 2],
    regionWeights: [6, 3, 2],
    weight: 50,
    activeDays: workingDays,
    hours: office,
    anchored: true,
  });
  builder.addSource({
    name: 'office-2',
    label: {
      kind: 'usual',
      scenario: 'office',
      malicious: false,
      description: 'Second office (branch VPN egress), used every working day',
    },
    addresses: [builder.address(pools.office)],
    principals: [BOB, CAROL],
    agents: ['office', 'console'],
    mix: 'office',
    regions: [0, 2],
    regionWeights: [2, 1],
    weight: 20,
    activeDays: workingDays,
    hours: office,
    anchored: true,
  });
  const officeV6 = builder.address(pools['office-v6']);
  builder.addSource({
    name: 'office-v6',
    label: {
      kind: 'usual',
      scenario: 'office-ipv6',
      malicious: false,
      description: 'Main office IPv6 address, used every working day in the home region',
    },
    addresses: [officeV6],
    principals: [ALICE],
    agents: ['console'],
    mix: 'office',
    regions: [0],
    weight: 6,
    activeDays: workingDays,
    hours: office,
    anchored: true,
  });
  const homeAddress = builder.address(pools.residential);
  builder.addSource({
    name: 'home',
    label: {
      kind: 'usual',
      scenario: 'home',
      malicious: false,
      description: `Home broadband of bob, used four evenings a week until the ISP re-assigns it on day ${ispChangeDay}`,
    },
    addresses: [homeAddress],
    principals: [BOB],
    agents: ['console', 'office'],
    mix: 'office',
    regions: [0],
    weight: 3,
    activeDays: dayFlags(options, (day) => day < ispChangeDay && [0, 2, 3, 5].includes(day % 7)),
    hours: evening,
    anchored: true,
  });
  for (let week = 0; week * 7 < options.days; week += 1) {
    for (const runner of ['a', 'b']) {
      builder.addSource({
        name: `ci-week-${week}-${runner}`,
        label: {
          kind: 'ci',
          scenario: 'ci-runner',
          malicious: false,
          description: `CI runner ${runner} of week ${week}: a cloud VM replaced every week, busy every day of its week`,
        },
        addresses: [builder.address(pools.ci)],
        principals: [CI_ROLE],
        agents: ['ci'],
        mix: 'ci',
        regions: [0, 1],
        regionWeights: [7, 3],
        weight: 8,
        activeDays: dayFlags(options, (day) => day >= week * 7 && day < week * 7 + 7),
        anchored: true,
      });
    }
  }
  builder.addSource({
    name: 'services',
    label: null,
    addresses: catalog.serviceSources,
    principals: [SERVICE_ROLE],
    agents: null,
    mix: 'service',
    regions: [0, 1, 2],
    regionWeights: [5, 3, 2],
    weight: 10,
  });

  const burst = builder.addSource({
    name: 'attack-burst',
    label: {
      kind: 'attack',
      scenario: 'burst',
      malicious: true,
      description:
        'Stolen access key of alice used from a VPS for 25 minutes of reconnaissance and persistence on one night; one record is delivered twice',
    },
    addresses: [builder.address(pools.hosting)],
    principals: [ALICE],
    agents: ['attacker'],
    mix: 'recon',
    regions: [0],
    errorRate: 0.35,
  });
  builder.operations(
    burst,
    0,
    builder.burst(at(3, 18, 42, 7), 120, 25 * MS_PER_MINUTE),
    () => itemAt(itemAt(builder.sources, burst, 'source').addresses, 0, 'address'),
    4,
  );

  const twoDaysAddress = builder.address(pools.anonymizer);
  const twoDays = builder.addSource({
    name: 'attack-two-days',
    label: {
      kind: 'attack',
      scenario: 'two-days',
      malicious: true,
      description:
        "carol's key used from a Tor exit on exactly two days within a week to launch GPU instances; the second day's records carry the address IPv4-mapped",
    },
    addresses: [twoDaysAddress, `::ffff:${twoDaysAddress}`],
    principals: [CAROL],
    agents: ['attacker'],
    mix: 'mining',
    regions: [1],
    errorRate: 0.2,
  });
  builder.operations(
    twoDays,
    1,
    builder.burst(at(4, 13, 5, 44), 30, 40 * MS_PER_MINUTE),
    () => twoDaysAddress,
  );
  builder.operations(
    twoDays,
    1,
    builder.burst(at(6, 2, 17, 9), 20, 15 * MS_PER_MINUTE),
    () => `::ffff:${twoDaysAddress}`,
  );

  const boundaryAddress = builder.address(pools.hosting);
  const boundary = builder.addSource({
    name: 'attack-boundary',
    label: {
      kind: 'attack',
      scenario: 'window-boundary',
      malicious: true,
      description:
        "bob's key used from a VPS at t0, again at t0 + 7 days - 1 s (inside the window, day slot 6) and at exactly t0 + 7 days (after the verdict: a new window)",
    },
    addresses: [boundaryAddress],
    principals: [BOB],
    agents: ['attacker'],
    mix: 'recon',
    regions: [0],
    errorRate: 0.3,
  });
  const t0 = at(2, 11, 34, 56);
  builder.operations(
    boundary,
    0,
    [
      t0,
      t0 + 40 * MS_PER_SECOND,
      t0 + 95 * MS_PER_SECOND,
      t0 + WINDOW_MS - MS_PER_SECOND,
      t0 + WINDOW_MS,
      t0 + WINDOW_MS + 30 * MS_PER_SECOND,
    ],
    () => boundaryAddress,
  );

  const v6AttackAddress = builder.address(pools['hosting-v6']);
  const v6Attack = builder.addSource({
    name: 'attack-ipv6',
    label: {
      kind: 'attack',
      scenario: 'ipv6-burst',
      malicious: true,
      description:
        "alice's key used from an IPv6 VPS for 10 minutes in a third region; half of the records write the address in upper case",
    },
    addresses: [v6AttackAddress, v6AttackAddress.toUpperCase()],
    principals: [ALICE],
    agents: ['attacker'],
    mix: 'mining',
    regions: [2],
    errorRate: 0.2,
  });
  builder.operations(
    v6Attack,
    2,
    builder.burst(at(5, 20, 11, 30), 40, 10 * MS_PER_MINUTE),
    (operation) => (operation % 2 === 0 ? v6AttackAddress : v6AttackAddress.toUpperCase()),
  );

  const newcomerAddress = builder.address(pools.residential);
  const newcomer = builder.addSource({
    name: 'new-ip-3-days',
    label: {
      kind: 'benign-new',
      scenario: 'new-ip-3-days',
      malicious: false,
      description:
        'A new colleague (dave) working from home on three days of one week: becomes usual, no insight',
    },
    addresses: [newcomerAddress],
    principals: [DAVE],
    agents: ['office', 'console'],
    mix: 'office',
    regions: [0],
  });
  for (const [day, hour, minute] of [
    [5, 9, 10],
    [6, 10, 0],
    [9, 9, 30],
  ] as const) {
    builder.operations(
      newcomer,
      0,
      builder.burst(at(day, hour, minute, 0), 8, 45 * MS_PER_MINUTE),
      () => newcomerAddress,
    );
  }

  const lastSlotAddress = builder.address(pools.residential);
  const lastSlot = builder.addSource({
    name: 'last-slot-usual',
    label: {
      kind: 'benign-new',
      scenario: 'usual-at-last-second',
      malicious: false,
      description:
        'carol travelling: used in day slots 0 and 3, then at t0 + 7 days - 1 s, which is the third slot: becomes usual one second before the verdict',
    },
    addresses: [lastSlotAddress],
    principals: [CAROL],
    agents: ['console'],
    mix: 'office-regional',
    regions: [1],
  });
  const s0 = at(1, 8, 20, 0);
  builder.operations(
    lastSlot,
    1,
    [
      ...builder.burst(s0, 3, 10 * MS_PER_MINUTE),
      ...builder.burst(s0 + 3 * MS_PER_DAY + 2 * MS_PER_HOUR, 3, 10 * MS_PER_MINUTE),
      s0 + WINDOW_MS - MS_PER_SECOND,
    ],
    () => lastSlotAddress,
  );

  const newHomeAddress = builder.unique(() => neighbourInSlash16(homeAddress, random));
  const newHome = builder.addSource({
    name: 'home-isp-change',
    label: {
      kind: 'benign-new',
      scenario: 'home-isp-change',
      malicious: false,
      description: `bob's home line re-assigned by the ISP on day ${ispChangeDay}: a new address in the same /16 as the old home address, used on two days of its first week, then regularly`,
    },
    addresses: [newHomeAddress],
    principals: [BOB],
    agents: ['console', 'office'],
    mix: 'office',
    regions: [0],
  });
  for (const day of [6, 10, 14, 15, 16]) {
    builder.operations(
      newHome,
      0,
      builder.burst(at(day, evening.from, 10, 0), 5, 40 * MS_PER_MINUTE),
      () => newHomeAddress,
    );
  }

  const mobileAddress = builder.address(pools.mobile);
  const mobile = builder.addSource({
    name: 'mobile',
    label: {
      kind: 'benign-new',
      scenario: 'mobile-carrier',
      malicious: false,
      description: 'bob checking instances once from the mobile app over a carrier network',
    },
    addresses: [mobileAddress],
    principals: [BOB],
    agents: ['mobile'],
    mix: 'mobile',
    regions: [0],
  });
  builder.operations(
    mobile,
    0,
    builder.burst(at(4, 7, 55, 12), 3, 2 * MS_PER_MINUTE),
    () => mobileAddress,
  );

  const privacyAddress = builder.unique(() => neighbourInSlash64(officeV6, random));
  const privacy = builder.addSource({
    name: 'ipv6-privacy',
    label: {
      kind: 'benign-new',
      scenario: 'ipv6-privacy-address',
      malicious: false,
      description:
        'A new IPv6 privacy address in the same /64 as the office IPv6 address, used once',
    },
    addresses: [privacyAddress],
    principals: [ALICE],
    agents: ['console'],
    mix: 'office',
    regions: [0],
  });
  builder.operations(
    privacy,
    0,
    builder.burst(at(6, office.from + 1, 12, 0), 5, 20 * MS_PER_MINUTE),
    () => privacyAddress,
  );

  const partnerAddress = builder.address(pools['cloud-partner']);
  const partner = builder.addSource({
    name: 'partner-global',
    label: {
      kind: 'benign-new',
      scenario: 'global-outside-home',
      malicious: false,
      description:
        'A SaaS partner assuming a role through STS, recorded as global events in a region other than the home region: analyzed only when no home region is configured',
    },
    addresses: [partnerAddress],
    principals: [PARTNER],
    agents: ['partner'],
    mix: 'partner',
    regions: [1],
    errorRate: 0,
  });
  builder.operations(
    partner,
    1,
    [0, 4, 8, 12, 16, 20].map((hour) => at(2, hour, 0, random.between(0, 59))),
    () => partnerAddress,
  );

  const ephemeralAddress = builder.address(pools.ci);
  const ephemeral = builder.addSource({
    name: 'ci-ephemeral',
    label: {
      kind: 'ci',
      scenario: 'ci-ephemeral',
      malicious: false,
      description:
        'A one-off CI runner in the same cloud as the usual runners, used for one 30-minute job',
    },
    addresses: [ephemeralAddress],
    principals: [CI_ROLE],
    agents: ['ci'],
    mix: 'ci',
    regions: [0],
  });
  builder.operations(
    ephemeral,
    0,
    builder.burst(at(5, 15, 2, 0), 25, 30 * MS_PER_MINUTE),
    () => ephemeralAddress,
  );

  return finishAccount(
    context,
    builder,
    { index, role, accountId, regions, principals },
    dailyVolume,
    (office.from + 2) % 24,
  );
}

const SMALL_PRINCIPALS: readonly (readonly [PrincipalKind, string, string])[] = [
  ['user', 'ops', ''],
  ['role-session', 'ci-deploy', 'pipeline'],
  ['service', 'aliyunserviceroleforecs', 'ecs'],
];

function planSmallAccount(context: PlanContext, index: number, dailyVolume: number): AccountPlan {
  const { options, catalog } = context;
  const random = SeededRandom.derive(options.seed, 0, index + 1);
  const builder = new AccountBuilder(context, random);
  const pools = catalog.ipPools;
  const accountId = newAccountId(context, random);
  const regions = pickRegions(context, random, 1, false);
  const principals = principalsFor(context, random, SMALL_PRINCIPALS);
  const office = utcHours(catalog, 9, 18);
  builder.addSource({
    name: 'office',
    label: {
      kind: 'usual',
      scenario: 'office',
      malicious: false,
      description: 'Office of a small team, used every working day',
    },
    addresses: [builder.address(pools.office)],
    principals: [0],
    agents: ['office', 'console'],
    mix: 'office',
    regions: [0, 1],
    regionWeights: [3, 1],
    weight: 20,
    activeDays: dayFlags(options, (_, weekday) => weekday >= 1 && weekday <= 5),
    hours: office,
    anchored: true,
  });
  builder.addSource({
    name: 'ci',
    label: {
      kind: 'ci',
      scenario: 'ci-runner',
      malicious: false,
      description: 'The one long-lived CI runner of a small team, busy every day',
    },
    addresses: [builder.address(pools.ci)],
    principals: [1],
    agents: ['ci'],
    mix: 'ci',
    regions: [0],
    weight: 10,
    anchored: true,
  });
  builder.addSource({
    name: 'services',
    label: null,
    addresses: catalog.serviceSources,
    principals: [2],
    agents: null,
    mix: 'service',
    regions: [0, 1],
    weight: 5,
  });
  const attackAddress = builder.address(pools.hosting);
  const attack = builder.addSource({
    name: 'attack-burst',
    label: {
      kind: 'attack',
      scenario: 'burst-below-baseline',
      malicious: true,
      description:
        'Stolen key used from a VPS for 20 minutes in an account that never reaches the baseline: no insight is due',
    },
    addresses: [attackAddress],
    principals: [0],
    agents: ['attacker'],
    mix: 'recon',
    regions: [0],
    errorRate: 0.35,
  });
  builder.operations(
    attack,
    0,
    builder.burst(
      options.startTime + 3 * MS_PER_DAY + 17 * MS_PER_HOUR + 3 * MS_PER_MINUTE,
      60,
      20 * MS_PER_MINUTE,
    ),
    () => attackAddress,
  );
  return finishAccount(
    context,
    builder,
    { index, role: 'small', accountId, regions, principals },
    dailyVolume,
    (office.from + 2) % 24,
  );
}

/** Decides the whole scenario of a trail; throws `RangeError` for invalid options. */
export function planTrail(input: GeneratorOptions): TrailPlan {
  const options = resolveGeneratorOptions(input);
  const catalog = options.format === 'actiontrail' ? ACTIONTRAIL_CATALOG : CLOUDTRAIL_CATALOG;
  const operationIndex = new Map(
    catalog.operations.map((operation, index) => [operation.eventName, index] as const),
  );
  const context: PlanContext = {
    options,
    catalog,
    operationIndex,
    usedAddresses: new Set(),
    usedAccounts: new Set(),
  };
  const volumes = dailyVolumes(options);
  const accounts = volumes.map((volume, index) =>
    index === 1
      ? planSmallAccount(context, index, volume)
      : planBusyAccount(context, index, index === 0 ? 'main' : 'medium', volume),
  );
  return {
    options,
    catalog,
    startTime: options.startTime,
    endTime: options.startTime + options.days * MS_PER_DAY,
    hours: options.days * 24,
    resourceDirectoryId: `rd-${randomText(SeededRandom.derive(options.seed, 0, 0), ALPHANUMERIC, 6)}`,
    operationIndex,
    accounts,
  };
}
