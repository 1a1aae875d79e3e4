import { Injectable } from '@nestjs/common';

import { KafkaHandler, Topic, ipInsightMessageSchema } from '@trail-insight/kafka';

import type { IpInsightMessage, KafkaMessageContext } from '@trail-insight/kafka';

import { AggregateInsightUseCase } from './aggregate-insight.use-case';

/** `ip-insights` → insight events on `insight-events` and the insight store. */
@Injectable()
export class IpInsightsConsumer {
  constructor(private readonly aggregate: AggregateInsightUseCase) {}

  @KafkaHandler({ topic: Topic.IpInsights, schema: ipInsightMessageSchema })
  handle(message: IpInsightMessage, context: KafkaMessageContext): Promise<void> {
    return this.aggregate.execute(message, context);
  }
}
