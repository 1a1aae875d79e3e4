import { Injectable } from '@nestjs/common';

import { KafkaHandler, NORMALIZED_EVENT_SCHEMA_HEADER, Topic } from '@trail-insight/kafka';

import type { KafkaMessageContext, OutboundMessage } from '@trail-insight/kafka';

import { IngestMetrics } from './ingest.metrics';
import { splitRawMessage } from './split-raw-message.util';

/** Raw management events → `normalized-events` (keyed by account) and `dead-letter`. */
@Injectable()
export class RawEventsConsumer {
  constructor(private readonly metrics: IngestMetrics) {}

  @KafkaHandler({ topic: Topic.RawEvents })
  handle(content: Buffer, context: KafkaMessageContext): void {
    const out: OutboundMessage[] = [];
    const results = splitRawMessage(content);
    const whole = results.length === 1;
    for (const result of results) {
      if (result.ok) {
        out.push({
          key: result.event.accountId,
          value: JSON.stringify(result.event),
          headers: NORMALIZED_EVENT_SCHEMA_HEADER,
        });
        continue;
      }
      this.metrics.records.inc({ outcome: 'invalid' });
      this.metrics.invalidRecords.inc({ reason: result.reason });
      const headers = { 'record-index': String(result.index) };
      context.deadLetter(
        result.reason,
        result.detail,
        whole ? { headers } : { value: result.value, headers },
      );
    }
    this.metrics.records.inc({ outcome: 'valid' }, out.length);
    context.send(Topic.NormalizedEvents, out);
  }
}
