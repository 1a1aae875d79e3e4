import { Inject, Injectable } from '@nestjs/common';

import { ROOT_LOGGER } from '@trail-insight/observability';

import type { InsightEvent } from '@trail-insight/insights';
import type { Logger } from 'pino';

import { OSS_SINK_CONFIG } from './config/sink-oss.config';
import { OssSinkMetrics } from './metrics';
import { OssObjectStore } from './oss-object.store';
import {
  decodeInsightObject,
  encodeInsightObject,
  groupInsightEvents,
  mergeInsightEvents,
  sameEvents,
} from './oss-object-layout.util';
import { OssSinkErrorCode, OssSinkException } from './oss-sink.exception';

import type { OssSinkConfig } from './config/sink-oss.config';

/** Lets a write stop early when the consumer stops or loses the partition, and keep it alive. */
export interface WriteControl {
  isActive(): boolean;
  heartbeat(): Promise<void>;
}

/**
 * Writes consumed insight events to the bucket: one object per (insight, UTC day), merged with
 * what the key already holds, so every redelivery and every split of an insight over batches
 * converges to the same objects. Any object-store failure is retriable: the batch is retried with
 * backoff and its offsets are committed only after every PUT succeeded.
 */
@Injectable()
export class OssSinkService {
  private readonly log: Logger;

  constructor(
    @Inject(OSS_SINK_CONFIG) private readonly config: OssSinkConfig,
    private readonly store: OssObjectStore,
    private readonly metrics: OssSinkMetrics,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.log = logger.child({ component: 'oss-sink', bucket: config.bucket });
  }

  async write(events: readonly InsightEvent[], control: WriteControl): Promise<void> {
    for (const group of groupInsightEvents(this.config.prefix, events)) {
      if (!control.isActive()) {
        throw new OssSinkException(
          OssSinkErrorCode.Interrupted,
          'consumer stopping; batch will be redelivered',
        );
      }
      const stored = await this.store.get(group.key);
      let existing: InsightEvent[] = [];
      if (stored !== null) {
        const decoded = decodeInsightObject(stored);
        if (decoded === null) {
          this.metrics.unreadableObjects.inc();
          this.log.warn(
            { key: group.key, bytes: stored.length },
            'object at sink key is not gzip JSON insight events; replacing it',
          );
        } else {
          existing = decoded;
        }
      }
      const merged = mergeInsightEvents(existing, group.events);
      if (stored !== null && sameEvents(existing, merged)) {
        this.metrics.objects.inc({ outcome: 'unchanged' });
        continue;
      }
      await this.store.put(group.key, encodeInsightObject(merged));
      this.metrics.objects.inc({ outcome: stored === null ? 'created' : 'merged' });
      this.metrics.eventsWritten.inc(Math.max(0, merged.length - existing.length));
      this.log.debug({ key: group.key, events: merged.length }, 'object written');
      await control.heartbeat();
    }
    this.metrics.lastSuccess.setToCurrentTime();
  }
}
