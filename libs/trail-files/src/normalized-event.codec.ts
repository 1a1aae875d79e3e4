import type { NormalizedEvent } from '@trail-insight/events';

import type { LineCodec } from './external-sorter';

/** Spill format of a normalized event: a positional JSON array. */
export const NORMALIZED_EVENT_CODEC: LineCodec<NormalizedEvent> = {
  encode: (e) =>
    JSON.stringify([
      e.time,
      e.eventId,
      e.accountId,
      e.region,
      e.isGlobal,
      e.sourceIp,
      e.provider,
      e.userAgent,
      e.principalId,
      e.eventName,
      e.errorCode,
    ]),
  decode: (line) => {
    const [
      time,
      eventId,
      accountId,
      region,
      isGlobal,
      sourceIp,
      provider,
      userAgent,
      principalId,
      eventName,
      errorCode,
    ] = JSON.parse(line) as [
      number,
      string,
      string,
      string,
      boolean,
      string | null,
      NormalizedEvent['provider'],
      string | null,
      string | null,
      string | null,
      string | null,
    ];
    return {
      time,
      eventId,
      accountId,
      region,
      isGlobal,
      sourceIp,
      provider,
      userAgent,
      principalId,
      eventName,
      errorCode,
    };
  },
};
