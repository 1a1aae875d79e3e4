import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { Redis } from 'ioredis';

import { normalizeRecord, readTrailContent } from '@trail-insight/events';
import { WindowVerdict } from '@trail-insight/detection';
import { insightEventIdOf, toIpInsight } from '@trail-insight/insights';
import { createLagAdmin, topicEndOffsets } from '@trail-insight/kafka';
import {
  ServiceProcess,
  collectTestTopics,
  createTestTopics,
  freePort,
  requireTestEnv,
  testKafkaConnection,
  uniqueName,
  waitFor,
} from '@trail-insight/testing';
import { InsightStoreKeys } from '@trail-insight/state-redis';
import { analyzeTrailPaths, readTrailSource, walkTrailPaths } from '@trail-insight/trail-files';

import type { DetectionConfig } from '@trail-insight/detection';
import type { InsightEvent, IpInsight, IpInsightBucket } from '@trail-insight/insights';
import type { KafkaInboundMessage, LagAdmin, TopicCollector } from '@trail-insight/kafka';
import type { TestTopics } from '@trail-insight/testing';
import type { BatchSummary } from '@trail-insight/trail-files';

const ROOT = resolve(__dirname, '../../..');
const CLI = resolve(ROOT, 'services/cli/bin/trail-insight.js');

/** Settings both pipeline tests run with: the services' env and the batch expectation agree. */
export const PIPELINE_SETTINGS = { minBaseline: 100, latenessMs: 600_000, partitions: 3 };

/** The trail both pipeline tests replay (`trail-insight generate` arguments). */
export const PIPELINE_TRAIL_ARGS = [
  '--days',
  '28',
  '--events-per-day',
  '3000',
  '--accounts',
  '4',
  '--seed',
  '11',
];

export type PipelineService = 'ingest' | 'detector' | 'aggregator';
type TopicKey = 'raw' | 'normalized' | 'ipInsights' | 'insightEvents' | 'deadLetter';

/**
 * `services`: ingest → detector → aggregator; `fused`: the detector reads the raw topic itself
 * (`DETECTOR_INPUT=raw`, no ingest) → aggregator.
 */
export type PipelineLayout = 'services' | 'fused';

/** What each service of a layout consumes (its consumer group's lag is measured on it). */
const INPUTS_OF: Record<PipelineLayout, Partial<Record<PipelineService, TopicKey>>> = {
  services: { ingest: 'raw', detector: 'normalized', aggregator: 'ipInsights' },
  fused: { detector: 'raw', aggregator: 'ipInsights' },
};

export interface PipelineSettings {
  minBaseline: number;
  latenessMs: number;
  /** Partitions of the raw and normalized topics (equal, so ingest keeps each account's order). */
  partitions: number;
  /** Default `services`. */
  layout?: PipelineLayout;
}

/**
 * ingest, detector and aggregator as bundled child processes over random topics, consumer groups
 * and one random Redis prefix; a collector reads insight-events and dead-letter from the start.
 */
export class PipelineFixture {
  readonly processes: ServiceProcess[] = [];
  private readonly groups: Record<PipelineService, string> = {
    ingest: uniqueName('ingest'),
    detector: uniqueName('detector'),
    aggregator: uniqueName('aggregator'),
  };
  private readonly live = new Map<PipelineService, ServiceProcess>();
  readonly prefix = `${uniqueName('e2e')}:`;

  private constructor(
    readonly settings: PipelineSettings,
    private readonly topics: TestTopics<TopicKey>,
    readonly collector: TopicCollector,
    private readonly admin: LagAdmin,
    readonly redis: Redis,
  ) {}

  static async create(settings: PipelineSettings): Promise<PipelineFixture> {
    const topics = await createTestTopics<TopicKey>({
      raw: settings.partitions,
      normalized: settings.partitions,
      ipInsights: 2,
      insightEvents: 3,
      deadLetter: 1,
    });
    const collector = await collectTestTopics([
      topics.names.insightEvents,
      topics.names.deadLetter,
    ]);
    const admin = createLagAdmin(testKafkaConnection(uniqueName('lag')));
    await admin.connect();
    await collector.joined;
    return new PipelineFixture(
      settings,
      topics,
      collector,
      admin,
      new Redis(requireTestEnv('REDIS_URL')),
    );
  }

