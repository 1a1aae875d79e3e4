import { performance } from 'node:perf_hooks';

import {
  DetectionEngine,
  EventOutcome,
  StateChanges,
  WindowVerdict,
} from '@trail-insight/detection';
import { insightIdOf, toIpInsight } from '@trail-insight/insights';
import { MAX_EVENTS_PER_MESSAGE } from '@trail-insight/kafka';
import { PersistOutcome } from '@trail-insight/state-redis';

import type { ClosedWindow, DetectionConfig, ObservationWindow } from '@trail-insight/detection';
import type { NormalizedEvent, TrailProvider } from '@trail-insight/events';

import { AccountCache, storedCheckpoint } from './account-cache';
import { attributionField } from './attribution.repository';
import { compareInputOrder, offsetNumber } from './buffered-event';
import { DetectorErrorCode, DetectorException } from './detector.exception';
import { DetectorKeys } from './detector-keys';
import { NOOP_OBSERVER } from './detector-ports';
import { ProvisionalPreview } from './provisional-preview';
import { WrittenPreviews } from './preview.repository';
import { ReorderBuffer } from './reorder-buffer';

import type { HeldAccount } from './account-cache';
import type { AttributionRepository, AttributionWrite } from './attribution.repository';
import type { BufferedEvent } from './buffered-event';
import type { EntrySource, ReleasedEvent } from './reorder-buffer';
import type { AbsorbedMessage, BeginCheckpoint } from './partition-log.repository';
import type { PartitionKeys } from './detector-keys';
import type {
  AccountStore,
  CheckpointKind,
  CoreLogger,
  DetectorObserver,
  InsightPublisher,
  PublishedInsight,
} from './detector-ports';
import type { PartitionLogRepository } from './partition-log.repository';
import type { PreviewRepository } from './preview.repository';

export interface DetectorCoreOptions {
  /** Physical name of the consumed topic (part of the partition keys and account positions). */
  topic: string;
  /** SPEC §3.7 allowed lateness: the watermark is the latest event time minus this. */
  allowedLatenessMs: number;
  /** Advance an idle partition's watermark with wall-clock time. */
  idleAdvance: boolean;
  /** A partition with no message for this long is idle. */
  idleAfterMs: number;
  /** Accounts kept in memory. */
  stateCacheSize: number;
  /** Redis key prefix of the detector's own keys (same as state-redis's). */
  keyPrefix: string;
  detection: DetectionConfig;
  /** Default {@link MAX_RELEASED_PER_CHECKPOINT}; tests lower it. */
  maxReleasedPerCheckpoint?: number;
  /**
   * A buffered message held longer than this (wall clock) is copied to Redis, so the input's
   * committed offset moves past it. Default {@link DEFAULT_SPILL_AFTER_MS}.
   */
  spillAfterMs?: number;
}

/** What the core reads and writes. */
export interface DetectorCoreDependencies {
  accounts: AccountStore;
  log: PartitionLogRepository;
  attributions: AttributionRepository;
  publisher: InsightPublisher;
  /** Provisional previews of buffered operations; none = only the exact windows. */
  previews?: PreviewRepository;
  observer?: DetectorObserver;
  logger?: CoreLogger;
}

/** A consumed `normalized-events` message: its Kafka offset and its events, in input order. */
export interface InputMessage {
  offset: string;
  events: readonly NormalizedEvent[];
  /**
   * The message's JSON as consumed, kept as is by the reorder buffer (it decodes to `events`);
   * when absent the events are encoded.
   */
  value?: Buffer | null;
}

/** Where a batch sits in its partition. */
export interface BatchPosition {
  /** The offset it was fetched from: no message between it and the first one was left out. */
  fetchedOffset: number;
  /** Its last offset (its last message's, valid or not, or a transaction marker's after it). */
  lastOffset: number;
}

/** What the consumer does after a batch. */
export type BatchOutcome =
  /** The batch is handled: resolve it (the committed offset moves past it). */
  | { kind: 'handled' }
  /** The reorder buffer must be rebuilt from `offset`: fetch the partition again from there. */
  | { kind: 'rewind'; offset: number };

const HANDLED: BatchOutcome = { kind: 'handled' };

/**
 * A reorder buffer being rebuilt after a restart or a rebalance, by reading the input again:
 * messages in [from, to) that Redis holds no copy of are absorbed once more, without events the
 * stored checkpoints applied; then an unfinished checkpoint is re-executed.
 */
interface Rebuild {
  from: number;
  /** The stored `next`: the rebuild is complete once the input was read up to here. */
  to: number;
  /** Messages from here on were absorbed by the unfinished checkpoint: all their events wait. */
  inFlightFrom: number;
  /** The other messages' events below this time were applied. */
  appliedBelow: number;
  /** Offset ranges of the entries loaded from Redis (spilled): not absorbed again. */
  spilled: Array<[number, number]>;
  /** Events the stored checkpoint buffered, to check the rebuild against (null = unknown). */
  size: number | null;
  /** The unfinished checkpoint's previous watermark, or null when the last one finished. */
  recover: number | null;
  /** Next offset to read again; null until a batch fetched at or before `from` arrived. */
  cursor: number | null;
  /** A rewind was asked for (once: a log that starts later lost what it held). */
  rewound: boolean;
}

