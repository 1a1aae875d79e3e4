import { itemAt } from './item-at.util';
import {
  JSON_LINES_HOUR,
  MS_PER_HOUR,
  MS_PER_MINUTE,
  MS_PER_SECOND,
  SLS_ROW_RATE,
} from './generator.constants';
import { randomUuid } from './hex-id.util';
import { SeededRandom } from './seeded-random';

import type { AccountPlan, CompiledMix, TrafficSource, TrailPlan } from './trail-plan';

/** How a record is deliberately broken. Document files never hold the two non-JSON flaws. */
export enum RecordFlaw {
  None = 'none',
  RedactedTime = 'redacted-time',
  DateOnlyTime = 'date-only-time',
  MissingEventId = 'missing-event-id',
  MissingRegion = 'missing-region',
  MissingAccount = 'missing-account',
  BrokenJson = 'broken-json',
  NanValue = 'nan-value',
}

const DOCUMENT_FLAWS: readonly RecordFlaw[] = [
  RecordFlaw.RedactedTime,
  RecordFlaw.DateOnlyTime,
  RecordFlaw.MissingEventId,
  RecordFlaw.MissingRegion,
  RecordFlaw.MissingAccount,
];
const LINE_FLAWS: readonly RecordFlaw[] = [
  ...DOCUMENT_FLAWS,
  RecordFlaw.BrokenJson,
  RecordFlaw.NanValue,
];

/** ActionTrail: share of a background global call recorded in the home region. */
const GLOBAL_HOME_SHARE = 0.8;
/** Background operations of an anchored source's first hour start this long after its anchor. */
const ANCHOR_GAP_SECONDS = 10;

/** One record to write, with every random decision already taken. */
export interface ScheduledEvent {
  time: number;
  source: number;
  principal: number;
  /** Index into the account's regions. */
  region: number;
  operation: number;
  parameter: number;
  address: string;
  agent: string;
  failed: boolean;
  eventId: string;
  requestId: string;
  flaw: RecordFlaw;
  /** A copy that a correct reader must skip as a duplicate (SPEC §1). */
  duplicate: boolean;
  /** Written as an SLS row (ActionTrail JSON lines only). */
  slsRow: boolean;
}

/** One account's records of one hour, in time order, and copies delivered again later. */
export interface AccountHour {
  readonly account: AccountPlan;
  readonly events: readonly ScheduledEvent[];
  readonly redelivered: readonly ScheduledEvent[];
}

export interface ScheduledHour {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  /** Files of this hour are JSON lines (and may hold non-JSON lines). */
  readonly jsonLines: boolean;
  readonly accounts: readonly AccountHour[];
}

interface AccountCursor {
  scripted: number;
  background: number;
  pending: ScheduledEvent[];
}

function pickOperation(mix: CompiledMix, random: SeededRandom): number {
  return itemAt(mix.operations, pickWeighted(mix.cumulative, random), 'operation mix');
}

/** The index of the weight the draw lands in; the last cumulative weight is the total. */
function pickWeighted(cumulative: readonly number[], random: SeededRandom): number {
  const target = random.next() * itemAt(cumulative, cumulative.length - 1, 'cumulative weights');
  let index = 0;
  let weight = cumulative[0];
  while (weight !== undefined && weight <= target) {
    index += 1;
    weight = cumulative[index];
  }
  return index;
}

class HourScheduler {
  private readonly upperCaseIds: boolean;
  private readonly actionTrail: boolean;

  constructor(
    private readonly plan: TrailPlan,
    private readonly account: AccountPlan,
    private readonly random: SeededRandom,
  ) {
    this.actionTrail = plan.catalog.format === 'actiontrail';
    this.upperCaseIds = this.actionTrail;
  }

