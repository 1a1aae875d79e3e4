import { parseCidr, parseEventTime, parseIpAddress } from '@trail-insight/events';
import { z } from 'zod';

import { INSIGHT_STATES } from './console-web.types';

import type { InsightState } from './console-web.types';

/** Listings return at most this many rows per page. */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 200;
/** Management events per page of `GET /api/insights/:id/events`. */
export const MAX_EVENT_PAGE_SIZE = 500;
export const DEFAULT_EVENT_PAGE_SIZE = 100;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const EPOCH_MS = /^-?\d{1,16}$/;
const INSIGHT_ID = /^[0-9a-f]{64}$/;

/** Epoch ms, `YYYY-MM-DD` (UTC midnight) or a SPEC §1 time (`2026-03-10T02:03:04Z`, offsets too). */
export function parseQueryTime(text: string): number | null {
  if (EPOCH_MS.test(text)) {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : null;
  }
  if (DATE_ONLY.test(text)) {
    return parseEventTime(`${text}T00:00:00Z`);
  }
  return parseEventTime(text);
}

const timeParam = z
  .string()
  .transform((text, context) => {
    const value = parseQueryTime(text);
    if (value === null) {
      context.addIssue({
        code: 'custom',
        message: `not a time: ${JSON.stringify(text)} (use ISO 8601 like 2026-03-10T02:03:04Z, a date YYYY-MM-DD, or epoch milliseconds)`,
      });
      return z.NEVER;
    }
    return value;
  })
  .optional();

const ipOrCidrParam = z
  .string()
  .transform((text, context) => {
    const cidr = parseCidr(text.trim());
    if (cidr === null) {
      context.addIssue({
        code: 'custom',
        message: `not an IP address or CIDR: ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    return cidr;
  })
  .optional();

const statesParam = z
  .string()
  .transform((text, context) => {
    const states = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    const unknown = states.filter(
      (state) => !(INSIGHT_STATES as readonly string[]).includes(state),
    );
    if (unknown.length > 0 || states.length === 0) {
      context.addIssue({
        code: 'custom',
        message: `unknown state ${JSON.stringify(unknown[0] ?? text)}: use ${INSIGHT_STATES.join(', ')} (comma-separated for several)`,
      });
      return z.NEVER;
    }
    return [...new Set(states)] as InsightState[];
  })
  .optional();

function countParam(max: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'must be a non-negative integer')
    .transform(Number)
    .pipe(z.number().max(max, `must be at most ${max}`))
    .optional();
}

const nonEmpty = z.string().trim().min(1, 'must not be empty').max(256).optional();

const listFields = {
  from: timeParam,
  to: timeParam,
  region: nonEmpty,
  state: statesParam,
  account: nonEmpty,
  offset: countParam(1_000_000),
  limit: countParam(MAX_PAGE_SIZE),
};

/** Query of `GET /api/insights`. Unknown parameters are rejected so a typo is not a silent no-op. */
export const InsightListQuerySchema = z
  .strictObject({ ...listFields, ip: ipOrCidrParam })
  .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, {
    message: '`from` must be before `to`',
    path: ['from'],
  });
export type InsightListQuery = z.output<typeof InsightListQuerySchema>;

/** Query of `GET /api/ips/:ip/insights`: the listing filters except `ip`, which is in the path. */
export const IpInsightsQuerySchema = z
  .strictObject(listFields)
  .refine((query) => query.from === undefined || query.to === undefined || query.from < query.to, {
    message: '`from` must be before `to`',
    path: ['from'],
  });
export type IpInsightsQuery = z.output<typeof IpInsightsQuerySchema>;

/** Path parameter `:ip`: one address (not a block), canonicalized (RFC 5952, IPv4-mapped folded). */
export const IpParamSchema = z.string().transform((text, context) => {
  const address = parseIpAddress(text.trim());
  if (address === null) {
    context.addIssue({ code: 'custom', message: `not an IP address: ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return address.text;
});

/** Path parameter `:id`: an insight id is the lower-case hex SHA-256 of SPEC §5. */
export const InsightIdParamSchema = z
  .string()
  .regex(INSIGHT_ID, 'an insight id is 64 lower-case hex digits (SHA-256)');

/** Query of `GET /api/insights/:id/events`. */
export const EventPageQuerySchema = z.strictObject({
  offset: countParam(1_000_000),
  limit: countParam(MAX_EVENT_PAGE_SIZE),
});
export type EventPageQuery = z.output<typeof EventPageQuerySchema>;
