import { NONE_MODEL } from '@trail-insight/detection';
import { AccountStateRepository } from '@trail-insight/state-redis';

import type { NormalizedEvent } from '@trail-insight/events';
import type { IpInsightMessage } from '@trail-insight/kafka';
import type { Redis } from 'ioredis';

import { AttributionRepository } from '../src/core/attribution.repository';
import { DetectorCore } from '../src/core/detector-core';
import { PartitionLogRepository } from '../src/core/partition-log.repository';
import { PreviewRepository } from '../src/core/preview.repository';

import type { DetectorCoreOptions, InputMessage } from '../src/core/detector-core';
import type {
  DetectorObserver,
  InsightPublisher,
  PublishedInsight,
} from '../src/core/detector-ports';

import type { TestRandom } from './synthetic-trail';

/** Thrown by the fault injector: stands for the process dying at that instant. */
export class SimulatedCrash extends Error {
  override readonly name = 'SimulatedCrash';
}

/**
 * Counts every Redis command and publish and "crashes" (throws) at the n-th one, before or after
 * it ran: after = its effect is durable but the process died before learning it.
 */
export class FaultInjector {
  private count = 0;
  crashed = false;

  constructor(
    private readonly crashAt: number,
    private readonly after: boolean,
    /** Count only produces (to hit the produce → persist gap), or every operation. */
    private readonly only: 'any' | 'publish' = 'any',
  ) {}

  async around<T>(run: () => Promise<T>, isPublish = false): Promise<T> {
    if (this.crashed) {
      throw new SimulatedCrash('already crashed');
    }
    if (this.only === 'publish' && !isPublish) {
      return run();
    }
    this.count += 1;
    const hit = this.count === this.crashAt;
    if (hit && !this.after) {
      this.crashed = true;
      throw new SimulatedCrash(`crash before operation ${this.count}`);
    }
    const result = await run();
    if (hit) {
      this.crashed = true;
      throw new SimulatedCrash(`crash after operation ${this.count}`);
    }
    return result;
  }

  /** A view of `redis` whose commands go through {@link around}. */
  wrap(redis: Redis): Redis {
    return new Proxy(redis, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || property === 'defineCommand') {
          return value;
        }
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) {
            return this.around(() => result);
          }
          return result;
        };
      },
    });
  }
}

export interface Delivered {
  ids: Map<string, IpInsightMessage>;
  duplicates: number;
  conflicting: string[];
}

/** Collects `ip-insights` messages by insight id; repeats must be identical. */
export class CollectingPublisher implements InsightPublisher {
  readonly delivered: Delivered = { ids: new Map(), duplicates: 0, conflicting: [] };
  /** Provisional insights that ended without a verdict (published with state `dismissed`). */
  readonly dismissed = new Set<string>();
  faults: FaultInjector | null = null;

  async publish(insights: readonly PublishedInsight[]): Promise<void> {
    const write = (): Promise<void> => {
      for (const { message } of insights) {
        const id = message.insight.insightId;
        if (message.state === 'dismissed') {
          this.dismissed.add(id);
          continue;
        }
        const seen = this.delivered.ids.get(id);
        if (seen === undefined) {
          this.delivered.ids.set(id, message);
        } else {
          this.delivered.duplicates += 1;
          if (JSON.stringify(seen) !== JSON.stringify(message)) {
            this.delivered.conflicting.push(id);
          }
        }
      }
      return Promise.resolve();
    };
    if (this.faults === null) {
      return write();
    }
    return this.faults.around(write, true);
  }
}

export function coreOptions(
  topic: string,
  prefix: string,
  overrides: Partial<DetectorCoreOptions> = {},
): DetectorCoreOptions {
  return {
    topic,
    allowedLatenessMs: 600_000,
    idleAdvance: false,
    idleAfterMs: 30_000,
    stateCacheSize: 10_000,
    keyPrefix: prefix,
    detection: { minBaseline: 50, homeRegion: null, allowList: [], model: NONE_MODEL },
    ...overrides,
  };
}

export function createCore(
  redis: Redis,
  options: DetectorCoreOptions,
  publisher: InsightPublisher,
  observer?: DetectorObserver,
): DetectorCore {
  return new DetectorCore(options, {
    accounts: new AccountStateRepository(redis, { prefix: options.keyPrefix }),
    log: new PartitionLogRepository(redis),
    attributions: new AttributionRepository(redis),
    publisher,
    previews: new PreviewRepository(redis, options.keyPrefix, 3_600),
    ...(observer === undefined ? {} : { observer }),
  });
}

/** A partition's events in input order; {@link runStream} packs them into messages. */
export type PartitionLog = NormalizedEvent[];

/** `items[index]`, or a RangeError when the index is past the end. */
function itemAt<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) {
    throw new RangeError(`index ${index} of ${items.length}`);
  }
  return item;
}

/**
 * How {@link runStream} turns a partition's events into messages: `mixed` as `normalized-events`
 * (see {@link packPartitionLog}); `raw` one event per message without consumed bytes, as the
 * detector gets them with `DETECTOR_INPUT=raw` (runs of them share one buffer entry).
 */
export type Packing = 'mixed' | 'raw';

