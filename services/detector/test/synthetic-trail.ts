import { writeFileSync } from 'node:fs';

import { normalizeRecord } from '@trail-insight/events';

import type { NormalizedEvent } from '@trail-insight/events';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** A deterministic PRNG (mulberry32): the same seed gives the same trail. */
export class TestRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) {
      throw new RangeError('pick from an empty list');
    }
    return item;
  }
}

export interface SyntheticTrailOptions {
  seed: number;
  accounts: number;
  days: number;
  /** Events per usual IP per day. */
  perIpPerDay: number;
  start?: number;
}

/** One raw ActionTrail record with the event it normalizes to. */
export interface SyntheticRecord {
  raw: Record<string, unknown>;
  event: NormalizedEvent;
}

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'ap-southeast-1'];
const USER_AGENTS = ['aliyun-cli/3.0', 'terraform/1.7', 'console', 'python-sdk/2.1'];
const API_NAMES = [
  'DescribeInstances',
  'ListBuckets',
  'CreateAccessKey',
  'GetUser',
  'RunInstances',
];

/**
 * A multi-week ActionTrail trail with the boundary cases of SPEC §3: usual IPs every day,
 * unfamiliar IPs seen on one or two days (insights), on three days (they turn usual), operations
 * exactly at t0 + 1 day and at t0 + 7 days (outside the window, opens the next), IPv6 and
 * IPv4-mapped sources, non-IP sources, global events, exact and shifted duplicates.
 */
export function syntheticTrail(options: SyntheticTrailOptions): SyntheticRecord[] {
  const random = new TestRandom(options.seed);
  const start = options.start ?? Date.UTC(2026, 2, 1);
  const raws: Array<Record<string, unknown>> = [];
  let serial = 0;
  const record = (
    account: string,
    region: string,
    time: number,
    ip: string,
    extra: Record<string, unknown> = {},
  ): Record<string, unknown> => {
    serial += 1;
    const raw: Record<string, unknown> = {
      eventId: `ev-${options.seed}-${serial}`,
      eventTime: new Date(time).toISOString(),
      acsRegion: region,
      sourceIpAddress: ip,
      userAgent: random.pick(USER_AGENTS),
      eventName: random.pick(API_NAMES),
      userIdentity: { accountId: account, principalId: `p-${random.int(3)}` },
      ...extra,
    };
    if (random.int(10) === 0) {
      raw['errorCode'] = random.pick(['NoPermission', 'Throttling']);
    }
    raws.push(raw);
    return raw;
  };
  for (let a = 0; a < options.accounts; a += 1) {
    const account = String(1_000_000 + a * 7919);
    const regions = REGIONS.slice(0, 1 + (a % REGIONS.length));
    for (const [r, region] of regions.entries()) {
      const usual = [`10.${a}.${r}.1`, `47.${a}.${r}.2`, `2001:db8:${a}:${r}::3`];
      for (let day = 0; day < options.days; day += 1) {
        for (const ip of usual) {
          for (let k = 0; k < options.perIpPerDay; k += 1) {
            record(account, region, start + day * DAY + random.int(DAY), ip);
          }
        }
        record(account, region, start + day * DAY + random.int(DAY), 'ecs.aliyuncs.com');
      }
      // Unfamiliar IPs with known day patterns, starting on various days.
      const patterns: Array<{ days: number[]; count: number }> = [
        { days: [0], count: 3 },
        { days: [0, 1], count: 5 },
        { days: [0, 3, 6], count: 2 },
        { days: [0, 2], count: 120 },
        { days: [0, 7], count: 2 },
        { days: [0, 1, 2], count: 2 },
      ];
      for (const [p, pattern] of patterns.entries()) {
        const firstDay = 1 + ((a * 5 + r * 3 + p * 4) % Math.max(1, options.days - 9));
        const t0 = start + firstDay * DAY + random.int(DAY - HOUR);
        const ip = p % 3 === 0 ? `203.0.${a * 10 + r}.${100 + p}` : `2400:cb00:${a}:${r}::${p + 1}`;
        const alias = ip.includes(':') ? ip.toUpperCase() : `::ffff:${ip}`;
        const times: number[] = [t0];
        for (const day of pattern.days) {
          for (let k = 0; k < pattern.count; k += 1) {
            times.push(t0 + day * DAY + (day === 7 ? 0 : random.int(DAY)));
          }
        }
        if (pattern.days.includes(1)) {
          times.push(t0 + DAY);
        }
        for (const [k, time] of times.entries()) {
          record(account, region, time, k % 2 === 0 ? ip : alias);
        }
      }
    }
    // Global events (region of the home trail or elsewhere), analyzed in their region.
    for (let k = 0; k < 6; k += 1) {
      record(account, 'cn-hangzhou', start + (2 + k) * DAY + random.int(DAY), `198.18.${a}.${k}`, {
        isGlobal: true,
        eventName: 'GetCallerIdentity',
      });
    }
  }
  // Duplicates: exact repeats and the same id up to an hour later (still duplicates).
  const originals = raws.slice();
  for (let k = 0; k < Math.floor(originals.length / 50); k += 1) {
    const original = random.pick(originals);
    const copy = { ...original };
    if (random.int(2) === 0) {
      copy['eventTime'] = new Date(
        Date.parse(original['eventTime'] as string) + random.int(59) * MINUTE,
      ).toISOString();
    }
    raws.push(copy);
  }
  const records: SyntheticRecord[] = [];
  for (const raw of raws) {
    const result = normalizeRecord(raw);
    if (!result.ok) {
      throw new Error(`synthetic record does not normalize: ${result.reason} ${result.detail}`);
    }
    records.push({ raw, event: result.event });
  }
  return records;
}

/**
 * Delivery order with bounded disorder: sorted by time plus a random delay below `maxDisorderMs`,
 * so no event arrives after another that is `maxDisorderMs` or more later in event time.
 */
export function deliveryOrder<T extends { event: NormalizedEvent }>(
  records: readonly T[],
  maxDisorderMs: number,
  seed: number,
): T[] {
  const random = new TestRandom(seed);
  return records
    .map((item, index) => ({ item, index, key: item.event.time + random.int(maxDisorderMs) }))
    .sort((a, b) => a.key - b.key || a.index - b.index)
    .map(({ item }) => item);
}

/** Writes records as JSON lines (the batch CLI's input) in the given order. */
export function writeJsonLines(path: string, records: ReadonlyArray<{ raw: unknown }>): void {
  writeFileSync(path, `${records.map(({ raw }) => JSON.stringify(raw)).join('\n')}\n`);
}

/**
 * One baseline-only record per partition at `time` (a non-IP source), so every partition's
 * watermark reaches the same point at the end of a stream.
 */
export function sentinelRecord(name: string, time: number): SyntheticRecord {
  const raw = {
    eventId: `sentinel-${name}`,
    eventTime: new Date(time).toISOString(),
    acsRegion: 'cn-hangzhou',
    sourceIpAddress: 'internal',
    userIdentity: { accountId: `sentinel-${name}` },
  };
  const result = normalizeRecord(raw);
  if (!result.ok) {
    throw new Error('sentinel does not normalize');
  }
  return { raw, event: result.event };
}
