import { normalizeRecord, readTrailContent } from '@trail-insight/events';
import { toInsightEvents } from '@trail-insight/insights';
import { readTrailFile, walkTrailPaths } from '@trail-insight/trail-files';

import type { TrailProvider } from '@trail-insight/events';
import type { InsightAttributions, InsightEvent, IpInsight } from '@trail-insight/insights';

import type { MemoryInsightEntry } from './memory-insight.repository';

/**
 * Finds the original management event records of insights in trail files (the CLI's embedded demo:
 * `analyze` keeps only event ids). Reads the files once; keeps, per insight, the records whose
 * (account, event id) is in `insight.eventIds` (the first 100, SPEC §5), first occurrence only, in
 * the insight's processing order. Unreadable files are skipped, as `analyze` skips them.
 */
export async function collectManagementEvents(
  paths: readonly string[],
  insights: readonly IpInsight[],
): Promise<Map<string, unknown[]>> {
  const wanted = new Map<string, { insightId: string; index: number }>();
  for (const insight of insights) {
    insight.eventIds.forEach((eventId, index) => {
      wanted.set(`${insight.accountId}\u0000${eventId}`, { insightId: insight.insightId, index });
    });
  }
  const found = new Map<string, Array<{ index: number; record: unknown }>>();
  const seen = new Set<string>();
  for await (const source of walkTrailPaths(paths)) {
    if (source.kind !== 'file') {
      continue;
    }
    let content: Uint8Array;
    try {
      content = await readTrailFile(source.path, source.gzip);
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
      const key = `${normalized.event.accountId}\u0000${normalized.event.eventId}`;
      const target = wanted.get(key);
      if (target === undefined || seen.has(key)) {
        continue;
      }
      seen.add(key);
      const list = found.get(target.insightId) ?? [];
      list.push({ index: target.index, record: item.value });
      found.set(target.insightId, list);
    }
  }
  const result = new Map<string, unknown[]>();
  for (const insight of insights) {
    const list = found.get(insight.insightId) ?? [];
    result.set(
      insight.insightId,
      list.sort((left, right) => left.index - right.index).map((entry) => entry.record),
    );
  }
  return result;
}

/**
 * Attribution counts (SPEC §5 `attributions`) of an insight from its collected records: exact when
 * the insight has at most 100 operations (all of them are collected), else from the first 100.
 */
export function attributionsOf(records: readonly unknown[]): {
  attributions: InsightAttributions;
  provider: TrailProvider;
} {
  const attributions: InsightAttributions = {
    userAgent: {},
    principalId: {},
    apiRelated: {},
    errorCode: {},
  };
  let provider: TrailProvider = 'actiontrail';
  const add = (counts: Record<string, number>, value: string | null): void => {
    if (value !== null) {
      counts[value] = (counts[value] ?? 0) + 1;
    }
  };
  records.forEach((record, index) => {
    const normalized = normalizeRecord(record);
    if (!normalized.ok) {
      return;
    }
    const { event } = normalized;
    if (index === 0) {
      provider = event.provider;
    }
    add(attributions.userAgent, event.userAgent);
    add(attributions.principalId, event.principalId);
    add(attributions.apiRelated, event.eventName);
    add(attributions.errorCode, event.errorCode);
  });
  return { attributions, provider };
}

/**
 * Entries for {@link MemoryInsightRepository} from `analyze` results and the trail they came from:
 * each confirmed insight with its management events and its insight events (`toInsightEvents`
 * with {@link attributionsOf} unless `insightEventsOf` is given).
 */
export async function memoryEntriesFromTrail(
  paths: readonly string[],
  insights: readonly IpInsight[],
  insightEventsOf?: (insight: IpInsight, records: readonly unknown[]) => InsightEvent[],
): Promise<MemoryInsightEntry[]> {
  const events = await collectManagementEvents(paths, insights);
  return insights.map((insight) => {
    const records = events.get(insight.insightId) ?? [];
    const { attributions, provider } = attributionsOf(records);
    return {
      insight,
      state: 'confirmed',
      managementEvents: records,
      insightEvents:
        insightEventsOf?.(insight, records) ?? toInsightEvents(insight, attributions, provider),
    };
  });
}
