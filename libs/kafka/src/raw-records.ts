import { Inject, Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

import { splitRawMessage } from '@trail-insight/events';
import { SERVICE_INFO } from '@trail-insight/observability';

import type { NormalizedEvent, RawRecordResult } from '@trail-insight/events';
import type { ServiceInfo } from '@trail-insight/observability';

import type { DecodedMessage, KafkaBatchContext } from './kafka-message';
import { KafkaDeadLetterReason } from './topics.constants';

/**
 * Record-level metrics of a service that reads raw management events: ingest, or the detector
 * with `DETECTOR_INPUT=raw` (message-level ones come from {@link KafkaMetrics}).
 */
@Injectable()
export class RawRecordMetrics {
  /** Panels: records in vs. valid events out. */
  readonly records: Counter<'outcome'>;
  /** Alert `IngestInvalidRecords`: a spike of one reason means a producer changed its format. */
  readonly invalidRecords: Counter<'reason'>;

  constructor(registry: Registry, @Inject(SERVICE_INFO) info: ServiceInfo) {
    this.records = new Counter({
      name: `${info.metricsPrefix}records_total`,
      help: 'Records read from raw messages by outcome (valid, invalid); alert IngestInvalidRecords',
      labelNames: ['outcome'] as const,
      registers: [registry],
    });
    this.invalidRecords = new Counter({
      name: `${info.metricsPrefix}invalid_records_total`,
      help: 'Invalid records dead-lettered, by SPEC §1 reason; alert IngestInvalidRecords',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
  }
}

/** The valid events of one raw message, in record order. */
export interface RawMessageEvents {
  message: DecodedMessage<Buffer>;
  events: NormalizedEvent[];
}

/**
 * Splits a fetched batch of raw messages (any SPEC §1 shape) into normalized events, and
 * dead-letters every invalid record through `context` with its reason, counted by reason. A
 * record that was a message's only one dead-letters the original bytes; one of several carries
 * its own bytes and a `record-index` header. Messages without a valid event are left out.
 *
 * Messages below `reportedBelow` were split before (a consumer reading its input again to rebuild
 * its state): their records are neither counted nor dead-lettered a second time.
 */
export function splitRawBatch(
  messages: ReadonlyArray<DecodedMessage<Buffer>>,
  context: KafkaBatchContext,
  metrics: RawRecordMetrics,
  reportedBelow: number | null = null,
): RawMessageEvents[] {
  const split: RawMessageEvents[] = [];
  let valid = 0;
  let invalid = 0;
  for (const message of messages) {
    const report = reportedBelow === null || Number(message.offset) >= reportedBelow;
    let results: RawRecordResult[];
    try {
      results = splitRawMessage(message.payload);
    } catch (error) {
      if (report) {
        // A bug must cost this message only, not the valid events of the whole batch.
        invalid += 1;
        metrics.invalidRecords.inc({ reason: KafkaDeadLetterReason.HandlerError });
        context.log.error(
          { err: error, partition: message.partition, offset: message.offset },
          'splitting a raw message failed; dead-lettering it',
        );
        context.deadLetter(message, KafkaDeadLetterReason.HandlerError, (error as Error).message);
      }
      continue;
    }
    const whole = results.length === 1;
    const events: NormalizedEvent[] = [];
    for (const result of results) {
      if (result.ok) {
        events.push(result.event);
      } else if (report) {
        invalid += 1;
        metrics.invalidRecords.inc({ reason: result.reason });
        const headers = { 'record-index': String(result.index) };
        context.deadLetter(
          message,
          result.reason,
          result.detail,
          whole ? { headers } : { value: result.value, headers },
        );
      }
    }
    if (events.length > 0) {
      if (report) {
        valid += events.length;
      }
      split.push({ message, events });
    }
  }
  metrics.records.inc({ outcome: 'valid' }, valid);
  metrics.records.inc({ outcome: 'invalid' }, invalid);
  return split;
}
