import { createRedisClient } from '@trail-insight/state-redis';
import { Inject, Injectable } from '@nestjs/common';

import { modelByName } from '@trail-insight/ip-intel';
import { KafkaAssignments, KafkaProducerService, KafkaTopics, Topic } from '@trail-insight/kafka';
import { ROOT_LOGGER, ReadinessRegistry } from '@trail-insight/observability';
import { AccountStateRepository } from '@trail-insight/state-redis';

import type { OnApplicationShutdown, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { KafkaBatchContext } from '@trail-insight/kafka';
import type { Cluster, Redis } from 'ioredis';
import type { Logger } from 'pino';

import { AttributionRepository } from './core/attribution.repository';
import { offsetNumber } from './core/buffered-event';
import { DetectorCore } from './core/detector-core';
import { PartitionLogRepository } from './core/partition-log.repository';
import { PreviewRepository } from './core/preview.repository';
import { DetectorMetrics } from './detector.metrics';

import type { InputMessage } from './core/detector-core';
import type { PublishedInsight } from './core/detector-ports';
import type { DetectorConfig } from './config/env.schema';

export const DETECTOR_CONFIG = Symbol('trail-insight:detector-config');

/** How often idle partitions are checked for a wall-clock watermark advance. */
const IDLE_TICK_MS = 1_000;
/** A preview outlives the buffered operations it shows by this much (then it expires). */
const PREVIEW_TTL_MARGIN_SECONDS = 600;

/**
 * Owns the detector's Redis client, the {@link DetectorCore} and the idle-watermark timer.
 * Connects Redis at init; on shutdown stops the timer, waits for the checkpoint in hand, and
 * quits Redis last (after the Kafka consumer finished its batch).
 */
@Injectable()
export class DetectorService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  readonly core: DetectorCore;
  private readonly redis: Redis | Cluster;
  private readonly log: Logger;
  /** Logical name of the consumed topic, as assignments carry it. */
  private readonly input: string;
  private timer: NodeJS.Timeout | null = null;
  private idleRun: Promise<void> | null = null;

  constructor(
    @Inject(DETECTOR_CONFIG) config: DetectorConfig,
    producer: KafkaProducerService,
    topics: KafkaTopics,
    private readonly assignments: KafkaAssignments,
    metrics: DetectorMetrics,
    private readonly readiness: ReadinessRegistry,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'detector' });
    this.redis = createRedisClient(config.redis, { autoPipelining: true });
    const settings = config.detector;
    this.input = settings.input;
    const publisher = {
      publish: (insights: readonly PublishedInsight[]) =>
        producer.send(
          Topic.IpInsights,
          insights.map(({ key, message }) => ({ key, value: JSON.stringify(message) })),
        ),
    };
    this.core = new DetectorCore(
      {
        topic: topics.name(settings.input),
        allowedLatenessMs: settings.allowedLatenessMs,
        idleAdvance: settings.idleAdvance,
        idleAfterMs: settings.idleAfterMs,
        stateCacheSize: settings.stateCacheSize,
        spillAfterMs: settings.spillAfterMs,
        keyPrefix: settings.keyPrefix,
        detection: {
          minBaseline: settings.minBaseline,
          homeRegion: settings.homeRegion,
          allowList: settings.allowList,
          model: modelByName(settings.model),
        },
      },
      {
        accounts: new AccountStateRepository(this.redis, { prefix: settings.keyPrefix }),
        log: new PartitionLogRepository(this.redis),
        attributions: new AttributionRepository(this.redis),
        publisher,
        previews: new PreviewRepository(
          this.redis,
          settings.keyPrefix,
          Math.ceil((3 * settings.allowedLatenessMs) / 1000) + PREVIEW_TTL_MARGIN_SECONDS,
        ),
        observer: metrics,
        logger: this.log,
      },
    );
    metrics.attach({
      allowedLatenessMs: settings.allowedLatenessMs,
      partitions: () => this.core.partitions(),
      heldWindowsAndUsualIps: () => {
        let windows = 0;
        let usual = 0;
        for (const { state } of this.core.heldAccounts()) {
          for (const region of state.regions.values()) {
            windows += region.windows.size;
            usual += region.usual.size;
          }
        }
        return { windows, usual };
      },
    });
  }

  async onModuleInit(): Promise<void> {
    await this.redis.connect();
    this.readiness.register('redis', async () => ({ ok: (await this.redis.ping()) === 'PONG' }));
    this.timer = setInterval(() => {
      if (this.idleRun === null) {
        this.idleRun = this.core.advanceIdle().finally(() => {
          this.idleRun = null;
        });
      }
    }, IDLE_TICK_MS);
    this.timer.unref();
    this.assignments.onChange((assigned) => {
      const partitions = assigned
        .filter(({ topic }) => topic === this.input)
        .map(({ partition }) => partition);
      this.core
        .adopt(partitions)
        .then((points) => {
          // Buffers to rebuild are read again from their oldest message at once, so a partition
          // without new messages still advances with the clock (verdicts of quiet accounts); a
          // batch fetched from later is rewound anyway.
          for (const { partition, offset } of points) {
            this.assignments.seek({ topic: this.input, partition }, String(offset));
          }
        })
        .catch((error: unknown) => {
          this.log.warn({ err: error }, 'adopting the assigned partitions failed');
        });
    });
  }

  /**
   * Runs one fetched batch of the detector's input. When the partition's reorder buffer is to be
   * rebuilt from an earlier offset, the consumer fetches it again from there. Otherwise `decode`
   * turns the batch into the core's input and dead-letters what is invalid, knowing the offset
   * below which messages were absorbed before (read again only to rebuild the buffer, their
   * invalid records were reported then); its dead letters are produced before the checkpoint
   * absorbs the batch, since after it they would not be again.
   */
  async consume(
    context: KafkaBatchContext,
    decode: (absorbedBelow: number | null, output: KafkaBatchContext) => InputMessage[],
  ): Promise<void> {
    const fetchedOffset = offsetNumber(context.fetchedOffset);
    const plan = await this.core.plan(context.partition, fetchedOffset);
    if (plan.kind === 'rewind') {
      context.rewind(String(plan.offset));
      return;
    }
    let deadLettered = 0;
    const inputs = decode(plan.absorbedBelow, {
      ...context,
      deadLetter: (...args) => {
        deadLettered += 1;
        context.deadLetter(...args);
      },
    });
    if (deadLettered > 0) {
      await context.flush();
    }
    const outcome = await this.core.handleBatch(context.partition, inputs, {
      fetchedOffset,
      lastOffset: offsetNumber(context.lastOffset),
    });
    if (outcome.kind === 'rewind') {
      context.rewind(String(outcome.offset));
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.idleRun;
    await this.core.drain();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.core.drain();
    await this.redis.quit().catch(() => this.redis.disconnect());
    this.log.info('redis closed');
  }
}
