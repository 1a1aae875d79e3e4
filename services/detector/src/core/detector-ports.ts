import type { EventOutcome, WindowVerdict } from '@trail-insight/detection';
import type { IpInsightMessage } from '@trail-insight/kafka';
import type { AccountStateRepository } from '@trail-insight/state-redis';

/** One `ip-insights` message: keyed by account id. */
export interface PublishedInsight {
  key: string;
  message: IpInsightMessage;
}

/** Produces insights durably (acks = all) and resolves only once they are written. */
export interface InsightPublisher {
  publish(insights: readonly PublishedInsight[]): Promise<void>;
}

/** The account store the core needs (state-redis). */
export type AccountStore = Pick<
  AccountStateRepository,
  'loadAccount' | 'persist' | 'dueAccounts' | 'syncVerdictIndex'
>;

export type CheckpointKind = 'batch' | 'idle' | 'recovery';

/** What the core reports, for metrics. Every method is optional work: keep them cheap. */
export interface DetectorObserver {
  /** New events absorbed into a partition's buffer; `late` of them were behind the watermark. */
  absorbed(count: number, late: number): void;
  /** Redelivered messages skipped because their offset was already absorbed. */
  redelivered(count: number): void;
  outcomes(counts: ReadonlyMap<EventOutcome, number>): void;
  verdicts(counts: ReadonlyMap<WindowVerdict, number>): void;
  checkpoint(kind: CheckpointKind, seconds: number): void;
  persisted(seconds: number): void;
  conflict(): void;
  /**
   * Accounts loaded whose stored state was last written from another input partition: their events
   * do not all arrive on one partition (an unkeyed input, a changed partition count or input topic).
   */
  accountsMoved(count: number): void;
  /** Events absorbed again from the input while a reorder buffer is rebuilt. */
  rebuilt(count: number): void;
  /**
   * A rebuilt buffer holds `missing` fewer events than its checkpoint recorded (negative: more);
   * the input lost messages (retention) or changed under the same offsets.
   */
  rebuildMismatch(missing: number): void;
  /** Buffer entries copied to Redis because they were held too long. */
  spilled(count: number): void;
}

export const NOOP_OBSERVER: DetectorObserver = {
  absorbed: () => undefined,
  redelivered: () => undefined,
  outcomes: () => undefined,
  verdicts: () => undefined,
  checkpoint: () => undefined,
  persisted: () => undefined,
  conflict: () => undefined,
  accountsMoved: () => undefined,
  rebuilt: () => undefined,
  rebuildMismatch: () => undefined,
  spilled: () => undefined,
};

/** Minimal structured logger (pino-compatible). */
export interface CoreLogger {
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}