/** What a consumer does with a batch before handing it to the core (see `DetectorCore.plan`). */
export type BatchPlan =
  /** Read it; messages below `absorbedBelow` were absorbed before and are read again only. */
  | { kind: 'read'; absorbedBelow: number | null }
  /** Fetch the partition again from `offset` instead. */
  | { kind: 'rewind'; offset: number };

/** A partition whose reorder buffer is to be rebuilt by reading its input from `offset`. */
export interface RebuildPoint {
  partition: number;
  offset: number;
}

/** The in-memory copy of one partition's durable checkpoint state. */
interface PartitionRuntime {
  readonly keys: PartitionKeys;
  seq: number;
  next: number | null;
  watermark: number;
  maxSeen: number;
  readonly buffer: ReorderBuffer;
  /** Null when no preview repository is given. */
  readonly preview: ProvisionalPreview | null;
  /** What this runtime last wrote to its accounts' preview hashes. */
  readonly written: WrittenPreviews;
  lastActivity: number;
  /** Non-null until the buffer is rebuilt from the input (after a load with `low` < `next`). */
  rebuild: Rebuild | null;
}

/** What the engine did to one window in a checkpoint: counts toward its attributions. */
interface WindowTally {
  accountId: string;
  insightId: string;
  provider: TrailProvider | null;
  counts: Map<string, number>;
  closed: boolean;
}

/** Status of a held partition, for gauges and logs. */
export interface PartitionStatus {
  partition: number;
  checkpoint: number;
  watermark: number;
  buffered: number;
  /** Messages the input would be read again over after a restart (next - low). */
  retained: number;
}

const MAX_CONFLICT_RETRIES = 3;

/** Bounds one checkpoint's work (and any account's dirty entries, see state-redis). */
export const MAX_RELEASED_PER_CHECKPOINT = 100_000;
const DUE_ACCOUNTS_LIMIT = 1_000_000;
/** Default {@link DetectorCoreOptions.spillAfterMs}: three times the default lateness. */
export const DEFAULT_SPILL_AFTER_MS = 30 * 60_000;
/** Entries spilled by one checkpoint at most (bounds the script's arguments). */
const MAX_SPILLED_PER_CHECKPOINT = 5_000;

/**
 * Buffers an entry read back (spilled to Redis, or read again from the input) without its events
 * the stored checkpoints applied (older than `appliedBelow`), and previews the others. Returns
 * how many it buffered.
 */
function restoreEntry(
  buffer: ReorderBuffer,
  preview: ProvisionalPreview | null,
  entry: { offset: number; events: readonly NormalizedEvent[] },
  bytes: Buffer | null,
  appliedBelow: number,
  source: EntrySource,
): number {
  const { events } = entry;
  const added = buffer.add(
    entry.offset,
    events,
    bytes,
    (index) => (events[index] as NormalizedEvent).time >= appliedBelow,
    source,
  );
  for (const { slot, event } of added) {
    preview?.add(slot, event);
  }
  return added.length;
}

/**
 * Groups consumed messages into buffer entries, in offset order: one per message with consumed
 * bytes, and one per run of messages without (one raw record each, DETECTOR_INPUT=raw), whose
 * events are positioned (first offset, running index), which keeps their input order. A run does
 * not cross `breakAt`.
 */
function toEntries(messages: readonly InputMessage[], breakAt: number): AbsorbedMessage[] {
  const entries: AbsorbedMessage[] = [];
  for (const message of messages) {
    const offset = offsetNumber(message.offset);
    let latest = Number.NEGATIVE_INFINITY;
    for (const event of message.events) {
      latest = Math.max(latest, event.time);
    }
    const value = message.value ?? null;
    const tail = entries.at(-1);
    if (
      value === null &&
      tail !== undefined &&
      tail.value === null &&
      tail.events.length + message.events.length <= MAX_EVENTS_PER_MESSAGE &&
      (tail.offset >= breakAt || offset < breakAt)
    ) {
      (tail.events as NormalizedEvent[]).push(...message.events);
      tail.last = offset;
      tail.latest = Math.max(tail.latest, latest);
    } else {
      entries.push({
        offset,
        last: offset,
        latest,
        events: value === null ? [...message.events] : message.events,
        value,
      });
    }
  }
  return entries;
}

