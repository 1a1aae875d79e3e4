import fc from 'fast-check';

import { formatEventTime, parseEventTime } from './event-time.util';

/** SPEC §1's time grammar as one regular expression, and Date's arithmetic: the scanner's oracle. */
function referenceEventTime(text: string): number | null {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      text,
    );
  if (match === null) {
    return null;
  }
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match
    .slice(1, 7)
    .map(Number);
  const fraction = match[7];
  const zone = match[8] ?? 'Z';
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }
  const zoneDigits = zone === 'Z' ? '0000' : zone.slice(1).replace(':', '');
  const zoneHours = Number(zoneDigits.slice(0, 2));
  const zoneMinutes = Number(zoneDigits.slice(2));
  if (zoneHours > 23 || zoneMinutes > 59) {
    return null;
  }
  const offset = (zone.startsWith('-') ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const instant =
    date.getTime() + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis - offset * 60_000;
  return instant < -62_135_596_800_000 || instant > 253_402_300_799_999 ? null : instant;
}

describe(parseEventTime.name, () => {
  it.each([
    ['2026-03-10T02:03:04Z', Date.UTC(2026, 2, 10, 2, 3, 4)],
    ['2026-03-10 02:03:04', Date.UTC(2026, 2, 10, 2, 3, 4)],
    ['2026-03-10T02:03:04.5Z', Date.UTC(2026, 2, 10, 2, 3, 4, 500)],
    ['2026-03-10T02:03:04.123999Z', Date.UTC(2026, 2, 10, 2, 3, 4, 123)],
    ['2026-03-10T02:03:04+08:00', Date.UTC(2026, 2, 9, 18, 3, 4)],
    ['2026-03-10T02:03:04-0130', Date.UTC(2026, 2, 10, 3, 33, 4)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['0001-01-01T00:00:00Z', -62_135_596_800_000],
    ['9999-12-31T23:59:59.999Z', 253_402_300_799_999],
    ['0000-12-31T23:30:00-01:00', -62_135_595_000_000],
    ['2026-03-10T02:03:04+23:59', Date.UTC(2026, 2, 9, 2, 4, 4)],
  ])('parses %s', (text, expected) => {
    expect(parseEventTime(text)).toBe(expected);
  });

  it.each([
    '2026-03-10',
    'redacted',
    '2026-03-10T02:03:60Z',
    '2026-03-10T24:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-01T00:00:00Z',
    '2026-03-10t02:03:04Z',
    '2026-03-10T02:03:04z',
    ' 2026-03-10T02:03:04Z',
    '2026-03-10T02:03:04Z ',
    '2026-03-10T02:03:04.Z',
    '2026-03-10T02:03:04+24:00',
    '2026-03-10T02:03:04+08:60',
    '2026-03-10T02:03:04+8:00',
    '2026-03-10T02:03:04+08',
    '2026-03-10T2:03:04Z',
    '２０２６-03-10T02:03:04Z',
    '0001-01-01T00:30:00+01:00',
    '9999-12-31T23:00:00-01:00',
    '0000-01-01T00:00:00Z',
  ])('rejects %j', (text) => {
    expect(parseEventTime(text)).toBeNull();
  });

  it.each([[1_700_000_000], [null], [undefined], [{}]])('rejects the non-string %j', (value) => {
    expect(parseEventTime(value)).toBeNull();
  });

  it('agrees with the grammar as a regular expression on near-times', () => {
    const digits = (count: number) =>
      fc
        .array(fc.constantFrom(...'0123456789'), { minLength: count, maxLength: count })
        .map((chars) => chars.join(''));
    const part = (count: number, max = 10 ** count - 1) =>
      fc.oneof(
        {
          arbitrary: fc.integer({ min: 0, max }).map((n) => String(n).padStart(count, '0')),
          weight: 6,
        },
        { arbitrary: fc.oneof(digits(count), digits(count - 1), digits(count + 1)), weight: 1 },
      );
    const zone = fc.oneof(
      fc.constant(''),
      fc.constantFrom('Z', 'z', '+', '-', ' '),
      fc
        .tuple(fc.constantFrom('+', '-'), part(2, 24), fc.constantFrom(':', ''), part(2, 60))
        .map((parts) => parts.join('')),
    );
    const fraction = fc.oneof(
      fc.constant(''),
      fc.constant('.'),
      fc.integer({ min: 1, max: 8 }).chain((count) => digits(count).map((text) => `.${text}`)),
    );
    const time = fc
      .tuple(
        part(4),
        fc.constantFrom('-', '-', '/'),
        part(2, 13),
        fc.constant('-'),
        part(2, 32),
        fc.constantFrom('T', ' ', 't'),
        part(2, 24),
        fc.constant(':'),
        part(2, 60),
        fc.constantFrom(':', ':', '.'),
        part(2, 60),
        fraction,
        zone,
      )
      .map((parts) => parts.join(''));
    let times = 0;
    fc.assert(
      fc.property(time, (text) => {
        const expected = referenceEventTime(text);
        times += expected === null ? 0 : 1;
        expect(parseEventTime(text)).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
    // both outcomes are exercised, not only rejections
    expect(times).toBeGreaterThan(500);
    expect(times).toBeLessThan(18_000);
  });
});

describe(formatEventTime.name, () => {
  it('writes milliseconds and Z, with four-digit years', () => {
    expect(formatEventTime(Date.UTC(2026, 2, 10, 2, 3, 4))).toBe('2026-03-10T02:03:04.000Z');
    expect(formatEventTime(-62_135_596_800_000)).toBe('0001-01-01T00:00:00.000Z');
  });
});
