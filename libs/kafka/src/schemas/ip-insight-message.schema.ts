import { z } from 'zod';

import type { InsightAttributions, IpInsight } from '@trail-insight/insights';

const isoMillis = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'expected YYYY-MM-DDThh:mm:ss.sssZ');

/** SPEC §5 IPInsight. */
export const ipInsightSchema = z.object({
  insightType: z.literal('IPInsight'),
  insightId: z.string().regex(/^[0-9a-f]{64}$/, 'expected lower-case hex SHA-256'),
  accountId: z.string().min(1),
  region: z.string().min(1),
  sourceIpAddress: z.string().min(1),
  startTime: isoMillis,
  endTime: isoMillis,
  verdictTime: isoMillis,
  eventCount: z.number().int().min(1),
  heterogeneity: z.number(),
  predictedValue: z.number(),
  threshold: z.number(),
  buckets: z
    .array(
      z.object({
        startTime: isoMillis,
        durationSeconds: z.number().int().positive(),
        count: z.number().int().min(1),
      }),
    )
    .min(1),
  eventIds: z.array(z.string()),
  signals: z.array(z.string()).optional(),
}) satisfies z.ZodType<IpInsight>;

const valueCounts = z.record(z.string(), z.number().int().min(0));

/**
 * Per attribute, how many operations of the window had each value: the top `MAX_ATTRIBUTION_VALUES`
 * (20, @trail-insight/insights) by count, ties by value — build it with `topAttributionValues`;
 * operations whose field is null are not counted. `apiRelated` is the event name.
 */
export const ipInsightAttributionsSchema = z.object({
  userAgent: valueCounts,
  principalId: valueCounts,
  apiRelated: valueCounts,
  errorCode: valueCounts,
}) satisfies z.ZodType<InsightAttributions>;

/** Most management events an `ip-insights` message may carry (as `IpInsight.eventIds`). */
export const MAX_MESSAGE_MANAGEMENT_EVENTS = 100;

/**
 * Wire format of `ip-insights` (detector → aggregator), keyed by account id: an IPInsight with the
 * trail family it came from and the window's attribution counts. `confirmed`: its verdict came
 * (SPEC §3.5), it is delivered as insight events; `dismissed`: a provisional insight that ended
 * without one (the IP turned usual, or the account's baseline was not met), kept for the console. `managementEvents`
 * (optional): the first ≤ 100 associated management events of the window as JSON records, in
 * processing order, when the producer has them; the aggregator stores them for the console.
 */
export const ipInsightMessageSchema = z.object({
  insight: ipInsightSchema,
  provider: z.enum(['actiontrail', 'cloudtrail']),
  attributions: ipInsightAttributionsSchema,
  state: z.enum(['confirmed', 'dismissed']),
  managementEvents: z
    .array(z.record(z.string(), z.unknown()))
    .max(MAX_MESSAGE_MANAGEMENT_EVENTS)
    .optional(),
});

export type IpInsightMessage = z.infer<typeof ipInsightMessageSchema>;
