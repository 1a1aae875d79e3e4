/**
 * Logical topics of the pipeline. The enum value is the default physical name; every service can
 * override the physical name through its env (tests use random names), and code always refers to
 * the logical topic.
 */
export enum Topic {
  /** Raw management events in any SPEC §1 shape (input of ingest). */
  RawEvents = 'actiontrail-events',
  /** One NormalizedEvent JSON per message, keyed by account id (ingest → detector). */
  NormalizedEvents = 'normalized-events',
  /** One IpInsightMessage JSON per closed unusual window (detector → aggregator). */
  IpInsights = 'ip-insights',
  /** SPEC §5 insight events, keyed by account id (aggregator → sinks, downstream). */
  InsightEvents = 'insight-events',
  /** Messages no handler can process: original bytes plus reason/source headers. */
  DeadLetter = 'dead-letter',
}

export const ALL_TOPICS: readonly Topic[] = Object.values(Topic);

/** Physical topic name of each logical topic. */
export type TopicNames = Readonly<Record<Topic, string>>;

/** Default names, overridden per topic. Empty overrides are ignored. */
export function resolveTopicNames(overrides: Partial<Record<Topic, string>> = {}): TopicNames {
  const names = {} as Record<Topic, string>;
  for (const topic of ALL_TOPICS) {
    const override = overrides[topic];
    names[topic] = override !== undefined && override.length > 0 ? override : topic;
  }
  return names;
}

/** Header names written on dead-lettered messages. */
export enum DeadLetterHeader {
  Reason = 'reason',
  Detail = 'detail',
  SourceTopic = 'source-topic',
  SourcePartition = 'source-partition',
  SourceOffset = 'source-offset',
  DeadLetteredBy = 'dead-lettered-by',
  DeadLetteredAt = 'dead-lettered-at',
}

/** Dead-letter reasons the Kafka lib itself assigns (handlers add their own, e.g. `invalid-time`). */
export enum KafkaDeadLetterReason {
  EmptyMessage = 'empty-message',
  InvalidJson = 'invalid-json',
  SchemaMismatch = 'schema-mismatch',
  HandlerError = 'handler-error',
}
