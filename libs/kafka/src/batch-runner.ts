import type { Logger } from 'pino';
import type { ZodType } from 'zod';

import { deadLetterReasonOf, isRetriable } from './kafka.exception';
import { MAX_REQUEST_BYTES, Outbox } from './outbox';
import { DeadLetterHeader, KafkaDeadLetterReason, Topic } from './topics.constants';
import { zodIssuesDetail } from './zod-issues.util';

import type { KafkaRetryConfig } from './kafka-config';
import type {
  DeadLetterOptions,
  DecodedMessage,
  KafkaBatchContext,
  KafkaInboundMessage,
  KafkaMessageContext,
  OutboundMessage,
} from './kafka-message';
import type { KafkaMetrics } from './metrics';
import type { FlushReport, OutboxSink, ProducedMessage } from './outbox';
import type { TopicNames } from './topics.constants';

/** A discovered handler, bound to its instance. */
export interface HandlerBinding {
  topic: Topic;
  mode: 'message' | 'batch';
  schema?: ZodType;
  /** `Class.method`, for logs and boot errors. */
  name: string;
  invoke: (input: unknown, context: KafkaMessageContext | KafkaBatchContext) => unknown;
}

type HeaderValue = Buffer | string | Array<Buffer | string> | undefined;

/** The parts of a kafkajs message the runner reads. */
export interface RunnerMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, HeaderValue>;
  timestamp: string;
}

/** The parts of kafkajs' `EachBatchPayload` the runner uses (a fake one in unit tests). */
export interface RunnerBatchPayload {
  batch: {
    topic: string;
    partition: number;
    highWatermark: string;
    /** The offset the batch was fetched from. */
    fetchedOffset: string;
    /** Its last offset, transaction markers included (kafkajs' `batch.lastOffset()`). */
    lastOffset: string;
    messages: RunnerMessage[];
  };
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  isRunning(): boolean;
  isStale(): boolean;
  commitOffsetsIfNecessary(): Promise<void>;
}

export interface BatchRunnerOptions {
  /** Handler by physical topic name. */
  bindings: ReadonlyMap<string, HandlerBinding>;
  topicNames: TopicNames;
  sink: OutboxSink;
  metrics: KafkaMetrics;
  logger: Logger;
  retry: KafkaRetryConfig;
  flushEvery: number;
  /** Written in the `dead-lettered-by` header (the client id). */
  producedBy: string;
  /**
   * Set for exactly-once handlers: outputs and consumed offsets commit in one Kafka transaction of
   * the sink, for this consumer group (per flush of a per-message handler, per batch of a batch
   * handler).
   */
  transactionalGroupId?: string;
  delay?: (ms: number) => Promise<void>;
}

type Decoded = { ok: true; payload: unknown } | { ok: false; reason: string; detail: string };

const DETAIL_MAX = 500;
const HEARTBEAT_SLICE_MS = 1_000;

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function decodeHeaders(headers: Record<string, HeaderValue> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) {
    return result;
  }
  // for…in, not Object.entries: no array per message for the usual empty or small header set
  for (const name in headers) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value !== undefined) {
      result[name] = typeof value === 'string' ? value : value.toString('utf8');
    }
  }
  return result;
}

/** kafkajs message → {@link DecodedMessage}, built at once (the hot path of batch handlers). */
function toDecodedMessage<T>(
  topic: string,
  partition: number,
  message: RunnerMessage,
  payload: T,
): DecodedMessage<T> {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: decodeHeaders(message.headers),
    timestamp: message.timestamp,
    payload,
  };
}

/** kafkajs message → {@link KafkaInboundMessage} (its `payload` stays undefined). */
export function toInboundMessage(
  topic: string,
  partition: number,
  message: RunnerMessage,
): KafkaInboundMessage {
  return toDecodedMessage(topic, partition, message, undefined);
}

/** Decodes a value for a handler: raw bytes without a schema, else JSON validated by the schema. */
export function decodeValue(value: Buffer | null, schema: ZodType | undefined): Decoded {
  if (value === null) {
    return {
      ok: false,
      reason: KafkaDeadLetterReason.EmptyMessage,
      detail: 'message has no value',
    };
  }
  if (schema === undefined) {
    return { ok: true, payload: value };
  }
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: KafkaDeadLetterReason.InvalidJson,
      detail: (error as Error).message,
    };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    return {
      ok: false,
      reason: KafkaDeadLetterReason.SchemaMismatch,
      detail: zodIssuesDetail(result.error),
    };
  }
  return { ok: true, payload: result.data };
}

