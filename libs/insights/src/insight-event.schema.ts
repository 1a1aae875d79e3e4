import { z } from 'zod';

import { INSIGHT_ATTRIBUTES, InsightEventState } from './insight-event';

import type { InsightEvent } from './insight-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Validates a SPEC §5 insight event (what `insight-events` and the sinks carry). Strict: unknown
 * keys are rejected, so consumers can rely on the exact structure.
 */
export const insightEventSchema = z.strictObject({
  eventVersion: z.literal('1'),
  eventType: z.literal('ActionTrailInsight'),
  eventCategory: z.literal('Insight'),
  eventId: z.string().regex(UUID, 'expected a version-5-style UUID'),
  sharedEventId: z.string().regex(/^[0-9a-f]{64}$/, 'expected the insight id'),
  eventTime: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'expected YYYY-MM-DDThh:mm:ssZ'),
  acsRegion: z.string().min(1),
  awsRegion: z.string().min(1).optional(),
  recipientAccountId: z.string().min(1),
  insightDetails: z.strictObject({
    state: z.enum(InsightEventState),
    insightType: z.literal('IpInsight'),
    insightObject: z.string().min(1),
    sourceIpAddress: z.string().min(1),
    insightContext: z.strictObject({
      statistics: z.strictObject({
        insight: z.number().int().min(1),
        insightDuration: z.literal(5),
        insightCount: z.number().int().min(1),
        baseline: z.literal(0),
      }),
      attributions: z
        .array(
          z.strictObject({
            attribute: z.enum(INSIGHT_ATTRIBUTES),
            insight: z.array(z.strictObject({ value: z.string(), average: z.number().min(0) })),
          }),
        )
        .length(INSIGHT_ATTRIBUTES.length),
      heterogeneity: z.strictObject({
        value: z.number(),
        predictedValue: z.number(),
        threshold: z.number(),
        signals: z.array(z.string()).optional(),
      }),
    }),
  }),
}) satisfies z.ZodType<InsightEvent>;
