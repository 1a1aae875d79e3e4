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
import type { ReleasedEvent } from './reorder-buffer';
import type { AbsorbedMessage } from './partition-log.repository';
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
   * The message's JSON as consumed, stored as is in the durable buffer (it decodes to `events`);
   * when absent the events are encoded.
   */
  value?: Buffer | null;
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
}

const MAX_CONFLICT_RETRIES = 3;

/** Bounds one checkpoint's work (and any account's dirty entries, see state-redis). */
export const MAX_RELEASED_PER_CHECKPOINT = 100_000;
const DUE_ACCOUNTS_LIMIT = 1_000_000;

/** Whether a message of `count` events without consumed bytes may join buffer entry `tail`. */
function canCoalesce(tail: AbsorbedMessage, count: number): boolean {
  return tail.value === null && tail.events.length + count <= MAX_EVENTS_PER_MESSAGE;
}

function increment<K>(counts: Map<K, number>, key: K, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/**
 * The streaming detector (issue #4), framework-agnostic. Per partition, events are absorbed into
 * a durable reorder buffer and applied by numbered checkpoints in SPEC event-time order; each
 * checkpoint is recorded before it runs, so a crash at any instant is repaired by re-executing
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
    return [...this.runtimes].map(([partition, runtime]) => ({
      partition,
      checkpoint: runtime.seq,
      watermark: runtime.watermark,
      buffered: runtime.buffer.size,
    }));
  }

  /** Absorbs and applies one batch of a partition; resolves once its effects are durable. */
  handleBatch(partition: number, messages: readonly InputMessage[]): Promise<void> {
    return this.serialize(partition, () => this.runBatch(partition, messages));
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
  async adopt(partitions: readonly number[], now = Date.now()): Promise<void> {
    const assigned = new Set(partitions);
    const work: Array<Promise<void>> = [];
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
      const { events, appliedBelow } = entry;
      const added = buffer.add(
        entry.offset,
        events,
        entry.bytes,
        (index) => (events[index] as NormalizedEvent).time >= appliedBelow,
      );
      for (const { slot, event } of added) {
        preview?.add(slot, event);
      }
    }
    const { meta } = stored;
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
    };
    if (meta.done !== meta.seq) {
      this.logger?.info(
        { partition, checkpoint: meta.seq, buffered: buffer.size },
        're-executing the unfinished checkpoint',
      );
      await this.runCheckpoint(partition, runtime, meta.seq, meta.previousWatermark, 'recovery');
    }
    buffer.seal();
    this.runtimes.set(partition, runtime);
    this.logger?.info(
      { partition, checkpoint: meta.seq, next: meta.next, buffered: buffer.size },
      'partition state loaded',
    );
    return runtime;
  }

  private async runBatch(partition: number, messages: readonly InputMessage[]): Promise<void> {
    try {
      for (let attempt = 0; ; attempt += 1) {
        const runtime = await this.runtimeOf(partition);
        runtime.lastActivity = Date.now();
        const absorbed: AbsorbedMessage[] = [];
        let fresh = 0;
        let redelivered = 0;
        let maxSeen = runtime.maxSeen;
        let lastOffset = -1;
        for (const message of messages) {
          const offset = offsetNumber(message.offset);
          if (runtime.next !== null && offset < runtime.next) {
            redelivered += message.events.length;
            continue;
          }
          if (message.events.length === 0) {
            continue;
          }
          let latest = Number.NEGATIVE_INFINITY;
          const value = message.value ?? null;
          const tail = absorbed.at(-1);
          if (value === null && tail !== undefined && canCoalesce(tail, message.events.length)) {
            // One buffer entry for a run of messages without consumed bytes (one raw record
            // each, DETECTOR_INPUT=raw): positions (first offset, running index) keep input order.
            const events = tail.events as NormalizedEvent[];
            for (const event of message.events) {
              events.push(event);
              latest = Math.max(latest, event.time);
            }
            tail.latest = Math.max(tail.latest, latest);
          } else {
            for (const event of message.events) {
              latest = Math.max(latest, event.time);
            }
            absorbed.push({
              offset,
              latest,
              events: value === null ? [...message.events] : message.events,
              value,
            });
          }
          fresh += message.events.length;
          maxSeen = Math.max(maxSeen, latest);
          lastOffset = Math.max(lastOffset, offset);
        }
        this.observer.redelivered(redelivered);
        if (fresh === 0) {
          return;
        }
        for (const entry of absorbed) {
          // Encoded once: the durable buffer stores these bytes and the reorder buffer keeps them.
          entry.value ??= Buffer.from(JSON.stringify(entry.events));
        }
        const previousWatermark = runtime.watermark;
        const watermark = Math.max(previousWatermark, maxSeen - this.options.allowedLatenessMs);
        const seq = runtime.seq + 1;
        const started = await this.log.begin(runtime.keys, {
          expectedSeq: runtime.seq,
          seq,
          next: lastOffset + 1,
          watermark,
          previousWatermark,
          maxSeen,
          messages: absorbed,
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
          for (const { slot, event } of runtime.buffer.add(
            entry.offset,
            entry.events,
            entry.value,
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
        runtime.buffer.seal();
        return;
      }
    } catch (error) {
      this.forget(partition);
      throw DetectorException.wrap(error, `partition ${partition} batch`);
    }
  }

  private async runIdle(partition: number, watermark: number): Promise<void> {
    const runtime = this.runtimes.get(partition);
    if (runtime === undefined || watermark <= runtime.watermark) {
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
        messages: [],
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
        messages: [],
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

      if (!(await this.log.finish(runtime.keys, seq, watermark))) {
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
