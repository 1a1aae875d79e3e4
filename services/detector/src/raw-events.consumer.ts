import { Injectable } from '@nestjs/common';

import { KafkaBatchHandler, RawRecordMetrics, Topic, splitRawBatch } from '@trail-insight/kafka';

import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

import { DetectorService } from './detector.service';

/**
 * `DETECTOR_INPUT=raw`: raw management events (any SPEC §1 shape) → the detector core directly,
 * ingest folded in: one fetch, one parse, no `normalized-events` hop. Invalid records are
 * dead-lettered with their reason as ingest does, once per record: messages read again to
 * rebuild the reorder buffer were dead-lettered before the checkpoint that absorbed them. Exact only when the raw topic is keyed by account id, so that all
 * of an account's events arrive on one partition; `detector_accounts_moved_total` counts accounts
 * seen on another partition than before.
 */
@Injectable()
export class RawEventsConsumer {
  constructor(
    private readonly detector: DetectorService,
    private readonly metrics: RawRecordMetrics,
  ) {}

  @KafkaBatchHandler({ topic: Topic.RawEvents })
  handle(messages: Array<DecodedMessage<Buffer>>, context: KafkaBatchContext): Promise<void> {
    return this.detector.consume(context, (absorbedBelow, output) =>
      splitRawBatch(messages, output, this.metrics, absorbedBelow).map(({ message, events }) => ({
        offset: message.offset,
        events,
      })),
    );
  }
}
