import type { Logger } from 'pino';

import type { Topic } from './topics.constants';

/** A consumed message, with headers decoded as UTF-8 strings. */
export interface KafkaInboundMessage {
  /** Physical topic name. */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker/producer timestamp, epoch ms as a string. */
  timestamp: string;
}

/** A consumed message whose value passed the handler's schema (or the raw bytes without one). */
export interface DecodedMessage<T> extends KafkaInboundMessage {
  payload: T;
}

/**
 * A message to produce. Keys route partitions (murmur2, as Java clients): same key, same
 * partition, in order; an explicit `partition` overrides the key.
 */
export interface OutboundMessage {
  key: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
  partition?: number;
}

export interface DeadLetterOptions {
  /** Bytes to dead-letter instead of the whole source message (e.g. one line of it). */
  value?: Buffer | string;
  /** Extra headers, e.g. which record of the message. Never put secrets here. */
  headers?: Record<string, string>;
}

/** What a handler can emit. Everything emitted is produced before the source offset is resolved. */
export interface KafkaOutput {
  send(topic: Topic, messages: readonly OutboundMessage[]): void;
}

/** Second argument of a `@KafkaHandler` method. */
export interface KafkaMessageContext extends KafkaOutput {
  readonly message: KafkaInboundMessage;
  readonly log: Logger;
  /** Dead-letters this message (or a part of it, with `options.value`) and carries on. */
  deadLetter(reason: string, detail?: string, options?: DeadLetterOptions): void;
}

/** Second argument of a `@KafkaBatchHandler` method. */
export interface KafkaBatchContext extends KafkaOutput {
  /** Physical topic name. */
  readonly topic: string;
  readonly partition: number;
  /** The partition's high watermark when the batch was fetched (next offset to be written). */
  readonly highWatermark: string;
  readonly log: Logger;
  deadLetter(
    message: KafkaInboundMessage,
    reason: string,
    detail?: string,
    options?: DeadLetterOptions,
  ): void;
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping: finish quickly (or throw) so shutdown is not delayed. */
  isRunning(): boolean;
  /** True when the partition was revoked or seeked: the rest of the batch will be redelivered. */
  isStale(): boolean;
  /** The offset the batch was fetched from: no message between it and the first one was skipped. */
  readonly fetchedOffset: string;
  /**
   * The batch's last offset: its last message's, valid or not, or a transaction marker's after
   * it. The next fetch starts after it.
   */
  readonly lastOffset: string;
  /**
   * Produces what the handler sent and dead-lettered so far (acks = all), before the handler
   * goes on; rejects if the consumer stopped meanwhile.
   */
  flush(): Promise<void>;
  /**
   * The batch is not resolved: the partition is fetched again from `offset` (at or before the
   * batch; a handler rebuilding state from its input), what the handler emitted is still produced.
   */
  rewind(offset: string): void;
}

/** A per-message handler method. `payload` is the decoded value (a Buffer without a schema). */
export type KafkaMessageHandlerFn<T = unknown> = (
  payload: T,
  context: KafkaMessageContext,
) => void | Promise<void>;

/** A whole-batch handler method. Offsets are resolved only after it returns. */
export type KafkaBatchHandlerFn<T = unknown> = (
  messages: Array<DecodedMessage<T>>,
  context: KafkaBatchContext,
) => void | Promise<void>;
