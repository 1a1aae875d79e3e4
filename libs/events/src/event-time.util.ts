const MS_PER_MINUTE = 60_000;
const MIN_INSTANT = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const MAX_INSTANT = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
/** `YYYY-MM-DDThh:mm:ss`: the shortest time text. */
const BASE_LENGTH = 19;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const CHAR = {
  dash: 0x2d,
  colon: 0x3a,
  dot: 0x2e,
  plus: 0x2b,
  space: 0x20,
  T: 0x54,
  Z: 0x5a,
} as const;

/** The ASCII digits `text[at, at + count)` as a number, or -1 when one is not a digit. */
function digitsAt(text: string, at: number, count: number): number {
  if (at + count > text.length) {
    return -1;
  }
  let value = 0;
  for (let index = at; index < at + count; index += 1) {
    const code = text.charCodeAt(index);
    if (code < DIGIT_0 || code > DIGIT_9) {
      return -1;
    }
    value = value * 10 + code - DIGIT_0;
  }
  return value;
}

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parses an event time as SPEC §1 defines it, or returns null when the value is not a time.
 * Works in integer milliseconds over the proleptic Gregorian calendar, years 0001..9999.
 */
export function parseEventTime(value: unknown): number | null {
  // Scans `YYYY-MM-DD[T ]hh:mm:ss[.f+][Z|±hh[:]mm]` by character codes: the hot path of every
  // record, where a regular expression's match array and substrings cost more than the rest.
  if (typeof value !== 'string' || value.length < BASE_LENGTH) {
    return null;
  }
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  const hour = digitsAt(value, 11, 2);
  const minute = digitsAt(value, 14, 2);
  const second = digitsAt(value, 17, 2);
  const separator = value.charCodeAt(10);
  if (
    year < 0 ||
    month < 0 ||
    day < 0 ||
    hour < 0 ||
    minute < 0 ||
    second < 0 ||
    value.charCodeAt(4) !== CHAR.dash ||
    value.charCodeAt(7) !== CHAR.dash ||
    (separator !== CHAR.T && separator !== CHAR.space) ||
    value.charCodeAt(13) !== CHAR.colon ||
    value.charCodeAt(16) !== CHAR.colon
  ) {
    return null;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  let index = BASE_LENGTH;
  let millis = 0;
  if (value.charCodeAt(index) === CHAR.dot) {
    index += 1;
    const start = index;
    while (index < value.length) {
      const code = value.charCodeAt(index);
      if (code < DIGIT_0 || code > DIGIT_9) {
        break;
      }
      if (index - start < 3) {
        millis += (code - DIGIT_0) * 10 ** (2 - (index - start));
      }
      index += 1;
    }
    if (index === start) {
      return null;
    }
  }
  let offset = 0;
  if (index < value.length) {
    const zone = value.charCodeAt(index);
    if (zone === CHAR.Z) {
      index += 1;
    } else if (zone === CHAR.plus || zone === CHAR.dash) {
      const hours = digitsAt(value, index + 1, 2);
      index += value.charCodeAt(index + 3) === CHAR.colon ? 4 : 3;
      const minutes = digitsAt(value, index, 2);
      index += 2;
      if (hours < 0 || minutes < 0 || hours > 23 || minutes > 59) {
        return null;
      }
      offset = (zone === CHAR.dash ? -1 : 1) * (hours * 60 + minutes);
    } else {
      return null;
    }
  }
  if (index !== value.length) {
    return null;
  }
  const instant =
    daysFromCivil(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * MS_PER_MINUTE +
    second * 1000 +
    millis -
    offset * MS_PER_MINUTE;
  if (instant < MIN_INSTANT || instant > MAX_INSTANT) {
    return null;
  }
  return instant;
}

/** Formats epoch milliseconds as `YYYY-MM-DDThh:mm:ss.sssZ` (four-digit years only, SPEC §5). */
export function formatEventTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
