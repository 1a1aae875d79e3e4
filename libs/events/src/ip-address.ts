/** A parsed IP address: IPv4-mapped IPv6 is folded to IPv4 (SPEC §1). */
export interface IpAddress {
  version: 4 | 6;
  /** Canonical text: dotted decimal, or RFC 5952 (lower case, longest zero run compressed). */
  text: string;
  /** The address as an unsigned 32-bit (v4) or 128-bit (v6) integer. */
  value: bigint;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const MAPPED_PREFIX = 0xffffn << 32n;
const V4_MASK = 0xffff_ffffn;

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const DOT = 0x2e;

/**
 * Strict dotted decimal (four octets ≤ 255 without leading zeros) as an unsigned 32-bit value, or
 * null. Scanned by character codes: it runs for every record's source IP. Strict text is its own
 * canonical form ({@link canonicalIp}).
 */
function parseIpv4Value(text: string): number | null {
  const length = text.length;
  if (length < 7 || length > 15) {
    return null;
  }
  let value = 0;
  let index = 0;
  for (let octet = 1; ; octet += 1) {
    const start = index;
    let part = 0;
    while (index < length) {
      const code = text.charCodeAt(index);
      if (code < DIGIT_0 || code > DIGIT_9) {
        break;
      }
      part = part * 10 + code - DIGIT_0;
      index += 1;
    }
    const digits = index - start;
    if (
      digits === 0 ||
      digits > 3 ||
      part > 255 ||
      (digits > 1 && text.charCodeAt(start) === DIGIT_0)
    ) {
      return null;
    }
    value = value * 256 + part;
    if (index === length) {
      return octet === 4 ? value : null;
    }
    if (octet === 4 || text.charCodeAt(index) !== DOT) {
      return null;
    }
    index += 1;
  }
}

function parseGroups(text: string): number[] | null {
  if (text === '') {
    return [];
  }
  const groups: number[] = [];
  const parts = text.split(':');
  const last = parts.length - 1;
  let index = 0;
  for (const part of parts) {
    if (index === last && part.includes('.')) {
      const v4 = parseIpv4Value(part);
      if (v4 === null) {
        return null;
      }
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
    index += 1;
  }
  return groups;
}

function parseIpv6Groups(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) {
    return null;
  }
  const [before, after] = halves;
  if (before === undefined || after === undefined) {
    // No '::' (split always yields at least one part).
    const groups = parseGroups(text);
    return groups !== null && groups.length === 8 ? groups : null;
  }
  if (before.includes('.')) {
    return null;
  }
  const head = parseGroups(before);
  const tail = parseGroups(after);
  if (head === null || tail === null) {
    return null;
  }
  const missing = 8 - head.length - tail.length;
  if (missing < 1) {
    return null;
  }
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 0;
  for (let index = 0; index < 8;) {
    if (groups[index] !== 0) {
      index += 1;
      continue;
    }
    let end = index;
    while (end < 8 && groups[end] === 0) {
      end += 1;
    }
    if (end - index > bestLength) {
      bestStart = index;
      bestLength = end - index;
    }
    index = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) {
    return hex.join(':');
  }
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLength).join(':');
  return `${head}::${tail}`;
}

function ipv4(value: number): IpAddress {
  return { version: 4, text: formatIpv4(value), value: BigInt(value) };
}

/** IPv6 groups to an address, folding `::ffff:a.b.c.d` to IPv4. */
function fromIpv6Groups(groups: readonly number[]): IpAddress {
  let value = 0n;
  for (const group of groups) {
    value = (value << 16n) | BigInt(group);
  }
  if (value >> 32n === 0xffffn) {
    return ipv4(Number(value & V4_MASK));
  }
  return { version: 6, text: formatIpv6(groups), value };
}

/**
 * Parses strict IP text (SPEC §1): dotted decimal without leading zeros, or IPv6 without zone index
 * or surrounding spaces. Returns null for anything else (host names, `AWS Internal`, padded text).
 */
export function parseIpAddress(text: string): IpAddress | null {
  if (text.length > 45 || text.length < 2) {
    return null;
  }
  if (!text.includes(':')) {
    const v4 = parseIpv4Value(text);
    return v4 === null ? null : ipv4(v4);
  }
  const groups = parseIpv6Groups(text);
  return groups === null ? null : fromIpv6Groups(groups);
}

/** Canonical text of an IP, or null when `value` is not a string holding a strict IP address. */
export function canonicalIp(value: unknown): string | null {
  if (typeof value !== 'string') {
    return null;
  }
  if (!value.includes(':')) {
    return parseIpv4Value(value) === null ? null : value;
  }
  return parseIpAddress(value)?.text ?? null;
}

/** The address on the 128-bit line where IPv4 lives at `::ffff:0:0/96`, for CIDR matching. */
export function toIpv6Space(address: IpAddress): bigint {
  return address.version === 4 ? MAPPED_PREFIX | address.value : address.value;
}

/** Total order of SPEC §7 output: IPv4 before IPv6, then numerically. */
export function compareIpText(left: string, right: string): number {
  const a = parseIpAddress(left);
  const b = parseIpAddress(right);
  if (a === null || b === null) {
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (a.version !== b.version) {
    return a.version - b.version;
  }
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}
