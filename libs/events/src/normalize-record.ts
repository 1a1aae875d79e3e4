import { canonicalIp } from './ip-address';
import { parseJson } from './json-depth.util';
import { InvalidReason } from './normalized-event';
import { parseEventTime } from './event-time.util';

import type { NormalizeResult, TrailProvider } from './normalized-event';

type JsonObject = Record<string, unknown>;

const MAX_SAFE_MAGNITUDE = 2 ** 53;
const CLOUDTRAIL_GLOBAL_SOURCES = new Set(
  ['iam', 'sts', 'cloudfront', 'route53', 'signin', 'organizations'].map(
    (service) => `${service}.amazonaws.com`,
  ),
);

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function usableAccount(value: unknown): string | null {
  if (typeof value === 'string') {
    return value.length > 0 ? value : null;
  }
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    Math.abs(value) < MAX_SAFE_MAGNITUDE
  ) {
    return String(value);
  }
  return null;
}

function identityField(record: JsonObject, field: string): unknown {
  const identity = record['userIdentity'];
  return isObject(identity) ? identity[field] : undefined;
}

function isActionTrailGlobal(record: JsonObject, region: string): boolean {
  const flag = record['isGlobal'];
  return (
    flag === true ||
    (typeof flag === 'string' && flag.toLowerCase() === 'true') ||
    region === 'global'
  );
}

function invalid(reason: InvalidReason, detail: string): NormalizeResult {
  return { ok: false, reason, detail };
}

/** Decodes an SLS row (`event` holds the record as a JSON string) once; null when it is not JSON. */
function unwrapSlsRow(record: JsonObject): JsonObject | null {
  const event = record['event'];
  if (typeof event !== 'string') {
    return record;
  }
  const decoded = parseJson(event);
  return isObject(decoded) ? decoded : null;
}

/**
 * Turns one record of any SPEC §1 shape into a {@link NormalizedEvent}, or a typed invalid result.
 * Never throws on input data.
 */
export function normalizeRecord(input: unknown): NormalizeResult {
  if (!isObject(input)) {
    return invalid(InvalidReason.NotAnObject, 'record is not a JSON object');
  }
  const record = unwrapSlsRow(input);
  if (record === null) {
    return invalid(InvalidReason.BadSlsEvent, 'SLS row field "event" is not a JSON object');
  }
  const provider: TrailProvider = 'awsRegion' in record ? 'cloudtrail' : 'actiontrail';
  const isCloudTrail = provider === 'cloudtrail';

  const time = parseEventTime(record['eventTime']);
  if (time === null) {
    return invalid(InvalidReason.InvalidTime, 'eventTime is missing or not a time');
  }
  const eventId = nonEmptyString(record[isCloudTrail ? 'eventID' : 'eventId']);
  if (eventId === null) {
    return invalid(InvalidReason.MissingEventId, 'event id is missing or empty');
  }
  const accountCandidates = isCloudTrail
    ? [record['recipientAccountId'], identityField(record, 'accountId')]
    : [identityField(record, 'accountId'), record['recipientAccountId']];
  let accountId: string | null = null;
  for (const candidate of accountCandidates) {
    accountId = usableAccount(candidate);
    if (accountId !== null) {
      break;
    }
  }
  if (accountId === null) {
    return invalid(InvalidReason.MissingAccount, 'no usable account id');
  }
  const region = nonEmptyString(record[isCloudTrail ? 'awsRegion' : 'acsRegion']);
  if (region === null) {
    return invalid(InvalidReason.MissingRegion, 'region is missing or empty');
  }
  const eventSource = record['eventSource'];
  const isGlobal = isCloudTrail
    ? typeof eventSource === 'string' && CLOUDTRAIL_GLOBAL_SOURCES.has(eventSource)
    : isActionTrailGlobal(record, region);

  return {
    ok: true,
    event: {
      time,
      eventId,
      accountId,
      region,
      isGlobal,
      sourceIp: canonicalIp(record[isCloudTrail ? 'sourceIPAddress' : 'sourceIpAddress']),
      provider,
      userAgent: optionalString(record['userAgent']),
      principalId: optionalString(identityField(record, 'principalId')),
      eventName: optionalString(record['eventName']),
      errorCode: optionalString(record['errorCode']),
    },
  };
}