function increment<K>(counts: Map<K, number>, key: K, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * The streaming detector (issue #4), framework-agnostic. Per partition, events are absorbed into
 * a reorder buffer and applied by numbered checkpoints in SPEC event-time order; each checkpoint
 * is recorded before it runs, with where the input must be read again from to rebuild the buffer,
 * so a crash at any instant is repaired by rebuilding the buffer from the input and re-executing
 * the unfinished checkpoint, and accounts that already carry it are skipped. See README.md
 * "Crash safety" for the argument.
 */
export class DetectorCore {
  private readonly runtimes = new Map<number, PartitionRuntime>();
  private readonly queues = new Map<number, Promise<unknown>>();
  private readonly cache: AccountCache;
  private readonly keys: DetectorKeys;
  private readonly engine: DetectionEngine;
  private readonly insightIds = new WeakMap<ObservationWindow, string>();
  private closedSink: ClosedWindow[] = [];

  private readonly accounts: AccountStore;
  private readonly log: PartitionLogRepository;
  private readonly attributions: AttributionRepository;
  private readonly publisher: InsightPublisher;
  private readonly previews: PreviewRepository | null;
  private readonly observer: DetectorObserver;
  private readonly logger: CoreLogger | undefined;

  constructor(
    private readonly options: DetectorCoreOptions,
    dependencies: DetectorCoreDependencies,
  ) {
    this.accounts = dependencies.accounts;
    this.log = dependencies.log;
    this.attributions = dependencies.attributions;
    this.publisher = dependencies.publisher;
    this.previews = dependencies.previews ?? null;
    this.observer = dependencies.observer ?? NOOP_OBSERVER;
    this.logger = dependencies.logger;
    this.cache = new AccountCache(options.stateCacheSize);
    this.keys = new DetectorKeys(options.keyPrefix);
    this.engine = new DetectionEngine(options.detection, {
      windowClosed: (closed) => this.closedSink.push(closed),
    });
  }

  /** Accounts held in memory (for gauges: open windows and usual IPs of held accounts). */
  heldAccounts(): Iterable<HeldAccount> {
    return this.cache.values();
  }

  partitions(): PartitionStatus[] {
    return [...this.runtimes].map(([partition, runtime]) => {
      const point = this.rebuildPoint(runtime);
      return {
        partition,
        checkpoint: runtime.seq,
        watermark: runtime.watermark,
        buffered: runtime.buffer.size,
        retained: runtime.next === null || point === null ? 0 : runtime.next - point,
      };
    });
  }

  /**
   * Absorbs and applies one batch of a partition (its valid messages, in offset order); resolves
   * once its effects are durable, with what the consumer does next. `position` defaults to the
   * messages' own first and last offsets.
   */
  handleBatch(
    partition: number,
    messages: readonly InputMessage[],
    position?: BatchPosition,
  ): Promise<BatchOutcome> {
    const first = messages[0];
    const last = messages.at(-1);
    const at: BatchPosition = position ?? {
      fetchedOffset: first === undefined ? 0 : offsetNumber(first.offset),
      lastOffset: last === undefined ? -1 : offsetNumber(last.offset),
    };
    return this.serialize(partition, () => this.runBatch(partition, messages, at));
  }

  /**
   * What to do with a batch fetched from `fetchedOffset`, before decoding it: fetch again from
   * the rebuild point, or read it knowing which messages were absorbed before (read again only to
   * rebuild the buffer, their invalid records were dead-lettered then).
   */
  plan(partition: number, fetchedOffset: number): Promise<BatchPlan> {
    return this.serialize(partition, async () => {
      const runtime = await this.runtimeOf(partition);
      const rewind =
        runtime.rebuild === null
          ? null
          : this.startRebuild(partition, runtime.rebuild, fetchedOffset);
      return rewind === null
        ? { kind: 'read', absorbedBelow: runtime.next }
        : { kind: 'rewind', offset: rewind };
    });
  }

  /**
   * Advances the watermark of idle partitions to wall-clock time minus the lateness, so verdicts
   * of quiet accounts still come on day 8 (no-op unless `idleAdvance`).
   */
  async advanceIdle(now = Date.now()): Promise<void> {
    if (!this.options.idleAdvance) {
      return;
    }
    const work: Array<Promise<void>> = [];
    for (const [partition, runtime] of this.runtimes) {
      if (now - runtime.lastActivity < this.options.idleAfterMs) {
        continue;
      }
      const watermark = now - this.options.allowedLatenessMs;
      if (watermark <= runtime.watermark) {
        continue;
      }
      work.push(this.serialize(partition, () => this.runIdle(partition, watermark)));
    }
    const results = await Promise.allSettled(work);
    for (const result of results) {
      if (result.status === 'rejected') {
        const reason: unknown = result.reason;
        this.logger?.warn({ err: reason }, 'idle watermark advance failed; will retry');
      }
    }
  }

  /**
   * Takes the partitions the group assigned to this instance: loads the state of new ones now, so
   * an idle partition's watermark still advances after a restart (its verdicts come on day 8 even
   * without new messages), and drops the state of partitions that moved to another instance.
   */
  async adopt(partitions: readonly number[], now = Date.now()): Promise<RebuildPoint[]> {
    const assigned = new Set(partitions);
    const work: Array<Promise<void>> = [];
    const points: RebuildPoint[] = [];
    for (const partition of [...this.runtimes.keys()]) {
      if (!assigned.has(partition)) {
        work.push(this.serialize(partition, () => Promise.resolve(this.forget(partition))));
      }
    }
    for (const partition of assigned) {
      if (!this.runtimes.has(partition)) {
        work.push(
          this.serialize(partition, async () => {
            const runtime = await this.runtimeOf(partition);
            runtime.lastActivity = now;
            if (runtime.rebuild !== null && runtime.rebuild.cursor === null) {
              points.push({ partition, offset: runtime.rebuild.from });
            }
          }),
        );
      }
    }
    const results = await Promise.allSettled(work);
    for (const result of results) {
      if (result.status === 'rejected') {
        const reason: unknown = result.reason;
        this.logger?.warn(
          { err: reason },
          'loading an assigned partition failed; loads on its first batch',
        );
      }
    }
    return points;
  }

  /** Waits for the work in hand on every partition (graceful shutdown). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
  }

  private serialize<T>(partition: number, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(partition) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.catch(() => undefined);
    this.queues.set(partition, settled);
    void settled.then(() => {
      if (this.queues.get(partition) === settled) {
        this.queues.delete(partition);
      }
    });
    return run;
  }

  /** Drops everything held for a partition: it is rebuilt from Redis on next use. */
  private forget(partition: number): void {
    this.runtimes.delete(partition);
    this.cache.dropPartition(partition);
  }

  private async runtimeOf(partition: number): Promise<PartitionRuntime> {
    const held = this.runtimes.get(partition);
    if (held !== undefined) {
      return held;
    }
    this.cache.dropPartition(partition);
    const keys = this.keys.partition(this.options.topic, partition);
    const stored = await this.log.load(keys);
    const buffer = new ReorderBuffer();
    const preview =
      this.previews === null ? null : new ProvisionalPreview(this.options.detection, buffer);
    for (const entry of stored.entries) {
      restoreEntry(buffer, preview, entry, entry.bytes, entry.appliedBelow, {
        last: entry.last,
        spilled: true,
      });
    }
    const { meta } = stored;
    const inFlight = meta.done !== meta.seq;
    const runtime: PartitionRuntime = {
      keys,
      seq: meta.seq,
      next: meta.next,
      watermark: meta.watermark,
      maxSeen: meta.maxSeen,
      buffer,
      preview,
      written: new WrittenPreviews(),
      lastActivity: Date.now(),
      rebuild: null,
    };
    if (meta.low !== null && meta.next !== null && meta.low < meta.next) {
      runtime.rebuild = {
        from: meta.low,
        to: meta.next,
        inFlightFrom: inFlight ? (meta.from ?? 0) : Number.POSITIVE_INFINITY,
        appliedBelow: inFlight ? meta.previousWatermark : meta.watermark,
        spilled: stored.entries
          .map((entry): [number, number] => [entry.offset, entry.last])
          .sort((a, b) => a[0] - b[0]),
        size: meta.size,
        recover: inFlight ? meta.previousWatermark : null,
        cursor: null,
        rewound: false,
      };
    } else if (inFlight) {
      this.logger?.info(
        { partition, checkpoint: meta.seq, buffered: buffer.size },
        're-executing the unfinished checkpoint',
      );
      await this.runCheckpoint(partition, runtime, meta.seq, meta.previousWatermark, 'recovery');
    }
    buffer.seal();
    this.runtimes.set(partition, runtime);
    this.logger?.info(
      {
        partition,
        checkpoint: meta.seq,
        next: meta.next,
        buffered: buffer.size,
        rebuildFrom: runtime.rebuild?.from ?? null,
      },
      runtime.rebuild === null
        ? 'partition state loaded'
        : 'partition state loaded; rebuilding its reorder buffer from the input',
    );
    return runtime;
  }

  /** Where the input would be read again from after a restart (null: nowhere). */
  private rebuildPoint(runtime: PartitionRuntime): number | null {
    return runtime.rebuild === null ? runtime.buffer.retainedFrom() : runtime.rebuild.from;
  }

  /**
   * Checks where a batch of a rebuilding partition was fetched from; returns the offset to fetch
   * again from when it starts after the next one to read (a consumer that resumed at its
   * committed offset), or null to read it.
   */
  private startRebuild(partition: number, rebuild: Rebuild, fetchedOffset: number): number | null {
    const expected = rebuild.cursor ?? rebuild.from;
    if (fetchedOffset > expected) {
      if (!rebuild.rewound) {
        rebuild.rewound = true;
        this.logger?.info(
          { partition, from: expected, fetched: fetchedOffset },
          'reading the input again from the oldest buffered message',
        );
        return expected;
      }
      // Fetched again from there, and the log starts later: retention deleted what it held
      // (and messages never absorbed too, when it starts after `to`).
      this.logger?.error(
        { partition, from: expected, to: rebuild.to, fetched: fetchedOffset },
        'the input no longer holds buffered messages (retention); their events are lost',
      );
    }
    rebuild.cursor = expected;
    return null;
  }

  /**
   * Absorbs a batch read again to rebuild the buffer: the messages in [from, to) not spilled and
   * not read again yet.
   * Returns what the consumer does when the batch holds nothing more, or null to go on with its
   * fresh messages.
   */
  private async rebuildFrom(
    partition: number,
    runtime: PartitionRuntime,
    rebuild: Rebuild,
    messages: readonly InputMessage[],
    position: BatchPosition,
  ): Promise<BatchOutcome | null> {
    const rewind = this.startRebuild(partition, rebuild, position.fetchedOffset);
    if (rewind !== null) {
      return { kind: 'rewind', offset: rewind };
    }
    const cursor = rebuild.cursor ?? rebuild.from;
    let spilledAt = 0;
    const again = messages.filter((message) => {
      const offset = offsetNumber(message.offset);
      if (offset < cursor || offset >= rebuild.to) {
        return false;
      }
      while (
        spilledAt < rebuild.spilled.length &&
        (rebuild.spilled[spilledAt]?.[1] ?? 0) < offset
      ) {
        spilledAt += 1;
      }
      const range = rebuild.spilled[spilledAt];
      return range === undefined || offset < range[0];
    });
    rebuild.cursor = Math.max(cursor, position.lastOffset + 1);
    const now = Date.now();
    let count = 0;
    for (const entry of toEntries(again, rebuild.inFlightFrom)) {
      const appliedBelow =
        entry.offset >= rebuild.inFlightFrom ? Number.NEGATIVE_INFINITY : rebuild.appliedBelow;
      count += restoreEntry(runtime.buffer, runtime.preview, entry, entry.value, appliedBelow, {
        last: entry.last,
        absorbedAt: now,
      });
    }
    this.observer.rebuilt(count);
    if (position.lastOffset < rebuild.to - 1) {
      runtime.buffer.seal();
      return HANDLED;
    }
    runtime.rebuild = null;
    const { size } = runtime.buffer;
    if (rebuild.size !== null && size !== rebuild.size) {
      this.observer.rebuildMismatch(rebuild.size - size);
      this.logger?.error(
        { partition, expected: rebuild.size, rebuilt: size },
        'the rebuilt reorder buffer does not hold the events the checkpoint recorded',
      );
    }
    this.logger?.info(
      { partition, checkpoint: runtime.seq, buffered: size },
      'reorder buffer rebuilt from the input',
    );
    if (rebuild.recover !== null) {
      this.logger?.info(
        { partition, checkpoint: runtime.seq, buffered: size },
        're-executing the unfinished checkpoint',
      );
      await this.runCheckpoint(partition, runtime, runtime.seq, rebuild.recover, 'recovery');
    }
    runtime.buffer.seal();
    return null;
  }

  private async runBatch(
    partition: number,
    messages: readonly InputMessage[],
    position: BatchPosition,
  ): Promise<BatchOutcome> {
    try {
      for (let attempt = 0; ; attempt += 1) {
        const runtime = await this.runtimeOf(partition);
        runtime.lastActivity = Date.now();
        if (runtime.rebuild !== null) {
          const outcome = await this.rebuildFrom(
            partition,
            runtime,
            runtime.rebuild,
            messages,
            position,
          );
          if (outcome !== null) {
            return outcome;
          }
        }
        let redelivered = 0;
        const freshMessages: InputMessage[] = [];
        for (const message of messages) {
          if (runtime.next !== null && offsetNumber(message.offset) < runtime.next) {
            redelivered += message.events.length;
          } else if (message.events.length > 0) {
            freshMessages.push(message);
          }
        }
        this.observer.redelivered(redelivered);
        if (freshMessages.length === 0) {
          return HANDLED;
        }
        const absorbed = toEntries(freshMessages, Number.POSITIVE_INFINITY);
        let fresh = 0;
        let maxSeen = runtime.maxSeen;
        for (const entry of absorbed) {
          fresh += entry.events.length;
          maxSeen = Math.max(maxSeen, entry.latest);
        }
        const lastOffset = (absorbed.at(-1) as AbsorbedMessage).last;
        const { buffer } = runtime;
        const now = Date.now();
        // Only entries absorbed by finished checkpoints are buffered here (the batch's come after
        // `begin`), so a checkpoint before the first has none to spill.
        const spilled = buffer.spill(
          now - (this.options.spillAfterMs ?? DEFAULT_SPILL_AFTER_MS),
          MAX_SPILLED_PER_CHECKPOINT,
        );
        if (spilled.length > 0) {
          this.observer.spilled(spilled.length);
        }
        const previousWatermark = runtime.watermark;
        const watermark = Math.max(previousWatermark, maxSeen - this.options.allowedLatenessMs);
        const seq = runtime.seq + 1;
        const from = (absorbed[0] as AbsorbedMessage).offset;
        const started = await this.log.begin(runtime.keys, {
          expectedSeq: runtime.seq,
          seq,
          next: lastOffset + 1,
          watermark,
          previousWatermark,
          maxSeen,
          from,
          low: buffer.retainedFrom() ?? from,
          size: buffer.size + fresh,
          spilled,
        });
        if (!started) {
          this.observer.conflict();
          this.logger?.warn({ partition, checkpoint: seq }, 'checkpoint conflict; reloading');
          this.forget(partition);
          if (attempt + 1 >= MAX_CONFLICT_RETRIES) {
            throw new DetectorException(
              DetectorErrorCode.CheckpointConflict,
              `partition ${partition}: another writer keeps starting checkpoints`,
            );
          }
          continue;
        }
        let late = 0;
        for (const entry of absorbed) {
          for (const { slot, event } of buffer.add(
            entry.offset,
            entry.events,
            entry.value,
            undefined,
            { last: entry.last, absorbedAt: now },
          )) {
            runtime.preview?.add(slot, event);
            if (event.time < previousWatermark) {
              late += 1;
            }
          }
        }
        runtime.seq = seq;
        runtime.next = lastOffset + 1;
        runtime.maxSeen = maxSeen;
        runtime.watermark = watermark;
        this.observer.absorbed(fresh, late);
        await this.runCheckpoint(partition, runtime, seq, previousWatermark, 'batch');
        await this.catchUp(partition, runtime, watermark, 'batch');
        buffer.seal();
        return HANDLED;
      }
    } catch (error) {
      this.forget(partition);
      throw DetectorException.wrap(error, `partition ${partition} batch`);
    }
  }

  private async runIdle(partition: number, watermark: number): Promise<void> {
    const runtime = this.runtimes.get(partition);
    if (runtime === undefined || runtime.rebuild !== null || watermark <= runtime.watermark) {
      return;
    }
    try {
      const top = runtime.buffer.peekTime();
      const releasable = top !== undefined && top < watermark;
      if (!releasable) {
        const due = await this.accounts.dueAccounts(this.options.topic, partition, watermark, 1);
        if (due.length === 0) {
          return;
        }
      }
      const previousWatermark = runtime.watermark;
      const seq = runtime.seq + 1;
      const started = await this.log.begin(runtime.keys, {
        expectedSeq: runtime.seq,
        seq,
        next: null,
        watermark,
        previousWatermark,
        maxSeen: runtime.maxSeen,
        ...this.unchangedInput(runtime),
      });
      if (!started) {
        // Someone else owns the partition now: stop advancing it until a batch arrives.
        this.observer.conflict();
        this.forget(partition);
        return;
      }
      runtime.seq = seq;
      runtime.watermark = watermark;
      await this.runCheckpoint(partition, runtime, seq, previousWatermark, 'idle');
      await this.catchUp(partition, runtime, watermark, 'idle');
    } catch (error) {
      this.forget(partition);
      throw DetectorException.wrap(error, `partition ${partition} idle advance`);
    }
  }

  /**
   * After a checkpoint that released only part of what its watermark allowed (the per-checkpoint
   * cap), runs further checkpoints without new events until the buffer is drained up to `target`.
   */
  private async catchUp(
    partition: number,
    runtime: PartitionRuntime,
    target: number,
    kind: CheckpointKind,
  ): Promise<void> {
    for (;;) {
      const top = runtime.buffer.peekTime();
      if (runtime.watermark >= target || top === undefined || top >= target) {
        return;
      }
      const previousWatermark = runtime.watermark;
      const seq = runtime.seq + 1;
      const started = await this.log.begin(runtime.keys, {
        expectedSeq: runtime.seq,
        seq,
        next: null,
        watermark: target,
        previousWatermark,
        maxSeen: runtime.maxSeen,
        ...this.unchangedInput(runtime),
      });
      if (!started) {
        throw new DetectorException(
          DetectorErrorCode.CheckpointConflict,
          `partition ${partition}: another writer started checkpoint ${seq}`,
        );
      }
      runtime.seq = seq;
      runtime.watermark = target;
      await this.runCheckpoint(partition, runtime, seq, previousWatermark, kind);
    }
  }

  /** The input fields of a checkpoint that absorbs nothing. */
  private unchangedInput(
    runtime: PartitionRuntime,
  ): Pick<BeginCheckpoint, 'from' | 'low' | 'size' | 'spilled'> {
    return {
      from: runtime.next,
      low: runtime.buffer.retainedFrom(),
      size: runtime.buffer.size,
      spilled: [],
    };
  }

  private async acquire(
    partition: number,
    accountIds: Iterable<string>,
  ): Promise<Map<string, HeldAccount>> {
    const held = new Map<string, HeldAccount>();
    const missing: string[] = [];
    for (const accountId of accountIds) {
      if (held.has(accountId)) {
        continue;
      }
      const cached = this.cache.get(accountId);
      if (cached !== undefined && cached.partition === partition) {
        held.set(accountId, cached);
      } else {
        missing.push(accountId);
      }
    }
    const loaded = await Promise.all(missing.map((id) => this.accounts.loadAccount(id)));
    const home = `${this.options.topic}:${partition}`;
    const moved: string[] = [];
    loaded.forEach((stored, index) => {
      const accountId = missing[index];
      if (accountId === undefined) {
        throw new Error(`loaded ${loaded.length} accounts for ${missing.length} ids`);
      }
      if (stored.home !== null && stored.home !== home) {
        moved.push(accountId);
      }
      const entry: HeldAccount = {
        state: stored.state,
        partition,
        checkpoint: storedCheckpoint(stored, this.options.topic, partition),
      };
      this.cache.set(accountId, entry);
      held.set(accountId, entry);
    });
    if (moved.length > 0) {
      // Exactness needs every event of an account on one partition (SPEC §3 counts per account).
      this.observer.accountsMoved(moved.length);
      this.logger?.warn(
        { partition, input: home, accounts: moved.slice(0, 10), count: moved.length },
        'accounts were last written from another input partition: is the input keyed by account id?',
      );
    }
    return held;
  }

  private insightIdOf(accountId: string, region: string, window: ObservationWindow): string {
    let id = this.insightIds.get(window);
    if (id === undefined) {
      id = insightIdOf(accountId, region, window.ip, window.start);
      this.insightIds.set(window, id);
    }
    return id;
  }

  /**
   * Runs checkpoint `seq` over the runtime's buffer: events older than `previousWatermark` were
   * late on arrival and are applied with `applyLate` in input order (offset, index); the others
   * older than the checkpoint's watermark are applied in (time, offset, index) order; then every
   * account whose verdict is due at the watermark is advanced. Deterministic in the stored state, so re-executing it
   * after a crash gives the same result; accounts already carrying `seq` are left alone.
   */
  private async runCheckpoint(
    partition: number,
    runtime: PartitionRuntime,
    seq: number,
    previousWatermark: number,
    kind: CheckpointKind,
  ): Promise<void> {
    const started = performance.now();
    const { topic } = this.options;
    const { released, watermark } = this.release(runtime);
    const { preview } = runtime;
    for (const { slot, event } of released) {
      preview?.remove(slot, event);
    }
    const previewed = preview === null ? [] : preview.takeChanged();
    const late: BufferedEvent[] = [];
    const inOrder: BufferedEvent[] = [];
    for (const item of released) {
      (item.event.time < previousWatermark ? late : inOrder).push(item);
    }
    late.sort(compareInputOrder);
    const byAccount = new Map<string, { late: NormalizedEvent[]; inOrder: NormalizedEvent[] }>();
    const groupOf = (
      accountId: string,
    ): { late: NormalizedEvent[]; inOrder: NormalizedEvent[] } => {
      let group = byAccount.get(accountId);
      if (group === undefined) {
        group = { late: [], inOrder: [] };
        byAccount.set(accountId, group);
      }
      return group;
    };
    for (const { event } of late) {
      groupOf(event.accountId).late.push(event);
    }
    for (const { event } of inOrder) {
      groupOf(event.accountId).inOrder.push(event);
    }

    const touched = new Map<string, { held: HeldAccount; changes: StateChanges }>();
    try {
      const due =
        watermark === Number.NEGATIVE_INFINITY
          ? []
          : await this.accounts.dueAccounts(topic, partition, watermark, DUE_ACCOUNTS_LIMIT);
      const held = await this.acquire(partition, [...byAccount.keys(), ...due, ...previewed]);

      // Synchronous: the engine's listener writes to closedSink.
      this.closedSink = [];
      const outcomes = new Map<EventOutcome, number>();
      const tallies = new Map<string, WindowTally>();
      for (const [accountId, group] of byAccount) {
        const account = held.get(accountId) as HeldAccount;
        if (account.checkpoint >= seq) {
          continue;
        }
        const changes = new StateChanges();
        touched.set(accountId, { held: account, changes });
        for (const event of group.late) {
          this.applyOne(account, event, true, changes, outcomes, tallies);
        }
        for (const event of group.inOrder) {
          this.applyOne(account, event, false, changes, outcomes, tallies);
        }
      }
      const spurious: HeldAccount[] = [];
      for (const accountId of new Set([...due, ...touched.keys()])) {
        const account = held.get(accountId) as HeldAccount;
        if (account.checkpoint >= seq) {
          continue;
        }
        if (account.state.nextVerdict <= watermark) {
          let entry = touched.get(accountId);
          if (entry === undefined) {
            entry = { held: account, changes: new StateChanges() };
            touched.set(accountId, entry);
          }
          this.engine.advance(account.state, watermark, entry.changes);
        } else if (!touched.has(accountId)) {
          spurious.push(account);
        }
      }
      const closed = this.closedSink;
      this.closedSink = [];

      const verdicts = new Map<WindowVerdict, number>();
      for (const window of closed) {
        increment(verdicts, window.verdict);
        if (window.window.heterogeneity <= 0) {
          continue;
        }
        const insightId = this.insightIdOf(window.accountId, window.region, window.window);
        const tally = tallies.get(insightId);
        if (tally === undefined) {
          tallies.set(insightId, {
            accountId: window.accountId,
            insightId,
            provider: null,
            counts: new Map(),
            closed: true,
          });
        } else {
          tally.closed = true;
        }
      }
      const writes: AttributionWrite[] = [...tallies.values()].map((tally) => ({
        key: this.keys.attributions(tally.accountId, tally.insightId),
        provider: tally.provider,
        counts: tally.counts,
        closed: tally.closed,
      }));
      await this.attributions.add(seq, writes);

      const insights = closed.filter(
        (window) =>
          window.verdict === WindowVerdict.Insight ||
          (window.window.heterogeneity > 0 &&
            (window.verdict === WindowVerdict.BecameUsual ||
              window.verdict === WindowVerdict.BaselineNotMet)),
      );
      const attributions = await this.attributions.read(
        insights.map((window) =>
          this.keys.attributions(
            window.accountId,
            this.insightIdOf(window.accountId, window.region, window.window),
          ),
        ),
      );
      const messages: PublishedInsight[] = insights.map((window, index) => {
        const attribution = attributions[index];
        if (attribution === undefined) {
          throw new Error(
            `read ${attributions.length} attributions for ${insights.length} insights`,
          );
        }
        return {
          key: window.accountId,
          message: {
            insight: toIpInsight(window),
            provider: attribution.provider ?? 'actiontrail',
            attributions: attribution.attributions,
            state: window.verdict === WindowVerdict.Insight ? 'confirmed' : 'dismissed',
          },
        };
      });
      if (messages.length > 0) {
        await this.publisher.publish(messages);
      }

      const persistStarted = performance.now();
      const position = { topic, partition, offset: String(seq) };
      await Promise.all(
        [...touched.values()].map(async ({ held: account, changes }) => {
          const outcome = await this.accounts.persist(account.state, changes, position);
          if (outcome === PersistOutcome.AlreadyApplied) {
            // A stale owner wrote the same checkpoint (deterministic: same content).
            this.cache.delete(account.state.accountId);
          }
          account.checkpoint = seq;
        }),
      );
      await Promise.all(
        spurious.map((account) => this.accounts.syncVerdictIndex(account.state, topic, partition)),
      );
      this.observer.persisted((performance.now() - persistStarted) / 1000);

      const finished = await this.log.finish(runtime.keys, {
        seq,
        watermark,
        low: runtime.buffer.retainedFrom(),
        size: runtime.buffer.size,
      });
      if (!finished) {
        throw new DetectorException(
          DetectorErrorCode.CheckpointConflict,
          `partition ${partition}: checkpoint ${seq} was superseded`,
        );
      }
      if (this.previews !== null && preview !== null) {
        const accounts = new Set(previewed);
        for (const accountId of touched.keys()) {
          if (preview.has(accountId)) {
            accounts.add(accountId);
          }
        }
        const now = Date.now();
        await this.previews.write(
          new Map(
            [...accounts].map((accountId) => [
              accountId,
              preview.refresh((held.get(accountId) as HeldAccount).state, now),
            ]),
          ),
          runtime.written,
          now,
        );
      }
      this.observer.outcomes(outcomes);
      this.observer.verdicts(verdicts);
      this.observer.checkpoint(kind, (performance.now() - started) / 1000);
    } catch (error) {
      for (const accountId of touched.keys()) {
        this.cache.delete(accountId);
      }
      throw error;
    } finally {
      this.closedSink = [];
      this.cache.trim(new Set());
    }
  }

  /** Applies one event and counts it toward the attributions of the window it joined. */
  private applyOne(
    account: HeldAccount,
    event: NormalizedEvent,
    late: boolean,
    changes: StateChanges,
    outcomes: Map<EventOutcome, number>,
    tallies: Map<string, WindowTally>,
  ): void {
    const { state } = account;
    const before =
      event.sourceIp === null
        ? undefined
        : state.regions.get(event.region)?.windows.get(event.sourceIp);
    const countBefore = before?.eventCount ?? 0;
    const outcome = late
      ? this.engine.applyLate(state, event, changes)
      : this.engine.apply(state, event, changes);
    increment(outcomes, outcome);
    if (outcome === EventOutcome.WindowOpened) {
      const opened = state.regions.get(event.region)?.windows.get(event.sourceIp as string);
      if (opened !== undefined) {
        this.tally(tallies, state.accountId, event, opened, true);
      }
    } else if (
      outcome !== EventOutcome.BecameUsual &&
      before !== undefined &&
      before.eventCount > countBefore
    ) {
      this.tally(tallies, state.accountId, event, before, false);
    }
  }

  /**
   * Takes the events the checkpoint applies. At most {@link MAX_RELEASED_PER_CHECKPOINT}: beyond
   * that the checkpoint's watermark is lowered to the time of the first event left (a function of
   * the buffer alone, so a re-execution lowers it identically), and later checkpoints go on.
   */
  private release(runtime: PartitionRuntime): {
    released: ReleasedEvent[];
    watermark: number;
  } {
    const target = runtime.watermark;
    const { buffer } = runtime;
    const popped = buffer.popBelow(
      target,
      this.options.maxReleasedPerCheckpoint ?? MAX_RELEASED_PER_CHECKPOINT,
    );
    const next = buffer.peekTime();
    if (next === undefined || next >= target) {
      return { released: buffer.take(popped), watermark: target };
    }
    const cap = next;
    let kept = popped.length;
    while (kept > 0 && buffer.timeOf(popped[kept - 1] as number) >= cap) {
      kept -= 1;
    }
    if (kept === 0) {
      // More than the cap share one time: release that whole instant.
      for (const slot of buffer.popBelow(cap + 1)) {
        popped.push(slot);
      }
      runtime.watermark = Math.min(target, cap + 1);
      return { released: buffer.take(popped), watermark: runtime.watermark };
    }
    for (const slot of popped.slice(kept)) {
      buffer.unpop(slot);
    }
    runtime.watermark = cap;
    return { released: buffer.take(popped.slice(0, kept)), watermark: cap };
  }

  private tally(
    tallies: Map<string, WindowTally>,
    accountId: string,
    event: NormalizedEvent,
    window: ObservationWindow,
    opened: boolean,
  ): void {
    if (window.heterogeneity <= 0) {
      return;
    }
    const insightId = this.insightIdOf(accountId, event.region, window);
    let tally = tallies.get(insightId);
    if (tally === undefined) {
      tally = { accountId, insightId, provider: null, counts: new Map(), closed: false };
      tallies.set(insightId, tally);
    }
    if (opened) {
      tally.provider = event.provider;
    }
    const attributes: Array<[string, string | null]> = [
      ['userAgent', event.userAgent],
      ['principalId', event.principalId],
      ['apiRelated', event.eventName],
      ['errorCode', event.errorCode],
    ];
    for (const [attribute, value] of attributes) {
      if (value !== null) {
        increment(tally.counts, attributionField(attribute, value));
      }
    }
  }
}
