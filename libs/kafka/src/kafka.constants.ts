/** Injection token of {@link KafkaModuleConfig}. */
export const KAFKA_CONFIG = Symbol('trail-insight:kafka-config');

/** Injection token of the kafkajs `Kafka` client (internal to this lib). */
export const KAFKA_CLIENT = Symbol('trail-insight:kafka-client');

/** Readiness check names registered by this lib. */
export const KAFKA_PRODUCER_CHECK = 'kafka-producer';
export const KAFKA_CONSUMER_CHECK = 'kafka-consumer';
