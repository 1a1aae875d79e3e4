const MS_PER_DAY = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, value) => value.toString().padStart(2, '0'));
const dayPrefixes = new Map<number, string>();

/**
 * `YYYY-MM-DDThh:mm:ssZ` for an epoch-millisecond time (milliseconds dropped), as trails write
 * `eventTime`. Day prefixes are cached, so formatting costs a few string concatenations.
 */
export function formatEventTime(time: number): string {
  const day = Math.floor(time / MS_PER_DAY);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = `${new Date(day * MS_PER_DAY).toISOString().slice(0, 10)}T`;
    dayPrefixes.set(day, prefix);
  }
  const seconds = Math.floor((time - day * MS_PER_DAY) / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds % 60]}Z`;
}
