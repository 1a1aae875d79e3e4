const STAMP = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z/;
const COMPACT_STAMP = /(?:^|[_-])(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?=[_.-]|$)/;
const DATE_FOLDERS = /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})(?:\/|$)/;

/**
 * The time a delivery file's name or folders announce (`…_20230710T1220Z_…` in S3 object names,
 * `…_20260303220000_…` in ActionTrail OSS names, else `…/yyyy/mm/dd/…` folders), or -Infinity when there is none. Only a hint: readers must verify.
 */
export function deliveryTimeHint(path: string): number {
  const normalized = path.replace(/\\/g, '/');
  const name = normalized.slice(normalized.lastIndexOf('/') + 1);
  const stamp = STAMP.exec(name) ?? COMPACT_STAMP.exec(name);
  if (stamp !== null) {
    const [, y = 0, mo = 1, d, h, mi] = stamp.map(Number);
    return Date.UTC(y, mo - 1, d, h, mi);
  }
  const folders = DATE_FOLDERS.exec(normalized);
  if (folders !== null) {
    const [, y = 0, mo = 1, d] = folders.map(Number);
    return Date.UTC(y, mo - 1, d);
  }
  return Number.NEGATIVE_INFINITY;
}
