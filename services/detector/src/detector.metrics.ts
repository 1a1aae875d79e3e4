import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

import { SERVICE_INFO } from '@trail-insight/observability';

import type { EventOutcome, WindowVerdict } from '@trail-insight/detection';
import type { ServiceInfo } from '@trail-insight/observability';

import type { CheckpointKind, DetectorObserver } from './core/detector-ports';
import type { PartitionStatus } from './core/detector-core';

/** What the gauges read at scrape time. */
export interface DetectorGaugeSource {
  partitions(): PartitionStatus[];
  heldWindowsAndUsualIps(): { windows: number; usual: number };
  /** DETECTOR_ALLOWED_LATENESS_MS, exported once at attach. */
  allowedLatenessMs: number;
}

/** Metrics of the detector (message-level ones come from @trail-insight/kafka). */
@Injectable()
export class DetectorMetrics implements DetectorObserver {
  /** Panels: new events absorbed into the reorder buffers. */
  readonly eventsIn: Counter;
  /** Alert `DetectorLateEvents`: events older than the watermark on arrival (SPEC §3.7). */
  readonly lateEvents: Counter;
  /** Panels: redelivered messages skipped (already absorbed); a burst follows each restart. */
  readonly redeliveredEvents: Counter;
  /** Panels: what each applied event did (EventOutcome). */
  readonly eventOutcomes: Counter<'outcome'>;
  /** Panels: how windows ended (WindowVerdict); `insight` = messages to ip-insights. */
  readonly windowVerdicts: Counter<'verdict'>;
  /** Alert `DetectorCheckpointSlow`: duration of one checkpoint (apply, produce, persist). */
  readonly checkpointDuration: Histogram<'kind'>;
  /** Alert `DetectorCheckpointSlow`: Redis persist time of a checkpoint's accounts. */
  readonly persistDuration: Histogram;
  /** Alert `DetectorOwnershipFlapping`: checkpoints refused because another writer moved on. */
  readonly conflicts: Counter;
  /** Alert `DetectorAccountOnTwoPartitions`: an account's events arrive on several partitions. */
  readonly movedAccounts: Counter;
  /** Alert `DetectorWatermarkStalled`: event-time watermark per held partition (epoch s). */
  readonly watermark: Gauge<string>;
  /** Alert `DetectorBufferLarge`: events waiting in the reorder buffer per held partition. */
  readonly bufferedEvents: Gauge<string>;
  /** Alert `DetectorBufferLarge`: the configured lateness, the buffer's expected span (seconds). */
  readonly allowedLateness: Gauge;
  /** Panels: open observation windows of the accounts held in memory. */
  readonly openWindows: Gauge;
  /** Panels: usual IPs of the accounts held in memory. */
  readonly usualIps: Gauge;
  /** Panels: events absorbed again from the input to rebuild a reorder buffer (after a restart). */
  readonly rebuiltEvents: Counter;
  /** Alert `DetectorBufferEventsLost`: events a rebuilt reorder buffer lacks (input retention). */
  readonly rebuildMissing: Counter;
  /** Panels: buffer entries held longer than DETECTOR_SPILL_AFTER_MS, copied to Redis. */
  readonly spilledEntries: Counter;
  /** Panels: messages a restart reads again per held partition (the committed offset's distance). */
  readonly retainedMessages: Gauge<string>;

  private source: DetectorGaugeSource | null = null;

