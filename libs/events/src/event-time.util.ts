const TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/;
const MS_PER_MINUTE = 60_000;
const MIN_INSTANT = -62_135_596_800_000; // 0001-01-01T00:00:00.000Z
const MAX_INSTANT = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

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
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function parseOffsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z') {
    return 0;
  }
  const digits = zone.slice(1).replace(':', '');
  if (digits.length !== 4) {
    return null;
  }
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) {
    return null;
  }
  const sign = zone.startsWith('-') ? -1 : 1;
  return sign * (hours * 60 + minutes);
}

/**
 * Parses an event time as SPEC §1 defines it, or returns null when the value is not a time.
 * Works in integer milliseconds over the proleptic Gregorian calendar, years 0001..9999.
 */
export function parseEventTime(value: unknown): number | null {
  if (typeof value !== 'string') {
    return null;
  }
  const match = TIME_PATTERN.exec(value);
  if (match === null) {
    return null;
  }
  const [, y, mo, d, h, mi, s, fraction, zone] = match as unknown as string[];
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return null;
  }
  const offset = parseOffsetMinutes(zone);
  if (offset === null) {
    return null;
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
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