  get names(): Record<TopicKey, string> {
    return this.topics.names;
  }

  get layout(): PipelineLayout {
    return this.settings.layout ?? 'services';
  }

  /** The services of the layout, each with the topic it consumes. */
  private inputs(): Array<[PipelineService, TopicKey]> {
    return Object.entries(INPUTS_OF[this.layout]) as Array<[PipelineService, TopicKey]>;
  }

  envOf(service: PipelineService): Record<string, string> {
    const names = this.topics.names;
    const common = {
      KAFKA_BROKERS: requireTestEnv('KAFKA_BROKERS'),
      KAFKA_GROUP_ID: this.groups[service],
      KAFKA_TOPIC_NORMALIZED_EVENTS: names.normalized,
      KAFKA_TOPIC_IP_INSIGHTS: names.ipInsights,
      KAFKA_TOPIC_INSIGHT_EVENTS: names.insightEvents,
      KAFKA_TOPIC_DEAD_LETTER: names.deadLetter,
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'warn',
    };
    switch (service) {
      case 'ingest':
        return { ...common, INGEST_INPUT_TOPIC: names.raw };
      case 'detector':
        return {
          ...common,
          REDIS_URL: requireTestEnv('REDIS_URL'),
          REDIS_PREFIX: this.prefix,
          DETECTOR_MODEL: 'none',
          DETECTOR_MIN_BASELINE: String(this.settings.minBaseline),
          DETECTOR_IDLE_ADVANCE: 'false',
          DETECTOR_ALLOWED_LATENESS_MS: String(this.settings.latenessMs),
          ...(this.layout === 'fused'
            ? { DETECTOR_INPUT: 'raw', DETECTOR_RAW_INPUT_TOPIC: names.raw }
            : {}),
        };
      case 'aggregator':
        return {
          ...common,
          REDIS_URL: requireTestEnv('REDIS_URL'),
          INSIGHT_STORE_PREFIX: this.prefix,
        };
    }
  }

  async start(service: PipelineService): Promise<ServiceProcess> {
    const process = ServiceProcess.start(service, await freePort(), this.envOf(service));
    this.processes.push(process);
    this.live.set(service, process);
    await process.waitReady();
    return process;
  }

  running(service: PipelineService): ServiceProcess {
    const process = this.live.get(service);
    if (process === undefined) {
      throw new Error(`${service} is not running`);
    }
    return process;
  }

  /** `kill -9` of the running instance of a service. */
  async kill(service: PipelineService): Promise<void> {
    await this.running(service).kill('SIGKILL');
    this.live.delete(service);
  }

  /** Messages of the service's input topic not yet committed by its consumer group. */
  lag(service: PipelineService): Promise<number> {
    const input = INPUTS_OF[this.layout][service];
    if (input === undefined) {
      throw new Error(`the ${this.layout} layout runs no ${service}`);
    }
    return this.admin.lag(this.groups[service], this.topics.names[input]);
  }

  /** Messages produced to a topic so far (sum of its partitions' high watermarks). */
  async produced(key: TopicKey): Promise<number> {
    const ends = await topicEndOffsets(testKafkaConnection(), this.topics.names[key]);
    return [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  }

  insightEvents(): KafkaInboundMessage[] {
    return this.collector.of(this.topics.names.insightEvents);
  }

  deadLetters(): KafkaInboundMessage[] {
    return this.collector.of(this.topics.names.deadLetter);
  }

  /**
   * Waits until the pipeline is idle: every group has committed its whole input, the collector
   * has read every insight event produced, and no new one arrived for `quietMs`.
   */
  async waitIdle(timeoutMs: number, quietMs = 3_000): Promise<void> {
    let count = -1;
    let since = Date.now();
    await waitFor(
      async () => {
        const now = this.insightEvents().length;
        if (now !== count) {
          count = now;
          since = Date.now();
        }
        const lags = await Promise.all(this.inputs().map(([service]) => this.lag(service)));
        if (lags.some((lag) => lag !== 0) || (await this.produced('insightEvents')) !== now) {
          since = Date.now();
          return false;
        }
        return Date.now() - since >= quietMs;
      },
      timeoutMs,
      `pipeline idle (no consumer lag, no new insight event for ${quietMs} ms)`,
      { abort: this.collector.crashed, intervalMs: 250 },
    );
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.kill('SIGKILL')));
    await this.collector.stop().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
    await this.topics.cleanup().catch(() => undefined);
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await this.redis.del(...keys);
      }
    } while (cursor !== '0');
    this.redis.disconnect();
  }
}

