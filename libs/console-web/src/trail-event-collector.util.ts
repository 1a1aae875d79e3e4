import { normalizeRecord, readTrailContent } from '@trail-insight/events';
import { toInsightEvents } from '@trail-insight/insights';
import { readTrailSource, walkTrailPaths } from '@trail-insight/trail-files';

import type { NormalizedEvent, TrailProvider } from '@trail-insight/events';
import type { InsightAttributions, IpInsight } from '@trail-insight/insights';

import type { MemoryInsightEntry } from './memory-insight.repository';

/** What {@link collectManagementEvents} finds for one insight. */
export interface CollectedEvents {
  /** The records of `insight.eventIds` (the first 100, SPEC §5), in the insight's order. */
  records: unknown[];
  /** Counted over every operation of the window, not only the stored records. */
  attributions: InsightAttributions;
  provider: TrailProvider;
}

function emptyAttributions(): InsightAttributions {
  return { userAgent: {}, principalId: {}, apiRelated: {}, errorCode: {} };
}

function addAttributions(attributions: InsightAttributions, event: NormalizedEvent): void {
  const add = (counts: Record<string, number>, value: string | null): void => {
    if (value !== null) {
      counts[value] = (counts[value] ?? 0) + 1;
    }
  };
  add(attributions.userAgent, event.userAgent);
  add(attributions.principalId, event.principalId);
  add(attributions.apiRelated, event.eventName);
  add(attributions.errorCode, event.errorCode);
}

/**
 * Finds the original management event records of insights in trail files (the CLI's embedded demo:
 * `analyze` keeps only event ids), and counts their attributions. Reads the files once. Per
 * insight: the records whose (account, event id) is in `insight.eventIds`, first occurrence only,
 * in the insight's processing order; and the attributions of every operation of its window (the
 * valid events of its account, region and IP from its start to its end, each (account, event id)
 * once), as the streaming detector tallies them, so an insight of more than 100 operations is not
 * described by its first 100. Exact for `analyze` without a home region (the demo's setting).
 * Unreadable files are skipped, as `analyze` skips them.
 */
export async function collectManagementEvents(
  paths: readonly string[],
  insights: readonly IpInsight[],
): Promise<Map<string, CollectedEvents>> {
  const wanted = new Map<string, { insightId: string; index: number }>();
  const windows = new Map<
    string,
    Array<{ insightId: string; start: number; end: number; tally: InsightAttributions }>
  >();
  const windowKey = (accountId: string, region: string, ip: string): string =>
    `${accountId}\u0000${region}\u0000${ip}`;
  for (const insight of insights) {
    insight.eventIds.forEach((eventId, index) => {
      wanted.set(`${insight.accountId}\u0000${eventId}`, { insightId: insight.insightId, index });
    });
    const key = windowKey(insight.accountId, insight.region, insight.sourceIpAddress);
    const list = windows.get(key) ?? [];
    list.push({
      insightId: insight.insightId,
      start: Date.parse(insight.startTime),
      end: Date.parse(insight.endTime),
      tally: emptyAttributions(),
    });
    windows.set(key, list);
  }
  const found = new Map<string, Array<{ index: number; record: unknown }>>();
  const providers = new Map<string, TrailProvider>();
  const seen = new Set<string>();
  for await (const source of walkTrailPaths(paths)) {
    if (source.kind !== 'file') {
      continue;
    }
    let content: Uint8Array;
    try {
      content = await readTrailSource(source);
    } catch {
      continue;
    }
    for (const item of readTrailContent(content)) {
      if (item.kind !== 'record') {
        continue;
      }
      const normalized = normalizeRecord(item.value);
      if (!normalized.ok) {
        continue;
      }
      const { event } = normalized;
      const key = `${event.accountId}\u0000${event.eventId}`;
      if (event.sourceIp === null || seen.has(key)) {
        continue;
      }
      const window = windows
        .get(windowKey(event.accountId, event.region, event.sourceIp))
        ?.find(({ start, end }) => event.time >= start && event.time <= end);
      if (window === undefined) {
        continue;
      }
      seen.add(key);
      addAttributions(window.tally, event);
      const target = wanted.get(key);
      if (target !== undefined) {
        const list = found.get(target.insightId) ?? [];
        list.push({ index: target.index, record: item.value });
        found.set(target.insightId, list);
        if (target.index === 0) {
          providers.set(target.insightId, event.provider);
        }
      }
    }
  }
  const result = new Map<string, CollectedEvents>();
  for (const list of windows.values()) {
    for (const window of list) {
      const records = (found.get(window.insightId) ?? [])
        .sort((left, right) => left.index - right.index)
        .map((entry) => entry.record);
      result.set(window.insightId, {
        records,
        attributions: window.tally,
        provider: providers.get(window.insightId) ?? 'actiontrail',
      });
    }
  }
  return result;
}

/**
 * Attribution counts (SPEC §5 `attributions`) of records that are all of an insight's operations
 * (test fixtures); {@link collectManagementEvents} counts them from a trail.
 */
export function attributionsOf(records: readonly unknown[]): {
  attributions: InsightAttributions;
  provider: TrailProvider;
} {
  const attributions = emptyAttributions();
  let provider: TrailProvider = 'actiontrail';
  records.forEach((record, index) => {
    const normalized = normalizeRecord(record);
    if (!normalized.ok) {
      return;
    }
    if (index === 0) {
      provider = normalized.event.provider;
    }
    addAttributions(attributions, normalized.event);
  });
  return { attributions, provider };
}

/**
 * Entries for {@link MemoryInsightRepository} from `analyze` results and the trail they came from:
 * each confirmed insight with its management events and its insight events (`toInsightEvents`
 * with the attributions of every operation), and each window still open at the end whose IP is
 * unusual (`BatchResult.open`) as a provisional insight with its management events and no insight
 * events yet (they are delivered at the verdict, SPEC §5).
 */
export async function memoryEntriesFromTrail(
  paths: readonly string[],
  insights: readonly IpInsight[],
  provisional: readonly IpInsight[] = [],
): Promise<MemoryInsightEntry[]> {
  const events = await collectManagementEvents(paths, [...insights, ...provisional]);
  const confirmed = insights.map((insight): MemoryInsightEntry => {
    const collected = events.get(insight.insightId);
    return {
      insight,
      state: 'confirmed',
      managementEvents: collected?.records ?? [],
      insightEvents: toInsightEvents(
        insight,
        collected?.attributions ?? emptyAttributions(),
        collected?.provider ?? 'actiontrail',
      ),
    };
  });
  const open = provisional.map((insight): MemoryInsightEntry => ({
    insight,
    state: 'provisional',
    managementEvents: events.get(insight.insightId)?.records ?? [],
    insightEvents: [],
  }));
  return [...confirmed, ...open];
}
