import { Inject, Injectable } from '@nestjs/common';

import { insightEventSchema, toInsightEvents } from '@trail-insight/insights';
import { Topic } from '@trail-insight/kafka';

import type { IpInsightMessage, KafkaOutput } from '@trail-insight/kafka';

import { AggregatorMetrics } from './aggregator.metrics';
import { INSIGHT_STORE } from './insight-store/insight-store';

import type { InsightStore } from './insight-store/insight-store';

/** Header naming the payload schema of `insight-events` messages. */
export const INSIGHT_EVENT_SCHEMA_HEADER = 'insight-event.v1';

/** Thrown when a built insight event fails its own schema: a bug, dead-lettered. */
export class InvalidInsightEventError extends Error {
  override readonly name = 'InvalidInsightEventError';
  readonly code = 'invalid-insight-event';
  readonly retriable = false;
}

/**
 * A dismissed insight is only stored, for the console. A confirmed IPInsight → its SPEC §5 insight events (deterministic ids), stored for the query API
 * and produced to `insight-events` keyed by account. Stored first, produced after: a crash between
 * the two redelivers the message, which rewrites the same keys and re-produces identical events.
 */
@Injectable()
export class AggregateInsightUseCase {
  constructor(
    @Inject(INSIGHT_STORE) private readonly store: InsightStore,
    private readonly metrics: AggregatorMetrics,
  ) {}

  async execute(message: IpInsightMessage, output: KafkaOutput): Promise<void> {
    const { insight, provider, attributions, state } = message;
    const events = state === 'confirmed' ? toInsightEvents(insight, attributions, provider) : [];
    for (const event of events) {
      const checked = insightEventSchema.safeParse(event);
      if (!checked.success) {
        throw new InvalidInsightEventError(
          `insight ${insight.insightId}: ${checked.error.issues[0]?.message ?? 'invalid'}`,
        );
      }
    }
    const stop = this.metrics.storeDuration.startTimer();
    try {
      await this.store.save(
        { state, provider, insight, attributions },
        events,
        message.managementEvents,
      );
    } catch (error) {
      this.metrics.storeErrors.inc();
      throw error;
    } finally {
      stop();
    }
    if (state === 'dismissed') {
      return;
    }
    output.send(
      Topic.InsightEvents,
      events.map((event) => ({
        key: insight.accountId,
        value: JSON.stringify(event),
        headers: { schema: INSIGHT_EVENT_SCHEMA_HEADER, 'insight-id': insight.insightId },
      })),
    );
    this.metrics.insights.inc({ provider });
    for (const event of events) {
      this.metrics.insightEvents.inc({ state: event.insightDetails.state });
    }
  }
}
