/** Redis keys of one partition's checkpoint state (see the script headers in src/lua/). */
export interface PartitionKeys {
  readonly checkpoint: string;
  readonly buffer: string;
  readonly order: string;
}

const KAFKA_TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * The one place the detector's own Redis keys are built. Partition keys share state-redis's
 * partition hash tag `{p:<topic>:<partition>}` and attribution keys its account hash tag
 * `{acct:<accountId>}`, so every script touches a single Redis Cluster slot.
 */
export class DetectorKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) {
      throw new RangeError(`key prefix must not contain braces: ${JSON.stringify(prefix)}`);
    }
  }

  partition(topic: string, partition: number): PartitionKeys {
    if (!KAFKA_TOPIC.test(topic) || !Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`not a Kafka topic partition: ${JSON.stringify(topic)}/${partition}`);
    }
    const base = `${this.prefix}{p:${topic}:${partition}}:`;
    return { checkpoint: `${base}cp`, buffer: `${base}buf`, order: `${base}order` };
  }

  /** Attribution counts of one window (an insight in the making). */
  attributions(accountId: string, insightId: string): string {
    return `${this.prefix}{acct:${accountId}}:attr:${insightId}`;
  }
}
