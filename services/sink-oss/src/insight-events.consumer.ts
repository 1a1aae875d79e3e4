import { Injectable } from '@nestjs/common';

import { insightEventSchema } from '@trail-insight/insights';
import { KafkaBatchHandler, Topic } from '@trail-insight/kafka';

import type { InsightEvent } from '@trail-insight/insights';
import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

import { OssSinkService } from './oss-sink.service';

/** `insight-events` → the bucket. A whole partition batch at a time; offsets commit after the PUTs. */
@Injectable()
export class InsightEventsConsumer {
  constructor(private readonly sink: OssSinkService) {}

  @KafkaBatchHandler({ topic: Topic.InsightEvents, schema: insightEventSchema })
  async handle(
    messages: Array<DecodedMessage<InsightEvent>>,
    context: KafkaBatchContext,
  ): Promise<void> {
    await this.sink.write(
      messages.map((message) => message.payload),
      {
        isActive: () => context.isRunning() && !context.isStale(),
        heartbeat: () => context.heartbeat(),
      },
    );
  }
}
