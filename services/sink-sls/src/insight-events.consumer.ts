import { Inject, Injectable } from '@nestjs/common';

import { insightEventSchema } from '@trail-insight/insights';
import { KafkaBatchHandler, Topic } from '@trail-insight/kafka';

import type { InsightEvent } from '@trail-insight/insights';
import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

import { SlsLogProducer } from './sls-log.producer';

/** `insight-events` → SLS, one log per insight event; offsets commit after SLS acknowledged. */
@Injectable()
export class InsightEventsConsumer {
  constructor(@Inject(SlsLogProducer) private readonly producer: SlsLogProducer) {}

  @KafkaBatchHandler({ topic: Topic.InsightEvents, schema: insightEventSchema })
  async handle(
    messages: Array<DecodedMessage<InsightEvent>>,
    _context: KafkaBatchContext,
  ): Promise<void> {
    await this.producer.send(messages.map((message) => message.payload));
  }
}
