import { normalizeRecord, readTrailContent } from '@trail-insight/events';
import { readTrailFile, walkTrailPaths } from '@trail-insight/trail-files';

import type { IpInsight } from '@trail-insight/insights';

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

/** Entries for {@link MemoryInsightRepository} from `analyze` results and the trail they came from. */
export async function memoryEntriesFromTrail(
  paths: readonly string[],
  insights: readonly IpInsight[],
  insightEventsOf?: (insight: IpInsight) => Array<Record<string, unknown>>,
): Promise<MemoryInsightEntry[]> {
  const events = await collectManagementEvents(paths, insights);
  return insights.map((insight) => ({
    insight,
    state: 'confirmed',
    managementEvents: events.get(insight.insightId) ?? [],
    insightEvents: insightEventsOf?.(insight) ?? [],
  }));
}
