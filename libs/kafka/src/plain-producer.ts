import { createKafkaClient } from './kafka-client.factory';
import { Outbox } from './outbox';
import { ProducerCore } from './producer-core';

import type { Logger } from 'pino';

import type { KafkaConnectionConfig } from './kafka-config';
import type { OutboundMessage } from './kafka-message';

/** A producer outside Nest (the CLI's `replay`, tests). Same settings as the services' producer. */
export interface PlainProducer {
  connect(): Promise<void>;
  /**
   * Produces to a physical topic with acks = all, in order, in requests of at most 256 KiB;
   * resolves once everything is written.
   */
  send(topic: string, messages: readonly OutboundMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Parses `host:port[,host:port...]`. */
export function parseBrokerList(text: string): string[] {
  return text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
}

/**
 * Creates an idempotent, acks = all producer. `brokers` is a list or a comma-separated string; pass
 * a full {@link KafkaConnectionConfig} as `options` for SASL/TLS.
 */
export function createProducer(
  brokers: string | readonly string[],
  clientId: string,
  options: Partial<KafkaConnectionConfig> & { logger?: Logger } = {},
): PlainProducer {
  const { logger, ...connection } = options;
  const list = typeof brokers === 'string' ? parseBrokerList(brokers) : [...brokers];
  const core = new ProducerCore(
    createKafkaClient({ ...connection, brokers: list, clientId }, logger),
  );
  return {
    connect: () => core.connect(),
    send: async (topic, messages) => {
      const outbox = new Outbox();
      outbox.add(topic, topic, messages);
      await outbox.flush(core);
    },
    disconnect: () => core.disconnect(),
  };
}
