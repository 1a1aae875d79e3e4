import { Injectable } from '@nestjs/common';

import {
  KafkaBatchHandler,
  KafkaProducerService,
  RawRecordMetrics,
  Topic,
  packNormalizedEvents,
  splitRawBatch,
} from '@trail-insight/kafka';

import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

/**
 * Raw management events → `normalized-events` and `dead-letter`, one fetched batch of one
 * partition at a time: the batch's valid events leave as one message per destination partition
 * (a JSON array in input order, `normalized-events.v2`; the partition is the one their account's
 * key routes to), produced with the batch's dead letters, and in exactly-once mode with its
 * consumed offset, in one transaction.
 */
@Injectable()
export class RawEventsConsumer {
  constructor(
    private readonly metrics: RawRecordMetrics,
    private readonly producer: KafkaProducerService,
  ) {}

  @KafkaBatchHandler({ topic: Topic.RawEvents })
  async handle(messages: Array<DecodedMessage<Buffer>>, context: KafkaBatchContext): Promise<void> {
    // Read first: a metadata failure is retriable and must not leave half-counted metrics.
    const partitions = await this.producer.partitionCount(Topic.NormalizedEvents);
    const events = splitRawBatch(messages, context, this.metrics).flatMap((item) => item.events);
    context.send(Topic.NormalizedEvents, packNormalizedEvents(events, partitions));
  }
}
