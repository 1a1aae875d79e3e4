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
  handle(messages: Array<DecodedMessage<Buffer>>, context: KafkaBatchContext): Promise<void> {
    return this.detector.consume(context, (absorbedBelow, output) => {
      const inputs: InputMessage[] = [];
      for (const message of messages) {
        const decoded = decodeNormalizedMessage(message.payload);
        const report = absorbedBelow === null || Number(message.offset) >= absorbedBelow;
        if (!decoded.ok) {
          if (report) {
            output.deadLetter(message, decoded.reason, decoded.detail);
          }
          continue;
        }
        for (const { index, detail, value } of report ? decoded.rejected : []) {
          output.deadLetter(message, KafkaDeadLetterReason.SchemaMismatch, detail, {
            value,
            headers: { 'record-index': String(index) },
          });
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
      return inputs;
    });
  }
}
