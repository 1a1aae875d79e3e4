import { INSIGHT_ATTRIBUTES, topAttributionValues } from '@trail-insight/insights';

import type { TrailProvider } from '@trail-insight/events';
import type { InsightAttributions } from '@trail-insight/insights';
import type { Cluster, Redis } from 'ioredis';

import { DetectorErrorCode, DetectorException } from './detector.exception';
import { AddAttributionsCode, registerDetectorScripts } from './detector-scripts';

/** Distinct values one window's attribution hash may hold (all attributes together). */
export const MAX_ATTRIBUTION_FIELDS = 4_000;
/** How long a closed window's counts stay, so a re-executed checkpoint can still read them. */
export const CLOSED_ATTRIBUTION_TTL_SECONDS = 7 * 24 * 3600;

const PROVIDER_FIELD = '#p';

/** What one checkpoint adds to one window's attribution hash. */
export interface AttributionWrite {
  key: string;
  /** The trail family of the window's first operation, when it opened in this checkpoint. */
  provider: TrailProvider | null;
  /** `<attribute> NUL <value>` → operations. */
  counts: ReadonlyMap<string, number>;
  /** The window closed in this checkpoint: its hash expires later. */
  closed: boolean;
}

/** A window's attributions as sent on `ip-insights`. */
export interface WindowAttributions {
  provider: TrailProvider | null;
  attributions: InsightAttributions;
}

export function attributionField(attribute: string, value: string): string {
  return `${attribute}\u0000${value}`;
}

/**
 * Per-window attribution counts (userAgent, principalId, apiRelated, errorCode) in the detector's
 * own hashes, counted at most once per checkpoint by src/lua/add-attributions-1.lua.
 */
export class AttributionRepository {
  constructor(private readonly redis: Redis | Cluster) {
    registerDetectorScripts(redis);
  }

  async add(seq: number, writes: readonly AttributionWrite[]): Promise<void> {
    try {
      const replies = await Promise.all(
        writes.map((write) => {
          const argv: string[] = [
            String(seq),
            write.provider ?? '',
            write.closed ? String(CLOSED_ATTRIBUTION_TTL_SECONDS) : '',
            String(MAX_ATTRIBUTION_FIELDS),
            String(write.counts.size),
          ];
          for (const [field, count] of write.counts) {
            argv.push(field, String(count));
          }
          return this.redis.detectorAddAttributions(write.key, ...argv);
        }),
      );
      const accepted: unknown[] = [AddAttributionsCode.Counted, AddAttributionsCode.AlreadyCounted];
      for (const reply of replies) {
        if (!accepted.includes(reply)) {
          throw new DetectorException(
            DetectorErrorCode.ScriptFailed,
            `add-attributions replied ${JSON.stringify(reply)}`,
          );
        }
      }
    } catch (error) {
      throw DetectorException.wrap(error, 'add attributions');
    }
  }

  async read(keys: readonly string[]): Promise<WindowAttributions[]> {
    let hashes: Array<Record<string, string>>;
    try {
      hashes = await Promise.all(keys.map((key) => this.redis.hgetall(key)));
    } catch (error) {
      throw DetectorException.wrap(error, 'read attributions');
    }
    return hashes.map((hash) => {
      const counts = new Map<string, Map<string, number>>(
        INSIGHT_ATTRIBUTES.map((attribute) => [attribute, new Map<string, number>()]),
      );
      for (const [field, count] of Object.entries(hash)) {
        const separator = field.indexOf('\u0000');
        if (separator < 0) {
          continue;
        }
        counts.get(field.slice(0, separator))?.set(field.slice(separator + 1), Number(count));
      }
      const provider = hash[PROVIDER_FIELD];
      return {
        provider: provider === 'actiontrail' || provider === 'cloudtrail' ? provider : null,
        attributions: Object.fromEntries(
          INSIGHT_ATTRIBUTES.map((attribute) => [
            attribute,
            topAttributionValues(counts.get(attribute) ?? new Map<string, number>()),
          ]),
        ) as InsightAttributions,
      };
    });
  }
}