/**
 * Processes kafkajs `eachBatch` calls (run with `eachBatchAutoResolve: false`) with at-least-once
 * semantics: an offset is resolved only after everything its message emitted (outputs and
 * dead-letters) was produced with acks = all, so kafkajs may commit resolved offsets at any time
 * (batch end, rebalance, crash) without losing anything.
 *
 * - Stops between messages on `!isRunning() || isStale()`; unresolved messages are redelivered.
 * - A retriable error (`retriable: true`) discards what that attempt emitted, flushes the finished
 *   work, backs off exponentially (heartbeating) and retries the same message.
 * - Any other error, an empty value, bad JSON or a schema mismatch dead-letters the message
 *   (original bytes, reason and source headers) and processing goes on.
 */
export class BatchRunner {
  private readonly delay: (ms: number) => Promise<void>;
  private readonly loggers = new Map<string, Logger>();

  constructor(private readonly options: BatchRunnerOptions) {
    this.delay =
      options.delay ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()));
    for (const [topic, binding] of options.bindings) {
      this.loggers.set(topic, options.logger.child({ topic, handler: binding.name }));
    }
  }

  private logOf(topic: string): Logger {
    return this.loggers.get(topic) ?? this.options.logger;
  }

  async eachBatch(payload: RunnerBatchPayload): Promise<void> {
    const { topic } = payload.batch;
    const binding = this.options.bindings.get(topic);
    if (binding === undefined) {
      throw new Error(`no handler bound to topic '${topic}'`);
    }
    const stopTimer = this.options.metrics.batchDuration.startTimer({ topic: binding.topic });
    try {
      if (binding.mode === 'batch') {
        await this.runBatchHandler(binding, payload);
      } else {
        await this.runMessageHandler(binding, payload);
      }
    } finally {
      stopTimer();
    }
  }

  private deadLetterRecord(
    message: KafkaInboundMessage,
    reason: string,
    detail: string | undefined,
    options: DeadLetterOptions | undefined,
  ): ProducedMessage {
    return {
      key: message.key,
      value: options?.value ?? message.value ?? Buffer.alloc(0),
      headers: {
        ...options?.headers,
        [DeadLetterHeader.Reason]: reason,
        [DeadLetterHeader.Detail]: truncate(detail ?? '', DETAIL_MAX),
        [DeadLetterHeader.SourceTopic]: message.topic,
        [DeadLetterHeader.SourcePartition]: String(message.partition),
        [DeadLetterHeader.SourceOffset]: message.offset,
        [DeadLetterHeader.DeadLetteredBy]: this.options.producedBy,
        [DeadLetterHeader.DeadLetteredAt]: new Date().toISOString(),
      },
    };
  }

  private addDeadLetter(
    outbox: Outbox,
    binding: HandlerBinding,
    message: KafkaInboundMessage,
    reason: string,
    detail: string | undefined,
    options?: DeadLetterOptions,
  ): void {
    outbox.addDeadLetter(
      this.options.topicNames[Topic.DeadLetter],
      Topic.DeadLetter,
      this.deadLetterRecord(message, reason, detail, options),
      binding.topic,
      reason,
    );
  }

  private sendTo(outbox: Outbox): (topic: Topic, messages: readonly OutboundMessage[]) => void {
    return (topic, messages) => outbox.add(this.options.topicNames[topic], topic, messages);
  }

  /** Produces the outbox, retrying with backoff; false if the consumer stopped meanwhile. */
  private async flush(
    outbox: Outbox,
    binding: HandlerBinding,
    payload: RunnerBatchPayload,
    lastProcessed: string | null = null,
  ): Promise<boolean> {
    const { metrics } = this.options;
    const logger = this.logOf(payload.batch.topic);
    for (let attempt = 0; ; attempt += 1) {
      if (outbox.size === 0) {
        return true;
      }
      try {
        const report = await this.flushOutbox(outbox, payload, lastProcessed);
        for (const [label, count] of report.byTopic) {
          metrics.messagesOut.inc({ topic: label }, count);
        }
        for (const { sourceLabel, reason } of report.deadLettered) {
          metrics.deadLettered.inc({ topic: sourceLabel, reason });
        }
        return true;
      } catch (error) {
        metrics.produceErrors.inc();
        metrics.retries.inc({ topic: binding.topic });
        logger.error(
          { err: error, topic: payload.batch.topic, partition: payload.batch.partition, attempt },
          'produce failed; backing off',
        );
        if (!payload.isRunning() || !(await this.backoff(attempt, payload))) {
          return false;
        }
      }
    }
  }

  /**
   * Produces the outbox; in exactly-once mode, inside a transaction that also commits the offset
   * after `lastProcessed`, so the outputs of an attempt that dies are never seen by
   * `read_committed` consumers and the redelivered messages produce them once.
   */
  private async flushOutbox(
    outbox: Outbox,
    payload: RunnerBatchPayload,
    lastProcessed: string | null,
  ): Promise<FlushReport> {
    const { sink, transactionalGroupId } = this.options;
    if (
      transactionalGroupId === undefined ||
      lastProcessed === null ||
      sink.inTransaction === undefined
    ) {
      return outbox.flush(sink);
    }
    let report: FlushReport | undefined;
    await sink.inTransaction(
      {
        consumerGroupId: transactionalGroupId,
        topic: payload.batch.topic,
        partition: payload.batch.partition,
        offset: (BigInt(lastProcessed) + 1n).toString(),
      },
      async (transactional) => {
        report = await outbox.flush(transactional);
      },
    );
    return report ?? { byTopic: new Map(), deadLettered: [] };
  }

  /** Waits the attempt's backoff in slices, heartbeating; false if the consumer stops. */
  private async backoff(attempt: number, payload: RunnerBatchPayload): Promise<boolean> {
    const { initialMs, maxMs } = this.options.retry;
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
    let remaining = Math.round(base * (0.8 + Math.random() * 0.4));
    while (remaining > 0) {
      if (!payload.isRunning() || payload.isStale()) {
        return false;
      }
      const slice = Math.min(remaining, HEARTBEAT_SLICE_MS);
      await this.delay(slice);
      remaining -= slice;
      await payload.heartbeat();
    }
    return payload.isRunning() && !payload.isStale();
  }

  private async runMessageHandler(
    binding: HandlerBinding,
    payload: RunnerBatchPayload,
  ): Promise<void> {
    const { batch } = payload;
    const { metrics, flushEvery } = this.options;
    const logger = this.logOf(batch.topic);
    const outbox = new Outbox();
    const send = this.sendTo(outbox);
    let lastProcessed: string | null = null;
    let processed = 0;
    let deadLettered = 0;

    const commit = async (): Promise<boolean> => {
      if (!(await this.flush(outbox, binding, payload, lastProcessed))) {
        return false;
      }
      if (lastProcessed !== null) {
        payload.resolveOffset(lastProcessed);
        metrics.recordPosition(
          binding.topic,
          batch.partition,
          batch.highWatermark,
          (BigInt(lastProcessed) + 1n).toString(),
        );
        metrics.messagesIn.inc({ topic: binding.topic, outcome: 'processed' }, processed);
        metrics.messagesIn.inc({ topic: binding.topic, outcome: 'dead_lettered' }, deadLettered);
        lastProcessed = null;
        processed = 0;
        deadLettered = 0;
      }
      return true;
    };

    for (const raw of batch.messages) {
      if (!payload.isRunning() || payload.isStale()) {
        break;
      }
      const message = toInboundMessage(batch.topic, batch.partition, raw);
      const outcome = await this.processMessage(binding, message, outbox, send, payload, commit);
      if (outcome === 'stopped') {
        break;
      }
      lastProcessed = message.offset;
      if (outcome === 'processed') {
        processed += 1;
      } else {
        deadLettered += 1;
      }
      await payload.heartbeat();
      if (processed + deadLettered >= flushEvery || outbox.bytes >= MAX_REQUEST_BYTES * 4) {
        if (!(await commit())) {
          return;
        }
        await payload.commitOffsetsIfNecessary();
      }
    }
    if (await commit()) {
      await payload.commitOffsetsIfNecessary();
    } else {
      logger.warn(
        { topic: batch.topic, partition: batch.partition },
        'stopped before outputs were produced; the unresolved messages will be redelivered',
      );
    }
  }

  private async processMessage(
    binding: HandlerBinding,
    message: KafkaInboundMessage,
    outbox: Outbox,
    send: (topic: Topic, messages: readonly OutboundMessage[]) => void,
    payload: RunnerBatchPayload,
    commitFinished: () => Promise<boolean>,
  ): Promise<'processed' | 'dead_lettered' | 'stopped'> {
    const decoded = decodeValue(message.value, binding.schema);
    if (!decoded.ok) {
      this.addDeadLetter(outbox, binding, message, decoded.reason, decoded.detail);
      return 'dead_lettered';
    }
    const log = this.logOf(message.topic);
    for (let attempt = 0; ; attempt += 1) {
      const mark = outbox.mark();
      let wholeDeadLettered = false;
      const context: KafkaMessageContext = {
        message,
        log,
        send,
        deadLetter: (reason, detail, options) => {
          if (options?.value === undefined) {
            wholeDeadLettered = true;
          }
          this.addDeadLetter(outbox, binding, message, reason, detail, options);
        },
      };
      try {
        await binding.invoke(decoded.payload, context);
        return wholeDeadLettered ? 'dead_lettered' : 'processed';
      } catch (error) {
        outbox.rollback(mark);
        if (!isRetriable(error)) {
          const reason = deadLetterReasonOf(error);
          log.warn(
            { err: error, partition: message.partition, offset: message.offset, reason },
            'handler failed; dead-lettering the message',
          );
          this.addDeadLetter(outbox, binding, message, reason, (error as Error).message);
          return 'dead_lettered';
        }
        this.options.metrics.retries.inc({ topic: binding.topic });
        log.warn(
          { err: error, partition: message.partition, offset: message.offset, attempt },
          'retriable handler failure; backing off',
        );
        if (!(await commitFinished()) || !(await this.backoff(attempt, payload))) {
          return 'stopped';
        }
      }
    }
  }

  private async runBatchHandler(
    binding: HandlerBinding,
    payload: RunnerBatchPayload,
  ): Promise<void> {
    const { batch } = payload;
    const { metrics } = this.options;
    const logger = this.logOf(batch.topic);
    const outbox = new Outbox();
    const send = this.sendTo(outbox);
    const valid: Array<DecodedMessage<unknown>> = [];
    let invalid = 0;
    let last: string | null = null;
    for (const raw of batch.messages) {
      last = raw.offset;
      const decoded = decodeValue(raw.value, binding.schema);
      if (decoded.ok) {
        valid.push(toDecodedMessage(batch.topic, batch.partition, raw, decoded.payload));
      } else {
        invalid += 1;
        const message = toInboundMessage(batch.topic, batch.partition, raw);
        this.addDeadLetter(outbox, binding, message, decoded.reason, decoded.detail);
      }
    }
    if (last === null) {
      return;
    }
    let processed = valid.length;
    // What the handler asked for (set from its context's callback).
    const asked: { rewindTo: string | null } = { rewindTo: null };
    for (let attempt = 0; valid.length > 0; attempt += 1) {
      let mark = outbox.mark();
      asked.rewindTo = null;
      const context: KafkaBatchContext = {
        topic: batch.topic,
        partition: batch.partition,
        highWatermark: batch.highWatermark,
        fetchedOffset: batch.fetchedOffset,
        lastOffset: batch.lastOffset,
        log: logger,
        send,
        deadLetter: (message, reason, detail, options) =>
          this.addDeadLetter(outbox, binding, message, reason, detail, options),
        heartbeat: () => payload.heartbeat(),
        isRunning: () => payload.isRunning(),
        isStale: () => payload.isStale(),
        flush: async () => {
          if (!(await this.flush(outbox, binding, payload))) {
            throw new Error('the consumer stopped before the outputs were produced');
          }
          mark = outbox.mark();
        },
        rewind: (offset) => {
          asked.rewindTo = offset;
        },
      };
      try {
        await binding.invoke(valid, context);
        break;
      } catch (error) {
        outbox.rollback(mark);
        if (!payload.isRunning() || payload.isStale()) {
          logger.info(
            { err: error, topic: batch.topic, partition: batch.partition },
            'batch handler stopped; the batch will be redelivered',
          );
          return;
        }
        if (!isRetriable(error)) {
          const reason = deadLetterReasonOf(error);
          logger.error(
            { err: error, topic: batch.topic, partition: batch.partition, reason },
            'batch handler failed; dead-lettering the batch',
          );
          for (const message of valid) {
            this.addDeadLetter(outbox, binding, message, reason, (error as Error).message);
          }
          invalid += valid.length;
          processed = 0;
          break;
        }
        metrics.retries.inc({ topic: binding.topic });
        logger.warn(
          { err: error, topic: batch.topic, partition: batch.partition, attempt },
          'retriable batch handler failure; backing off',
        );
        if (!(await this.backoff(attempt, payload))) {
          return;
        }
      }
    }
    if (!(await this.flush(outbox, binding, payload, last))) {
      return;
    }
    if (asked.rewindTo !== null) {
      // Nothing of this batch is resolved: the next fetch starts at `rewindTo`.
      payload.resolveOffset((BigInt(asked.rewindTo) - 1n).toString());
      metrics.messagesIn.inc({ topic: binding.topic, outcome: 'dead_lettered' }, invalid);
      return;
    }
    payload.resolveOffset(last);
    metrics.recordPosition(
      binding.topic,
      batch.partition,
      batch.highWatermark,
      (BigInt(last) + 1n).toString(),
    );
    metrics.messagesIn.inc({ topic: binding.topic, outcome: 'processed' }, processed);
    metrics.messagesIn.inc({ topic: binding.topic, outcome: 'dead_lettered' }, invalid);
    await payload.heartbeat();
    await payload.commitOffsetsIfNecessary();
  }
}