/** `trail-insight generate <dir> ...args` (the bundled CLI). */
export function generateTrail(dir: string, args: readonly string[]): string {
  return execFileSync(process.execPath, [CLI, 'generate', dir, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A running `trail-insight replay`; `done` resolves with its stderr summary on exit code 0. */
export interface ReplayRun {
  readonly done: Promise<string>;
}

export function startReplay(dir: string, topic: string, rate: number | null): ReplayRun {
  const args = [CLI, 'replay', dir, '--brokers', requireTestEnv('KAFKA_BROKERS'), '--topic', topic];
  if (rate !== null) {
    args.push('--rate', String(rate));
  }
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const done = new Promise<string>((resolveDone, reject) => {
    child.once('exit', (code, signal) => {
      if (code === 0) {
        resolveDone(output.join(''));
      } else {
        reject(new Error(`replay exited (${code ?? signal}):\n${output.join('')}`));
      }
    });
  });
  done.catch(() => undefined);
  return { done };
}

/** What an IPInsight looks like from its insight events alone. */
export interface DeliveredInsight {
  insightId: string;
  accountId: string;
  region: string;
  sourceIpAddress: string;
  eventCount: number;
  heterogeneity: number;
  predictedValue: number;
  threshold: number;
  buckets: IpInsightBucket[];
  states: string[];
}

export interface DeliveredOutput {
  insights: Map<string, DeliveredInsight>;
  /** Distinct insight events. */
  events: number;
  /** Messages whose eventId was seen before with the same bytes. */
  repeats: number;
  /** eventIds seen twice with different bytes (must be none). */
  conflicting: string[];
  /** Insight events whose eventId is not the deterministic id of their insight and bucket. */
  badIds: string[];
  /** The bytes of each distinct insight event, by eventId. */
  bytes: Map<string, string>;
}

/** Rebuilds the IPInsights behind insight-events: by sharedEventId, buckets from the events. */
export function deliveredInsightsOf(messages: readonly KafkaInboundMessage[]): DeliveredOutput {
  const byId = new Map<string, string>();
  const output: DeliveredOutput = {
    insights: new Map(),
    events: 0,
    repeats: 0,
    conflicting: [],
    badIds: [],
    bytes: byId,
  };
  const events: InsightEvent[] = [];
  for (const message of messages) {
    const bytes = String(message.value);
    const event = JSON.parse(bytes) as InsightEvent;
    const seen = byId.get(event.eventId);
    if (seen !== undefined) {
      output.repeats += 1;
      if (seen !== bytes) {
        output.conflicting.push(event.eventId);
      }
      continue;
    }
    byId.set(event.eventId, bytes);
    events.push(event);
  }
  output.events = events.length;
  events.sort((a, b) => a.eventTime.localeCompare(b.eventTime));
  for (const event of events) {
    const details = event.insightDetails;
    const context = details.insightContext;
    const bucketStart = Date.parse(event.eventTime);
    if (event.eventId !== insightEventIdOf(event.sharedEventId, bucketStart)) {
      output.badIds.push(event.eventId);
    }
    let insight = output.insights.get(event.sharedEventId);
    if (insight === undefined) {
      insight = {
        insightId: event.sharedEventId,
        accountId: event.recipientAccountId,
        region: event.acsRegion,
        sourceIpAddress: details.sourceIpAddress,
        eventCount: context.statistics.insightCount,
        heterogeneity: context.heterogeneity.value,
        predictedValue: context.heterogeneity.predictedValue,
        threshold: context.heterogeneity.threshold,
        buckets: [],
        states: [],
      };
      output.insights.set(event.sharedEventId, insight);
    }
    insight.buckets.push({
      startTime: new Date(bucketStart).toISOString(),
      durationSeconds: 300,
      count: context.statistics.insight,
    });
    insight.states.push(details.state);
  }
  return output;
}

/** The view of a batch IPInsight that its insight events carry. */
export function deliveredViewOf(insight: IpInsight): DeliveredInsight {
  const count = insight.buckets.length;
  return {
    insightId: insight.insightId,
    accountId: insight.accountId,
    region: insight.region,
    sourceIpAddress: insight.sourceIpAddress,
    eventCount: insight.eventCount,
    heterogeneity: insight.heterogeneity,
    predictedValue: insight.predictedValue,
    threshold: insight.threshold,
    buckets: insight.buckets.map((bucket) => ({ ...bucket })),
    states: insight.buckets.map((_, index) => {
      if (index === 0) {
        return 'Start';
      }
      return index === count - 1 ? 'End' : 'Update';
    }),
  };
}

export interface BatchExpectation {
  /** Every insight of `analyzeTrailPaths`, by id. */
  insights: Map<string, IpInsight>;
  /**
   * Ids the pipeline must deliver: verdict at or before the account's latest event time minus the
   * lateness (the watermark of its partition is at least that). The others' verdicts fall in the
   * last lateness interval of their partition and may stay open (SPEC §7, replay).
   */
  required: Set<string>;
  /**
   * Windows of unusual IPs that ended without an insight (the IP turned usual, or the baseline was
   * not met): the pipeline stores them as `dismissed` for the console.
   */
  dismissed: Map<string, IpInsight>;
  /** Dismissed before the account's latest event time minus the lateness: must be stored. */
  dismissedRequired: Set<string>;
  summary: BatchSummary;
}

/** `analyzeTrailPaths` on the same files with the same settings as the detector. */
export async function batchExpectation(
  dir: string,
  config: DetectionConfig,
  latenessMs: number,
): Promise<BatchExpectation> {
  const dismissedWindows: Array<{ insight: IpInsight; closedAt: number }> = [];
  const result = await analyzeTrailPaths([dir], {
    config,
    onWindowClosed: (closed) => {
      if (
        closed.window.heterogeneity > 0 &&
        (closed.verdict === WindowVerdict.BecameUsual ||
          closed.verdict === WindowVerdict.BaselineNotMet)
      ) {
        dismissedWindows.push({ insight: toIpInsight(closed), closedAt: closed.closedAt });
      }
    },
  });
  const latest = new Map<string, number>();
  for await (const source of walkTrailPaths([dir])) {
    if (source.kind !== 'file') {
      continue;
    }
    for (const item of readTrailContent(await readTrailSource(source))) {
      if (item.kind !== 'record') {
        continue;
      }
      const normalized = normalizeRecord(item.value);
      if (normalized.ok) {
        const { accountId, time } = normalized.event;
        latest.set(accountId, Math.max(latest.get(accountId) ?? time, time));
      }
    }
  }
  const horizonOf = (accountId: string): number =>
    (latest.get(accountId) ?? Number.NEGATIVE_INFINITY) - latenessMs;
  const insights = new Map(result.insights.map((insight) => [insight.insightId, insight]));
  const required = new Set(
    result.insights
      .filter((insight) => Date.parse(insight.verdictTime) <= horizonOf(insight.accountId))
      .map((insight) => insight.insightId),
  );
  return {
    insights,
    required,
    dismissed: new Map(dismissedWindows.map(({ insight }) => [insight.insightId, insight])),
    dismissedRequired: new Set(
      dismissedWindows
        .filter(({ insight, closedAt }) => closedAt < horizonOf(insight.accountId))
        .map(({ insight }) => insight.insightId),
    ),
    summary: result.summary,
  };
}

export interface BatchComparison {
  /** Distinct insights delivered. */
  delivered: number;
  /** Delivered insights whose verdict is in the last lateness interval (allowed either way). */
  deliveredOptional: number;
  /** Batch insights in the last lateness interval that stayed open. */
  stillOpen: number;
  /** Required by the batch, not delivered. */
  missing: string[];
  /** Delivered, not in the batch output. */
  unexpected: string[];
  /** Delivered with other counts, buckets, IP, account, region or heterogeneity than the batch. */
  different: string[];
}

/** Compares the delivered insights with the batch ones (see {@link BatchExpectation.required}). */
export function compareWithBatch(
  output: DeliveredOutput,
  expectation: BatchExpectation,
): BatchComparison {
  const comparison: BatchComparison = {
    delivered: output.insights.size,
    deliveredOptional: 0,
    stillOpen: 0,
    missing: [],
    unexpected: [],
    different: [],
  };
  for (const [id, delivered] of output.insights) {
    const batch = expectation.insights.get(id);
    if (batch === undefined) {
      comparison.unexpected.push(id);
      continue;
    }
    if (!expectation.required.has(id)) {
      comparison.deliveredOptional += 1;
    }
    if (JSON.stringify(delivered) !== JSON.stringify(deliveredViewOf(batch))) {
      comparison.different.push(id);
    }
  }
  for (const id of expectation.insights.keys()) {
    if (output.insights.has(id)) {
      continue;
    }
    if (expectation.required.has(id)) {
      comparison.missing.push(id);
    } else {
      comparison.stillOpen += 1;
    }
  }
  return comparison;
}

/** A stored aggregator record (`<prefix>insight:{<id>}`), as far as the tests read it. */
export interface StoredInsightRecord {
  state: 'confirmed' | 'dismissed';
  insight: IpInsight;
  insightEvents: InsightEvent[];
}

export interface StoreComparison {
  /** Members of the aggregator's `insights:by-start` index, by stored state. */
  confirmed: number;
  dismissed: number;
  /** Delivered insights without a confirmed record. */
  missing: string[];
  /** Confirmed: stored insight differs from the batch one, or its events from the delivered bytes. */
  different: string[];
  /** Dismissed insights the batch does not have, or has with other content. */
  unexpectedDismissed: string[];
  /** Dismissed insights the batch has (decided before the watermark) that were not stored. */
  missingDismissed: string[];
  /** One line per difference: what the store has against what the batch has. */
  details: string[];
}

function summaryOf(insight: IpInsight | undefined): string {
  if (insight === undefined) {
    return 'none';
  }
  return (
    `${insight.accountId}/${insight.region}/${insight.sourceIpAddress} ${insight.startTime} ` +
    `eventCount ${insight.eventCount}, ${insight.buckets.length} buckets`
  );
}

/**
 * Checks the aggregator's Redis store: every delivered insight is stored as confirmed exactly as
 * the batch computed it, with its events' bytes; every stored dismissed insight is a batch window
 * of an unusual IP that ended without an insight, and every such window decided before the
 * watermark is stored.
 */
export async function compareStoreWithBatch(
  fixture: PipelineFixture,
  output: DeliveredOutput,
  expectation: BatchExpectation,
): Promise<StoreComparison> {
  const keys = new InsightStoreKeys(fixture.prefix);
  const comparison: StoreComparison = {
    confirmed: 0,
    dismissed: 0,
    missing: [],
    different: [],
    unexpectedDismissed: [],
    missingDismissed: [],
    details: [],
  };
  const stored = new Map<string, StoredInsightRecord>();
  for (const id of await fixture.redis.zrange(keys.byStart(), 0, -1)) {
    const text = await fixture.redis.get(keys.record(id));
    if (text !== null) {
      stored.set(id, JSON.parse(text) as StoredInsightRecord);
    }
  }
  for (const [id, record] of stored) {
    if (record.state === 'confirmed') {
      comparison.confirmed += 1;
      continue;
    }
    comparison.dismissed += 1;
    if (!isDeepStrictEqual(record.insight, expectation.dismissed.get(id))) {
      comparison.unexpectedDismissed.push(id);
      comparison.details.push(
        `dismissed ${id.slice(0, 12)}: stored ${summaryOf(record.insight)}; batch ` +
          summaryOf(expectation.dismissed.get(id)),
      );
    }
  }
  for (const id of output.insights.keys()) {
    const record = stored.get(id);
    if (record?.state !== 'confirmed') {
      comparison.missing.push(id);
      continue;
    }
    const sameEvents =
      record.insightEvents.length === output.insights.get(id)?.buckets.length &&
      record.insightEvents.every(
        (event) => output.bytes.get(event.eventId) === JSON.stringify(event),
      );
    if (!isDeepStrictEqual(record.insight, expectation.insights.get(id)) || !sameEvents) {
      comparison.different.push(id);
      comparison.details.push(
        `confirmed ${id.slice(0, 12)}: stored ${summaryOf(record.insight)}; batch ` +
          summaryOf(expectation.insights.get(id)),
      );
    }
  }
  for (const id of expectation.dismissedRequired) {
    if (stored.get(id)?.state !== 'dismissed') {
      comparison.missingDismissed.push(id);
    }
  }
  return comparison;
}
