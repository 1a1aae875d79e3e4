import { z } from 'zod';

import type { NormalizedEvent } from '@trail-insight/events';

/**
 * Wire format of `normalized-events` (ingest → detector): a NormalizedEvent as JSON, keyed by
 * account id. `time` is integer epoch ms within SPEC §1's range.
 */
export const normalizedEventSchema = z.object({
  time: z.number().int().min(-62_135_596_800_000).max(253_402_300_799_999),
  eventId: z.string().min(1),
  accountId: z.string().min(1),
  region: z.string().min(1),
  isGlobal: z.boolean(),
  sourceIp: z.string().min(1).nullable(),
  provider: z.enum(['actiontrail', 'cloudtrail']),
  userAgent: z.string().nullable(),
  principalId: z.string().nullable(),
  eventName: z.string().nullable(),
  errorCode: z.string().nullable(),
}) satisfies z.ZodType<NormalizedEvent>;

/** Header on `normalized-events` messages naming the payload schema and version. */
export const NORMALIZED_EVENT_SCHEMA_HEADER = { schema: 'normalized-event.v1' } as const;