/**
 * Packs a partition's events into `normalized-events` messages the way ingest does: runs of one
 * account's consecutive events, 1 to 8 per message; some carry their consumed JSON bytes (stored
 * as is), some only their events (encoded by the core, consecutive ones in one buffer entry).
 * Offsets are array indexes.
 */
export function packPartitionLog(
  log: PartitionLog,
  random: TestRandom,
  packing: Packing = 'mixed',
): InputMessage[] {
  if (packing === 'raw') {
    return log.map((event, index) => ({ offset: String(index), events: [event] }));
  }
  const messages: InputMessage[] = [];
  let start = 0;
  while (start < log.length) {
    const size = 1 + random.int(8);
    let end = start + 1;
    while (
      end < log.length &&
      end - start < size &&
      log[end]?.accountId === log[start]?.accountId
    ) {
      end += 1;
    }
    const events = log.slice(start, end);
    messages.push({
      offset: String(messages.length),
      events,
      ...(random.int(2) === 0 ? { value: Buffer.from(JSON.stringify(events)) } : {}),
    });
    start = end;
  }
  return messages;
}

/**
 * One partition as Kafka keeps it, for tests that restart cores by hand: {@link deliver} feeds
 * a core what it has not fetched yet, following its rewinds, and commits after each batch;
 * {@link restart} goes back to the committed offset, as a new consumer does.
 */
export class PartitionInput {
  private readonly messages: InputMessage[] = [];
  private position = 0;
  committed = 0;

  constructor(private readonly partition = 0) {}

  /** Appends messages (increasing offsets) and delivers everything not fetched yet. */
  async deliver(core: DetectorCore, ...messages: InputMessage[]): Promise<void> {
    this.messages.push(...messages);
    for (let rewinds = 0; rewinds < 3; rewinds += 1) {
      const batch = this.messages.filter((message) => Number(message.offset) >= this.position);
      const last = batch.at(-1);
      if (last === undefined) {
        return;
      }
      const outcome = await core.handleBatch(this.partition, batch, {
        fetchedOffset: this.position,
        lastOffset: Number(last.offset),
      });
      if (outcome.kind === 'rewind') {
        this.position = outcome.offset;
        continue;
      }
      this.position = Number(last.offset) + 1;
      this.committed = this.position;
      return;
    }
    throw new Error('the core kept asking to rewind');
  }

  /** A new consumer: the next delivery starts from the committed offset. */
  restart(): void {
    this.position = this.committed;
  }

  /** The next delivery starts at `offset` (the Kafka lib's seek). */
  seek(offset: number): void {
    this.position = offset;
  }
}

export interface StreamRunReport {
  crashes: number;
  batches: number;
}

/**
 * Feeds partitions to detector cores the way the Kafka lib does: random batch sizes, random
 * partition interleaving, the committed offset moves to the batch end after the handler resolves
 * (sometimes later, as auto-commit lags), a rewind fetches again from where the core asks (to
 * rebuild its reorder buffer), and after a crash a fresh core starts from the committed offsets. `crashPlan` gives, per
 * crash, the operation at which the core dies.
 */
export async function runStream(
  redis: Redis,
  logs: readonly PartitionLog[],
  options: DetectorCoreOptions,
  publisher: CollectingPublisher,
  random: TestRandom,
  crashPlan: ReadonlyArray<{ at: number; after: boolean; only?: 'any' | 'publish' }>,
  packing: Packing = 'mixed',
): Promise<StreamRunReport> {
  const messageLogs = logs.map((log) => packPartitionLog(log, random, packing));
  const committed = logs.map(() => 0);
  const position = logs.map(() => 0);
  let crashes = 0;
  let batches = 0;
  const [firstCrash] = crashPlan;
  let faults: FaultInjector | null =
    firstCrash === undefined
      ? null
      : new FaultInjector(firstCrash.at, firstCrash.after, firstCrash.only);
  publisher.faults = faults;
  let core = createCore(faults === null ? redis : faults.wrap(redis), options, publisher);
  for (;;) {
    const pending = messageLogs
      .map((log, partition) => ({ partition, left: log.length - (position[partition] ?? 0) }))
      .filter(({ left }) => left > 0);
    if (pending.length === 0) {
      return { crashes, batches };
    }
    const { partition } = itemAt(pending, random.int(pending.length));
    const from = itemAt(position, partition);
    const size = 1 + random.int(random.int(2) === 0 ? 20 : 600);
    const log = itemAt(messageLogs, partition);
    const to = Math.min(log.length, from + size);
    const messages = log.slice(from, to);
    batches += 1;
    try {
      const outcome = await core.handleBatch(partition, messages, {
        fetchedOffset: from,
        lastOffset: to - 1,
      });
      if (outcome.kind === 'rewind') {
        position[partition] = outcome.offset;
        continue;
      }
      position[partition] = to;
      if (random.int(4) !== 0) {
        committed[partition] = to;
      }
    } catch (error) {
      if (!(error instanceof SimulatedCrash) && !(faults?.crashed ?? false)) {
        throw error;
      }
      crashes += 1;
      for (const [p, offset] of committed.entries()) {
        position[p] = offset;
      }
      const next = crashPlan[crashes];
      faults = next === undefined ? null : new FaultInjector(next.at, next.after, next.only);
      publisher.faults = faults;
      core = createCore(faults === null ? redis : faults.wrap(redis), options, publisher);
    }
  }
}