  event(
    sourceIndex: number,
    time: number,
    regionIndex: number,
    address: string,
    background: boolean,
    operation?: number,
  ): ScheduledEvent {
    const random = this.random;
    const source = itemAt(this.account.sources, sourceIndex, 'source');
    const chosen = operation ?? pickOperation(source.mix, random);
    const spec = this.plan.catalog.operations[chosen];
    if (spec === undefined) {
      throw new Error(`unknown operation ${chosen}`);
    }
    let region = regionIndex;
    if (spec.fixedRegion !== undefined) {
      region = 0;
    } else if (background && this.actionTrail && spec.global && region !== 0) {
      region = random.chance(GLOBAL_HOME_SHARE) ? 0 : region;
    }
    const principals = source.principals;
    const eventId = randomUuid(random, this.upperCaseIds);
    return {
      time,
      source: sourceIndex,
      principal:
        principals.length === 1 ? itemAt(principals, 0, 'principal') : random.pick(principals),
      region,
      operation: chosen,
      parameter: spec.parameters.length === 1 ? 0 : random.int(spec.parameters.length),
      address,
      agent: source.agents === null ? address : random.pick(source.agents),
      failed: random.chance(source.errorRate),
      eventId,
      requestId: this.actionTrail ? eventId : randomUuid(random, false),
      flaw: RecordFlaw.None,
      duplicate: false,
      slsRow: false,
    };
  }

  backgroundAddress(source: TrafficSource): string {
    const addresses = source.addresses;
    if (source.label === null) {
      return this.random.pick(addresses);
    }
    if (addresses.length > 1 && this.random.chance(source.variantRate)) {
      return itemAt(addresses, 1 + this.random.int(addresses.length - 1), 'address');
    }
    return itemAt(addresses, 0, 'address');
  }
}

