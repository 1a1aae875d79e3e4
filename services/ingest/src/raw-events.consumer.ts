import { Injectable } from '@nestjs/common';

import {
  KafkaBatchHandler,
  KafkaDeadLetterReason,
  KafkaProducerService,
  Topic,
  packNormalizedEvents,
} from '@trail-insight/kafka';

import type { NormalizedEvent } from '@trail-insight/events';
import type { DecodedMessage, KafkaBatchContext } from '@trail-insight/kafka';

import { IngestMetrics } from './ingest.metrics';
import { splitRawMessage } from './split-raw-message.util';

import type { RawRecordResult } from './split-raw-message.util';

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
    private readonly metrics: IngestMetrics,
    private readonly producer: KafkaProducerService,
  ) {}

  @KafkaBatchHandler({ topic: Topic.RawEvents })
  async handle(messages: Array<DecodedMessage<Buffer>>, context: KafkaBatchContext): Promise<void> {
    // Read first: a metadata failure is retriable and must not leave half-counted metrics.
    const partitions = await this.producer.partitionCount(Topic.NormalizedEvents);
    const events: NormalizedEvent[] = [];
    let invalid = 0;
    for (const message of messages) {
      let results: RawRecordResult[];
      try {
        results = splitRawMessage(message.payload);
      } catch (error) {
        // A bug must cost this message only, not the valid events of the whole batch.
        invalid += 1;
        this.metrics.invalidRecords.inc({ reason: KafkaDeadLetterReason.HandlerError });
        context.log.error(
          { err: error, partition: message.partition, offset: message.offset },
          'splitting a raw message failed; dead-lettering it',
        );
        context.deadLetter(message, KafkaDeadLetterReason.HandlerError, (error as Error).message);
        continue;
      }
      const whole = results.length === 1;
      for (const result of results) {
        if (result.ok) {
          events.push(result.event);
          continue;
        }
        invalid += 1;
        this.metrics.invalidRecords.inc({ reason: result.reason });
        const headers = { 'record-index': String(result.index) };
        context.deadLetter(
          message,
          result.reason,
          result.detail,
          whole ? { headers } : { value: result.value, headers },
        );
      }
    }
    this.metrics.records.inc({ outcome: 'valid' }, events.length);
    this.metrics.records.inc({ outcome: 'invalid' }, invalid);
    context.send(Topic.NormalizedEvents, packNormalizedEvents(events, partitions));
  }
}
