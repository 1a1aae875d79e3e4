import { createProducer } from '@trail-insight/kafka';

import type { InsightEvent } from '@trail-insight/insights';
import type { PlainProducer } from '@trail-insight/kafka';
import type { Logger } from 'pino';

import { SlsSinkException, classifySlsFailure } from './sls-sink.exception';

import type { SlsSinkConfig } from './config/sink-sls.config';
import type { SlsSinkMetrics } from './metrics';
import type { SlsFailureKind } from './sls-sink.exception';

const HINTS: Record<SlsFailureKind, string> = {
  auth: 'SLS rejected the credentials (SASL PLAIN): check SLS_PROJECT, SLS_ACCESS_KEY_ID and SLS_ACCESS_KEY_SECRET, and that the RAM user may log:PostLogStoreLogs',
  tls: 'TLS handshake with SLS failed: check SLS_ENDPOINT and SLS_CA_FILE',
  network: 'cannot reach SLS: check SLS_ENDPOINT/SLS_REGION and the network path to port 10012',
  rejected:
    'SLS refused the write: check that the logstore exists and the RAM user may write to it',
  other: 'writing to SLS failed',
};

/**
 * The producer to SLS's Kafka-compatible endpoint (SASL_SSL, PLAIN, user = project, password =
 * `AccessKeyId#AccessKeySecret`), one message per insight event on `<logstore>.json`.
 *
 * Failures never crash the process: they are counted by kind, logged once per change of kind (an
 * operator sees one clear line, not one per retry), and thrown as retriable so the consumer backs
 * off without committing. kafkajs' own logs are off for this client for the same reason.
 */
export class SlsLogProducer {
  private producer: PlainProducer | null = null;
  private connecting: Promise<PlainProducer> | null = null;
  private failing: SlsFailureKind | null = null;
  private readonly log: Logger;

  constructor(
    private readonly config: SlsSinkConfig,
    private readonly metrics: SlsSinkMetrics,
    logger: Logger,
  ) {
    this.log = logger.child({
      component: 'sls-producer',
      project: config.project,
      logstore: config.logstore,
      endpoint: config.brokers.join(','),
    });
    this.metrics.connected.set(0);
  }

  get isConnected(): boolean {
    return this.producer !== null && this.failing === null;
  }

  /** Kind of the current failure, or null when the last attempt succeeded. */
  get failure(): SlsFailureKind | null {
    return this.failing;
  }

  /** Connects; failures are reported and thrown as {@link SlsSinkException}. */
  async connect(): Promise<void> {
    await this.connected();
  }

  async send(events: readonly InsightEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const producer = await this.connected();
    const stop = this.metrics.sendDuration.startTimer();
    try {
      await producer.send(
        this.config.topic,
        events.map((event) => ({ key: event.recipientAccountId, value: JSON.stringify(event) })),
      );
    } catch (error) {
      await this.drop();
      throw this.failed(error, 'send');
    } finally {
      stop();
    }
    this.metrics.eventsSent.inc(events.length);
    this.metrics.lastSuccess.setToCurrentTime();
    this.succeeded();
  }

  async close(): Promise<void> {
    await this.drop();
  }

  private async connected(): Promise<PlainProducer> {
    if (this.producer !== null) {
      return this.producer;
    }
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<PlainProducer> {
    const producer = createProducer(
      this.config.brokers,
      `trail-insight-sink-sls-${this.config.project}`,
      {
        sasl: {
          mechanism: 'plain',
          username: this.config.project,
          password: `${this.config.accessKeyId}#${this.config.accessKeySecret}`,
        },
        ssl: this.config.ca === null ? true : { ca: this.config.ca },
        connectionTimeoutMs: this.config.connectTimeoutMs,
      },
    );
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw this.failed(error, 'connect');
    }
    this.producer = producer;
    this.succeeded();
    return producer;
  }

  private async drop(): Promise<void> {
    const producer = this.producer;
    this.producer = null;
    this.metrics.connected.set(0);
    await producer?.disconnect().catch(() => undefined);
  }

  private failed(error: unknown, operation: 'connect' | 'send'): SlsSinkException {
    const kind = classifySlsFailure(error);
    this.metrics.failures.inc({ kind });
    this.metrics.connected.set(0);
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (this.failing !== kind) {
      this.log.error({ kind, operation, detail }, HINTS[kind]);
    } else {
      this.log.debug({ kind, operation, detail }, 'SLS still failing');
    }
    this.failing = kind;
    return new SlsSinkException(
      kind,
      `${operation} to SLS failed (${kind}); retrying with backoff`,
      { cause: error },
    );
  }

  private succeeded(): void {
    if (this.failing !== null) {
      this.log.info({ previous: this.failing }, 'SLS writes restored');
    }
    this.failing = null;
    this.metrics.connected.set(1);
  }
}
