import { Injectable } from '@nestjs/common';

import { KafkaBatchHandler, Topic, normalizedEventsMessageSchema } from '@trail-insight/kafka';

import type { NormalizedEvent } from '@trail-insight/events';
import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

import { DetectorService } from './detector.service';

/** `normalized-events` → the detector core, one fetched batch of one partition at a time. */
@Injectable()
export class NormalizedEventsConsumer {
  constructor(private readonly detector: DetectorService) {}

  @KafkaBatchHandler({ topic: Topic.NormalizedEvents, schema: normalizedEventsMessageSchema })
  handle(
    messages: Array<DecodedMessage<NormalizedEvent[]>>,
    context: KafkaBatchContext,
  ): Promise<void> {
    return this.detector.handleBatch(
      context.partition,
      messages.map((message) => ({
        offset: message.offset,
        events: message.payload,
        value: message.value,
      })),
    );
  }
}