function scheduleAccountHour(
  plan: TrailPlan,
  account: AccountPlan,
  cursor: AccountCursor,
  hour: number,
  start: number,
  jsonLines: boolean,
): AccountHour {
  const random = SeededRandom.derive(plan.options.seed, 1, account.index, hour);
  const scheduler = new HourScheduler(plan, account, random);
  const end = start + MS_PER_HOUR;
  const day = Math.floor(hour / 24);
  const hourOfDay = Math.floor(start / MS_PER_HOUR) % 24;
  const sources = account.sources;

  const active: number[] = [];
  const activeCumulative: number[] = [];
  let weightSum = 0;
  const anchors: ScheduledEvent[] = [];
  sources.forEach((source, index) => {
    if (
      source.weight === 0 ||
      source.activeDays[day] !== 1 ||
      hourOfDay < source.fromHour ||
      hourOfDay >= source.toHour
    ) {
      return;
    }
    active.push(index);
    weightSum += source.weight;
    activeCumulative.push(weightSum);
    if (source.anchorSecond !== null && hourOfDay === source.fromHour) {
      source.regions.forEach((region, ordinal) => {
        const time = start + ((source.anchorSecond as number) + ordinal) * MS_PER_SECOND;
        anchors.push(
          scheduler.event(
            index,
            time,
            region,
            itemAt(source.addresses, 0, 'address'),
            false,
            itemAt(source.mix.operations, 0, 'operation mix'),
          ),
        );
      });
    }
  });

  const count = active.length === 0 ? 0 : itemAt(account.hourCounts, hour, 'hour counts');
  const background: ScheduledEvent[] = new Array<ScheduledEvent>(count);
  for (let index = 0; index < count; index += 1) {
    const sourceIndex = itemAt(active, pickWeighted(activeCumulative, random), 'active sources');
    const source = itemAt(sources, sourceIndex, 'source');
    const firstSecond =
      source.anchorSecond !== null && hourOfDay === source.fromHour
        ? source.anchorSecond + ANCHOR_GAP_SECONDS
        : 0;
    const time = start + (firstSecond + random.int(3600 - firstSecond)) * MS_PER_SECOND;
    const region = itemAt(source.regions, pickWeighted(source.regionCumulative, random), 'region');
    background[index] = scheduler.event(
      sourceIndex,
      time,
      region,
      scheduler.backgroundAddress(source),
      true,
    );
  }

  const copies: ScheduledEvent[] = [];
  const redelivered: ScheduledEvent[] = [];
  let original = -1;
  if (hourOfDay === account.duplicateHour) {
    const usual = sources[account.duplicateSource]?.addresses[0];
    original = background.findIndex(
      (event) =>
        event.source === account.duplicateSource && event.region === 0 && event.address === usual,
    );
  }
  if (original !== -1) {
    const event = itemAt(background, original, 'background');
    const later = [
      { offset: 0, duplicate: true },
      { offset: 20 * MS_PER_MINUTE, duplicate: true },
      { offset: MS_PER_HOUR, duplicate: true },
      { offset: MS_PER_HOUR + MS_PER_SECOND, duplicate: false },
    ];
    for (const { offset, duplicate } of later) {
      const copy = { ...event, time: event.time + offset, duplicate };
      if (copy.time < end) {
        copies.push(copy);
      } else if (copy.time < plan.endTime) {
        cursor.pending.push(copy);
      }
    }
    redelivered.push({ ...event, duplicate: true });
  }

  const rate = plan.options.malformedRate;
  const forceBrokenLine = jsonLines && rate > 0;
  const due = Math.floor((cursor.background + count) * rate) - Math.floor(cursor.background * rate);
  const malformed = forceBrokenLine ? Math.max(due, 1) : due;
  cursor.background += count;
  const candidates = original === -1 ? count : count - 1;
  const flaws = jsonLines ? LINE_FLAWS : DOCUMENT_FLAWS;
  for (let marked = 0; marked < Math.min(malformed, candidates);) {
    const index = random.int(count);
    const event = itemAt(background, index, 'background');
    if (index !== original && event.flaw === RecordFlaw.None) {
      event.flaw = marked === 0 && forceBrokenLine ? RecordFlaw.BrokenJson : random.pick(flaws);
      marked += 1;
    }
  }

  const scripted: ScheduledEvent[] = [];
  while (cursor.scripted < account.scripted.length) {
    const operation = account.scripted[cursor.scripted];
    if (operation === undefined || operation.time >= end) {
      break;
    }
    cursor.scripted += 1;
    const event = scheduler.event(
      operation.source,
      operation.time,
      operation.region,
      operation.address,
      false,
    );
    scripted.push(event);
    if (operation.redeliver) {
      redelivered.push({ ...event, duplicate: true });
    }
  }

  const carried = cursor.pending.filter((event) => event.time < end);
  cursor.pending = cursor.pending.filter((event) => event.time >= end);

  const events = [...anchors, ...background, ...scripted, ...carried, ...copies];
  events.sort((a, b) => a.time - b.time);
  if (jsonLines && plan.catalog.format === 'actiontrail') {
    for (const event of events) {
      event.slsRow =
        event.flaw !== RecordFlaw.BrokenJson &&
        event.flaw !== RecordFlaw.NanValue &&
        random.chance(SLS_ROW_RATE);
    }
  }
  return { account, events, redelivered };
}

/**
 * Draws every record of the trail, hour by hour in time order. Each (account, hour) has its own
 * random stream, so the records do not depend on how they are consumed; generation and labelling
 * run this same schedule.
 */
export function* scheduleTrail(plan: TrailPlan): Generator<ScheduledHour, void, undefined> {
  const cursors: AccountCursor[] = plan.accounts.map(() => ({
    scripted: 0,
    background: 0,
    pending: [],
  }));
  for (let hour = 0; hour < plan.hours; hour += 1) {
    const start = plan.startTime + hour * MS_PER_HOUR;
    const jsonLines = Math.floor(start / MS_PER_HOUR) % 24 === JSON_LINES_HOUR;
    yield {
      index: hour,
      start,
      end: start + MS_PER_HOUR,
      jsonLines,
      accounts: plan.accounts.map((account, index) =>
        scheduleAccountHour(
          plan,
          account,
          itemAt(cursors, index, 'cursor'),
          hour,
          start,
          jsonLines,
        ),
      ),
    };
  }
}