  constructor(registry: Registry, @Inject(SERVICE_INFO) info: ServiceInfo) {
    const prefix = info.metricsPrefix;
    const registers = [registry];
    this.eventsIn = new Counter({
      name: `${prefix}events_in_total`,
      help: 'New normalized events absorbed into the reorder buffers',
      registers,
    });
    this.lateEvents = new Counter({
      name: `${prefix}late_events_total`,
      help: 'Events older than the watermark on arrival, applied late (SPEC 3.7); alert DetectorLateEvents',
      registers,
    });
    this.redeliveredEvents = new Counter({
      name: `${prefix}redelivered_events_total`,
      help: 'Redelivered messages skipped because their offset was already absorbed',
      registers,
    });
    this.eventOutcomes = new Counter({
      name: `${prefix}event_outcomes_total`,
      help: 'Applied events by what they did to the state (EventOutcome)',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.windowVerdicts = new Counter({
      name: `${prefix}verdicts_total`,
      help: 'Closed observation windows by verdict (WindowVerdict); insight = ip-insights messages',
      labelNames: ['verdict'] as const,
      registers,
    });
    this.checkpointDuration = new Histogram({
      name: `${prefix}checkpoint_duration_seconds`,
      help: 'Duration of one checkpoint (apply, attributions, produce, persist); alert DetectorCheckpointSlow',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.persistDuration = new Histogram({
      name: `${prefix}persist_duration_seconds`,
      help: 'Redis persist time of the accounts of one checkpoint; alert DetectorCheckpointSlow',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.conflicts = new Counter({
      name: `${prefix}checkpoint_conflicts_total`,
      help: 'Checkpoints refused because another writer advanced the partition; alert DetectorOwnershipFlapping',
      registers,
    });
    this.movedAccounts = new Counter({
      name: `${prefix}accounts_moved_total`,
      help: 'Accounts loaded whose state was last written from another input partition; alert DetectorAccountOnTwoPartitions',
      registers,
    });
    const watermark: Gauge<string> = new Gauge({
      name: `${prefix}watermark_seconds`,
      help: 'Event-time watermark per held partition, epoch seconds; alert DetectorWatermarkStalled',
      labelNames: ['partition'] as const,
      registers,
      collect: () => {
        watermark.reset();
        for (const status of this.source?.partitions() ?? []) {
          if (Number.isFinite(status.watermark)) {
            watermark.set({ partition: String(status.partition) }, status.watermark / 1000);
          }
        }
      },
    });
    const bufferedEvents: Gauge<string> = new Gauge({
      name: `${prefix}buffered_events`,
      help: 'Events waiting in the reorder buffer per held partition; alert DetectorBufferLarge',
      labelNames: ['partition'] as const,
      registers,
      collect: () => {
        bufferedEvents.reset();
        for (const status of this.source?.partitions() ?? []) {
          bufferedEvents.set({ partition: String(status.partition) }, status.buffered);
        }
      },
    });
    this.allowedLateness = new Gauge({
      name: `${prefix}allowed_lateness_seconds`,
      help: 'DETECTOR_ALLOWED_LATENESS_MS in seconds: a partition buffers about its event rate times this; alert DetectorBufferLarge',
      registers,
    });
    const openWindows: Gauge<string> = new Gauge({
      name: `${prefix}open_windows`,
      help: 'Open observation windows of the accounts held in memory',
      registers,
      collect: () => {
        openWindows.set(this.source?.heldWindowsAndUsualIps().windows ?? 0);
      },
    });
    const usualIps: Gauge<string> = new Gauge({
      name: `${prefix}usual_ips`,
      help: 'Usual IPs of the accounts held in memory',
      registers,
      collect: () => {
        usualIps.set(this.source?.heldWindowsAndUsualIps().usual ?? 0);
      },
    });
    this.rebuiltEvents = new Counter({
      name: `${prefix}rebuilt_events_total`,
      help: 'Events absorbed again from the input to rebuild a reorder buffer after a restart or rebalance',
      registers,
    });
    this.rebuildMissing = new Counter({
      name: `${prefix}rebuild_missing_events_total`,
      help: 'Events a rebuilt reorder buffer lacks against its checkpoint (the input retention deleted them); alert DetectorBufferEventsLost',
      registers,
    });
    this.spilledEntries = new Counter({
      name: `${prefix}spilled_entries_total`,
      help: 'Reorder buffer entries held longer than DETECTOR_SPILL_AFTER_MS, copied to Redis',
      registers,
    });
    const retainedMessages: Gauge<string> = new Gauge({
      name: `${prefix}retained_messages`,
      help: 'Messages between the committed offset and the next one to absorb per held partition: what a restart reads again',
      labelNames: ['partition'] as const,
      registers,
      collect: () => {
        retainedMessages.reset();
        for (const status of this.source?.partitions() ?? []) {
          retainedMessages.set({ partition: String(status.partition) }, status.retained);
        }
      },
    });
    this.retainedMessages = retainedMessages;
    this.watermark = watermark;
    this.bufferedEvents = bufferedEvents;
    this.openWindows = openWindows;
    this.usualIps = usualIps;
  }

  attach(source: DetectorGaugeSource): void {
    this.source = source;
    this.allowedLateness.set(source.allowedLatenessMs / 1000);
  }

  absorbed(count: number, late: number): void {
    this.eventsIn.inc(count);
    if (late > 0) {
      this.lateEvents.inc(late);
    }
  }

  redelivered(count: number): void {
    if (count > 0) {
      this.redeliveredEvents.inc(count);
    }
  }

  outcomes(counts: ReadonlyMap<EventOutcome, number>): void {
    for (const [outcome, count] of counts) {
      this.eventOutcomes.inc({ outcome }, count);
    }
  }

  verdicts(counts: ReadonlyMap<WindowVerdict, number>): void {
    for (const [verdict, count] of counts) {
      this.windowVerdicts.inc({ verdict }, count);
    }
  }

  checkpoint(kind: CheckpointKind, seconds: number): void {
    this.checkpointDuration.observe({ kind }, seconds);
  }

  persisted(seconds: number): void {
    this.persistDuration.observe(seconds);
  }

  conflict(): void {
    this.conflicts.inc();
  }

  rebuilt(count: number): void {
    if (count > 0) {
      this.rebuiltEvents.inc(count);
    }
  }

  rebuildMismatch(missing: number): void {
    if (missing > 0) {
      this.rebuildMissing.inc(missing);
    }
  }

  spilled(count: number): void {
    this.spilledEntries.inc(count);
  }

  accountsMoved(count: number): void {
    if (count > 0) {
      this.movedAccounts.inc(count);
    }
  }
}
