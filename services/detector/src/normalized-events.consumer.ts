import { Injectable } from '@nestjs/common';

import {
  KafkaBatchHandler,
  KafkaDeadLetterReason,
  Topic,
  decodeNormalizedMessage,
} from '@trail-insight/kafka';

import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

import { DetectorService } from './detector.service';

import type { InputMessage } from './core/detector-core';

/**
 * `normalized-events` → the detector core, one fetched batch of one partition at a time. Each
 * message is validated event by event (`decodeNormalizedMessage`): an invalid message is
 * dead-lettered whole, an invalid event of a valid array alone (`record-index` = its position),
 * so one bad event never costs the up to 1,000 others packed with it.
 */
@Injectable()
export class NormalizedEventsConsumer {
  constructor(private readonly detector: DetectorService) {}

  @KafkaBatchHandler({ topic: Topic.NormalizedEvents })
  async handle(messages: Array<DecodedMessage<Buffer>>, context: KafkaBatchContext): Promise<void> {
    // Messages below it were dead-lettered (in part) when first absorbed: read again, they only
    // rebuild the reorder buffer.
    const plan = await this.detector.plan(context);
    if (plan === null) {
      return;
    }
    const { absorbedBelow } = plan;
    const inputs: InputMessage[] = [];
    let deadLettered = 0;
    for (const message of messages) {
      const decoded = decodeNormalizedMessage(message.payload);
      const report = absorbedBelow === null || Number(message.offset) >= absorbedBelow;
      if (!decoded.ok) {
        if (report) {
          context.deadLetter(message, decoded.reason, decoded.detail);
          deadLettered += 1;
        }
        continue;
      }
      for (const { index, detail, value } of report ? decoded.rejected : []) {
        context.deadLetter(message, KafkaDeadLetterReason.SchemaMismatch, detail, {
          value,
          headers: { 'record-index': String(index) },
        });
        deadLettered += 1;
      }
      if (decoded.events.length > 0) {
        inputs.push({
          offset: message.offset,
          events: decoded.events,
          // kept as consumed only when every event of it is valid
          value: decoded.rejected.length === 0 ? message.payload : null,
        });
      }
    }
    if (deadLettered > 0) {
      // Produced before the checkpoint absorbs the batch: after it, they would not be again.
      await context.flush();
    }
    await this.detector.handleBatch(context, inputs);
  }
}
