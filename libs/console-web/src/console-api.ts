import { parseCidr } from '@trail-insight/events';
import type { z } from 'zod';

import { ConsoleApiErrorCode, ConsoleApiException } from './console-api.exception';
import { INSIGHT_STATES } from './console-web.types';
import {
  DEFAULT_EVENT_PAGE_SIZE,
  DEFAULT_PAGE_SIZE,
  EventPageQuerySchema,
  InsightIdParamSchema,
  InsightListQuerySchema,
  IpInsightsQuerySchema,
  IpParamSchema,
} from './insight-query.schema';

import type {
  InsightDetail,
  InsightFilter,
  InsightListing,
  InsightRecord,
  InsightSummary,
  ManagementEventPage,
} from './console-web.types';
import type { InsightQueryRepository } from './insight-query.repository';
import type { InsightListQuery } from './insight-query.schema';

/** The console shows this many days back from the source's reference time (SPEC §6). */
export const CONSOLE_HORIZON_DAYS = 90;
const HORIZON_MS = CONSOLE_HORIZON_DAYS * 86_400_000;

/** `GET /api/info`: what the page needs to set up its filters. */
export interface ConsoleInfo {
  source: string;
  referenceTime: string;
  horizonStart: string;
  horizonDays: number;
  states: readonly string[];
}

/** Raw request input: query strings as parsed by Express or `URLSearchParams` (repeats → arrays). */
export type RawQuery = Record<string, unknown>;

function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  where: string,
): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) {
    return result.data;
  }
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.length > 0 ? issue.path.map(String).join('.') : where,
    message: issue.message,
  }));
  throw new ConsoleApiException(
    ConsoleApiErrorCode.InvalidRequest,
    `invalid ${where}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
    issues,
  );
}

function toSummary(record: InsightRecord): InsightSummary {
  const { insight } = record;
  return {
    insightId: insight.insightId,
    insightType: insight.insightType,
    state: record.state,
    accountId: insight.accountId,
    region: insight.region,
    sourceIpAddress: insight.sourceIpAddress,
    startTime: insight.startTime,
    endTime: insight.endTime,
    verdictTime: insight.verdictTime,
    durationSeconds: (Date.parse(insight.endTime) - Date.parse(insight.startTime)) / 1000,
    eventCount: insight.eventCount,
    heterogeneity: insight.heterogeneity,
    predictedValue: insight.predictedValue,
    threshold: insight.threshold,
  };
}

/** Newest first; ties by id so pages are stable. */
function compareNewestFirst(left: InsightRecord, right: InsightRecord): number {
  const byStart = Date.parse(right.insight.startTime) - Date.parse(left.insight.startTime);
  if (byStart !== 0) {
    return byStart;
  }
  return left.insight.insightId < right.insight.insightId ? -1 : 1;
}

/**
 * The query API of SPEC §6 without any HTTP framework: validates raw parameters with zod, reads the
 * repository, shapes the answers. Failures are {@link ConsoleApiException}s carrying their status.
 * Served by Nest in `services/console` and by {@link startConsoleServer} in the CLI's demo.
 */
export class ConsoleApi {
  constructor(private readonly repository: InsightQueryRepository) {}

  info(): ConsoleInfo {
    const reference = this.repository.referenceTime();
    return {
      source: this.repository.description,
      referenceTime: new Date(reference).toISOString(),
      horizonStart: new Date(reference - HORIZON_MS).toISOString(),
      horizonDays: CONSOLE_HORIZON_DAYS,
      states: INSIGHT_STATES,
    };
  }

  async listInsights(query: RawQuery): Promise<InsightListing> {
    const parsed = parseOrThrow(InsightListQuerySchema, query, 'query');
    return this.list(parsed, parsed.ip ?? null);
  }

  async ipInsights(ip: string, query: RawQuery): Promise<InsightListing> {
    const address = parseOrThrow(IpParamSchema, ip, 'ip');
    const parsed = parseOrThrow(IpInsightsQuerySchema, query, 'query');
    const block = parseCidr(address);
    if (block === null) {
      throw new ConsoleApiException(ConsoleApiErrorCode.InvalidRequest, `not an IP address: ${ip}`);
    }
    return this.list(parsed, block);
  }

  async getInsight(insightId: string): Promise<InsightDetail> {
    const id = parseOrThrow(InsightIdParamSchema, insightId, 'id');
    const record = await this.read(() => this.repository.get(id));
    if (record === null) {
      throw new ConsoleApiException(ConsoleApiErrorCode.NotFound, `no insight ${id}`);
    }
    return {
      ...toSummary(record),
      insight: record.insight,
      insightEvents: record.insightEvents,
      storedEventCount: record.storedEventCount,
    };
  }

  async insightEvents(insightId: string, query: RawQuery): Promise<ManagementEventPage> {
    const id = parseOrThrow(InsightIdParamSchema, insightId, 'id');
    const { offset = 0, limit = DEFAULT_EVENT_PAGE_SIZE } = parseOrThrow(
      EventPageQuerySchema,
      query,
      'query',
    );
    const record = await this.read(() => this.repository.get(id));
    const page =
      record === null
        ? null
        : await this.read(() => this.repository.managementEvents(id, offset, limit));
    if (record === null || page === null) {
      throw new ConsoleApiException(ConsoleApiErrorCode.NotFound, `no insight ${id}`);
    }
    return {
      insightId: id,
      eventCount: record.insight.eventCount,
      total: page.total,
      offset,
      limit,
      events: page.events,
    };
  }

  private async list(
    query: Omit<InsightListQuery, 'ip'>,
    ip: InsightFilter['ip'],
  ): Promise<InsightListing> {
    const reference = this.repository.referenceTime();
    const horizonStart = reference - HORIZON_MS;
    const from = Math.max(query.from ?? horizonStart, horizonStart);
    const filter: InsightFilter = {
      from,
      to: query.to ?? null,
      region: query.region ?? null,
      ip,
      states: query.state ?? null,
      accountId: query.account ?? null,
    };
    const offset = query.offset ?? 0;
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const records = await this.read(() => this.repository.find(filter));
    records.sort(compareNewestFirst);
    return {
      from: new Date(from).toISOString(),
      to: filter.to === null ? null : new Date(filter.to).toISOString(),
      total: records.length,
      offset,
      limit,
      items: records.slice(offset, offset + limit).map(toSummary),
    };
  }

  private async read<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ConsoleApiException) {
        throw error;
      }
      throw new ConsoleApiException(
        ConsoleApiErrorCode.SourceUnavailable,
        'the insight store did not answer; try again',
        [],
        { cause: error },
      );
    }
  }
}
