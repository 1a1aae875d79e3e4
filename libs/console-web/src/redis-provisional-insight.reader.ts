import { toIpInsight } from '@trail-insight/insights';
import {
  DEFAULT_STATE_PREFIX,
  StateKeys,
  decodeWindow,
  fromStoredText,
  splitStateField,
} from '@trail-insight/state-redis';
import { Cluster } from 'ioredis';

import type { IpInsight } from '@trail-insight/insights';
import type { Redis } from 'ioredis';

import type { InsightRecord } from './console-web.types';

export interface ProvisionalReaderOptions {
  /** The detector's state-redis key prefix (default {@link DEFAULT_STATE_PREFIX}). */
  prefix?: string;
  /** Reads at most this many accounts with open windows per refresh (default 20 000). */
  maxAccounts?: number;
  /** How long one read of every open window is reused (default 2 000 ms). */
  cacheMs?: number;
  /** How long the list of verdict-index keys is reused (default 60 000 ms). */
  indexKeysCacheMs?: number;
}

const GLOB_SPECIAL = /[*?[\]\\]/g;
const CHUNK = 200;

/**
 * Provisional insights: the detector's open windows of unusual IPs (heterogeneity > 0), read from
 * the state-redis keys while the window is open, with their running counts (SPEC §5).
 *
 * Accounts with open windows are exactly the members of the per-partition verdict indexes
 * (`<prefix>{p:<topic>:<partition>}:verdicts`, scored by next verdict); their windows are in
 * `<prefix>{acct:<id>}:windows`. The index keys are found with SCAN (on every master of a cluster)
 * and cached; one refresh reads every open window, cached for `cacheMs`.
 */
export class RedisProvisionalInsightReader {
  private readonly keys: StateKeys;
  private readonly prefix: string;
  private readonly maxAccounts: number;
  private readonly cacheMs: number;
  private readonly indexKeysCacheMs: number;
  private snapshot: { at: number; records: Map<string, InsightRecord> } | null = null;
  private pending: Promise<Map<string, InsightRecord>> | null = null;
  private indexKeys: { at: number; keys: string[] } | null = null;

  constructor(
    private readonly redis: Redis | Cluster,
    options: ProvisionalReaderOptions = {},
  ) {
    this.prefix = options.prefix ?? DEFAULT_STATE_PREFIX;
    this.keys = new StateKeys(this.prefix);
    this.maxAccounts = options.maxAccounts ?? 20_000;
    this.cacheMs = options.cacheMs ?? 2_000;
    this.indexKeysCacheMs = options.indexKeysCacheMs ?? 60_000;
  }

  /** Every provisional insight, by insight id. */
  async all(): Promise<Map<string, InsightRecord>> {
    const now = Date.now();
    if (this.snapshot !== null && now - this.snapshot.at < this.cacheMs) {
      return this.snapshot.records;
    }
    this.pending ??= this.read().then(
      (records) => {
        this.snapshot = { at: Date.now(), records };
        this.pending = null;
        return records;
      },
      (error: unknown) => {
        this.pending = null;
        throw error;
      },
    );
    return this.pending;
  }

  private async read(): Promise<Map<string, InsightRecord>> {
    const accounts = new Set<string>();
    for (const key of await this.verdictIndexKeys()) {
      for (const member of await this.redis.zrange(key, 0, this.maxAccounts - 1)) {
        accounts.add(fromStoredText(member));
      }
    }
    const records = new Map<string, InsightRecord>();
    const list = [...accounts].slice(0, this.maxAccounts);
    for (let start = 0; start < list.length; start += CHUNK) {
      const chunk = list.slice(start, start + CHUNK);
      const hashes = await Promise.all(
        chunk.map((accountId) => this.redis.hgetallBuffer(this.keys.account(accountId).windows)),
      );
      chunk.forEach((accountId, index) => {
        for (const [field, value] of Object.entries(hashes[index] ?? {})) {
          const [region, ip] = splitStateField(field);
          const window = decodeWindow(ip, value, field);
          if (!(window.heterogeneity > 0)) {
            continue;
          }
          const insight = toIpInsight({ accountId, region, window });
          records.set(insight.insightId, {
            state: 'provisional',
            insight,
            insightEvents: [],
            storedEventCount: 0,
          });
        }
      });
    }
    await this.readPreviews(records);
    return records;
  }

  /**
   * The detector's previews (`<prefix>{acct:<id>}:preview`: open windows plus operations still in
   * its reorder buffer, as IpInsight JSON) replace the exact windows, which lag by the allowed
   * lateness; a preview may also show a window the exact state does not have yet.
   */
  private async readPreviews(records: Map<string, InsightRecord>): Promise<void> {
    const pattern = `${this.prefix.replace(GLOB_SPECIAL, (char) => `\\${char}`)}{acct:*}:preview`;
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        const hashes = await Promise.all(found.map((key) => this.redis.hgetall(key)));
        for (const hash of hashes) {
          for (const value of Object.values(hash)) {
            const insight = parsePreview(value);
            if (insight !== null && insight.heterogeneity > 0) {
              records.set(insight.insightId, {
                state: 'provisional',
                insight,
                insightEvents: [],
                storedEventCount: 0,
              });
            }
          }
        }
      } while (cursor !== '0');
    }
  }

  private async verdictIndexKeys(): Promise<string[]> {
    const now = Date.now();
    if (this.indexKeys !== null && now - this.indexKeys.at < this.indexKeysCacheMs) {
      return this.indexKeys.keys;
    }
    const pattern = `${this.prefix.replace(GLOB_SPECIAL, (char) => `\\${char}`)}{p:*}:verdicts`;
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const keys = new Set<string>();
    for (const node of nodes) {
      let cursor = '0';
      do {
        const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        for (const key of found) {
          keys.add(key);
        }
      } while (cursor !== '0');
    }
    this.indexKeys = { at: now, keys: [...keys].sort() };
    return this.indexKeys.keys;
  }
}

function parsePreview(text: string): IpInsight | null {
  try {
    const insight = JSON.parse(text) as IpInsight & { state?: string };
    delete insight.state;
    return typeof insight.insightId === 'string' && Array.isArray(insight.buckets) ? insight : null;
  } catch {
    return null;
  }
}
