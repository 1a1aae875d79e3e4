/**
 * Keys of the insight store: the aggregator writes them, the console reads them; this is the one
 * place they are built. `{<insightId>}` hash tags keep an insight's record and events in one
 * cluster slot.
 *
 * | key | type | content |
 * |---|---|---|
 * | `<prefix>insight:{<id>}` | string | JSON of the stored insight (record, attributions, insight events) |
 * | `<prefix>insight:{<id>}:events` | list | management event JSON records, processing order, capped at 100 |
 * | `<prefix>insights:by-start` | sorted set | insight id scored by startTime (epoch ms) |
 * | `<prefix>insights:by-expiry` | sorted set | insight id scored by its record's expiry (epoch ms), to trim `by-start` |
 *
 * Records and event lists expire 90 days (configurable) after the aggregator writes them.
 */
export class InsightStoreKeys {
  constructor(readonly prefix: string) {
    if (/[{}]/.test(prefix)) {
      throw new Error(`insight store prefix must not contain braces: ${JSON.stringify(prefix)}`);
    }
  }

  record(insightId: string): string {
    return `${this.prefix}insight:{${insightId}}`;
  }

  events(insightId: string): string {
    return `${this.prefix}insight:{${insightId}}:events`;
  }

  byStart(): string {
    return `${this.prefix}insights:by-start`;
  }

  byExpiry(): string {
    return `${this.prefix}insights:by-expiry`;
  }
}
