import { SetMetadata } from '@nestjs/common';

import type { ZodType } from 'zod';

import type { Topic } from './topics.constants';

export const KAFKA_HANDLER_METADATA = 'trail-insight:kafka-handler';

export interface KafkaHandlerOptions {
  topic: Topic;
  /**
   * Validates the JSON value before the handler runs; a value that is not JSON or does not match is
   * dead-lettered (`invalid-json` / `schema-mismatch`) and committed. Without a schema the handler
   * gets the raw bytes.
   */
  schema?: ZodType;
}

export interface KafkaHandlerMetadata extends KafkaHandlerOptions {
  mode: 'message' | 'batch';
}

/**
 * Marks a provider method as THE handler of a topic, called once per message as
 * `(payload, context: KafkaMessageContext)`. Boot fails if a consumed topic has no handler or two.
 */
export const KafkaHandler = (options: KafkaHandlerOptions): MethodDecorator =>
  SetMetadata<string, KafkaHandlerMetadata>(KAFKA_HANDLER_METADATA, {
    ...options,
    mode: 'message',
  });

/**
 * Marks a provider method as the handler of a topic that takes a whole fetched batch of one
 * partition, `(messages: DecodedMessage[], context: KafkaBatchContext)`; the batch's offsets are
 * resolved and committed only after it returns (and after what it sent is produced).
 */
export const KafkaBatchHandler = (options: KafkaHandlerOptions): MethodDecorator =>
  SetMetadata<string, KafkaHandlerMetadata>(KAFKA_HANDLER_METADATA, { ...options, mode: 'batch' });
