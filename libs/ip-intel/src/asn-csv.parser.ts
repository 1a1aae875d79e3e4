import { AsnRangeTable } from './asn-range-table';
import { IpDataError } from './ip-data.error';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const COLON = 0x3a;
const DOT = 0x2e;

function hexDigit(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) {
    return byte - 0x30;
  }
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

function parseIpv4Bytes(bytes: Buffer, from: number, to: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let index = from; index < to; index += 1) {
    const byte = bytes[index]!; // index < to <= bytes.length
    if (byte === DOT) {
      if (digits === 0 || dots === 3) {
        return -1;
      }
      value = value * 256 + octet;
      dots += 1;
      octet = 0;
      digits = 0;
    } else if (byte >= 0x30 && byte <= 0x39 && digits < 3) {
      octet = octet * 10 + byte - 0x30;
      digits += 1;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) {
    return -1;
  }
  return value * 256 + octet;
}

function parseIpv6Bytes(
  bytes: Buffer,
  from: number,
  to: number,
  groups: number[],
  out: Uint32Array,
  offset: number,
): boolean {
  let count = 0;
  let gapAt = -1;
  let index = from;
  if (bytes[index] === COLON && bytes[index + 1] === COLON) {
    gapAt = 0;
    index += 2;
  }
  while (index < to) {
    let value = 0;
    let digits = 0;
    while (index < to) {
      const digit = hexDigit(bytes[index]!); // index < to <= bytes.length
      if (digit < 0) {
        break;
      }
      value = value * 16 + digit;
      digits += 1;
      index += 1;
    }
    if (digits === 0 || digits > 4 || count === 8) {
      return false;
    }
    groups[count] = value;
    count += 1;
    if (index === to) {
      break;
    }
    if (bytes[index] !== COLON || index + 1 === to) {
      return false;
    }
    index += 1;
    if (bytes[index] === COLON) {
      if (gapAt !== -1) {
        return false;
      }
      gapAt = count;
      index += 1;
    }
  }
  if (gapAt === -1 ? count !== 8 : count > 7) {
    return false;
  }
  const missing = 8 - count;
  for (let word = 0; word < 4; word += 1) {
    let value = 0;
    for (let half = 0; half < 2; half += 1) {
      const position = word * 2 + half;
      let group = 0;
      if (gapAt === -1 || position < gapAt) {
        group = groups[position]!; // below gapAt (or count): parsed above
      } else if (position >= gapAt + missing) {
        group = groups[position - missing]!; // < count: parsed above
      }
      value = value * 65536 + group;
    }
    out[offset + word] = value;
  }
  return true;
}

function parseAsnBytes(bytes: Buffer, from: number, to: number): number {
  if (to <= from || to - from > 10) {
    return -1;
  }
  let value = 0;
  for (let index = from; index < to; index += 1) {
    const byte = bytes[index]!; // index < to <= bytes.length
    if (byte < 0x30 || byte > 0x39) {
      return -1;
    }
    value = value * 10 + byte - 0x30;
  }
  return value > 0xffff_ffff ? -1 : value;
}

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (
    let index = bytes.indexOf(NEWLINE);
    index !== -1;
    index = bytes.indexOf(NEWLINE, index + 1)
  ) {
    lines += 1;
  }
  return bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE ? lines + 1 : lines;
}

function compareRows(array: Uint32Array, left: number, right: number, width: number): number {
  for (let index = 0; index < width; index += 1) {
    // Rows are in range by the callers' loop bounds.
    const a = array[left * width + index]!;
    const b = array[right * width + index]!;
    if (a !== b) {
      return a < b ? -1 : 1;
    }
  }
  return 0;
}

function compareAcross(
  left: Uint32Array,
  leftRow: number,
  right: Uint32Array,
  rightRow: number,
  width: number,
): number {
  for (let index = 0; index < width; index += 1) {
    // Rows are in range by the callers' loop bounds.
    const a = left[leftRow * width + index]!;
    const b = right[rightRow * width + index]!;
    if (a !== b) {
      return a < b ? -1 : 1;
    }
  }
  return 0;
}

function setToPredecessor(
  target: Uint32Array,
  targetRow: number,
  source: Uint32Array,
  sourceRow: number,
  width: number,
): void {
  let borrow = 1;
  for (let index = width - 1; index >= 0; index -= 1) {
    const value = source[sourceRow * width + index]! - borrow; // sourceRow is a row of source
    borrow = value < 0 ? 1 : 0;
    target[targetRow * width + index] = value < 0 ? 0xffff_ffff : value;
  }
}

function copyRow(array: Uint32Array, from: number, to: number, width: number): void {
  array.copyWithin(to * width, from * width, from * width + width);
}

function organizationText(bytes: Buffer, from: number, to: number): string {
  if (to - from >= 2 && bytes[from] === QUOTE && bytes[to - 1] === QUOTE) {
    return bytes.toString('utf8', from + 1, to - 1).replaceAll('""', '"');
  }
  return bytes.toString('utf8', from, to);
}

/**
 * Reads an ip-location-db ASN CSV (`start,end,asn,organization`, inclusive ranges sorted by start,
 * addresses as text) into an {@link AsnRangeTable}. Overlapping ranges are clipped so that the later
 * one wins. Throws {@link IpDataError} on a malformed or unsorted row: a data package bump that
 * changes the format fails loudly instead of answering wrong.
 */
export function parseAsnCsv(csv: Buffer, version: 4 | 6): AsnRangeTable {
  const width = version === 4 ? 1 : 4;
  const capacity = countLines(csv);
  const starts = new Uint32Array(capacity * width);
  const ends = new Uint32Array(capacity * width);
  const asns = new Uint32Array(capacity);
  const organizations = new Map<number, string>();
  const groups = new Array<number>(8).fill(0);
  let rows = 0;
  let line = 0;

  const parseAddress = (from: number, to: number, out: Uint32Array): boolean => {
    if (version === 6) {
      return parseIpv6Bytes(csv, from, to, groups, out, rows * 4);
    }
    const value = parseIpv4Bytes(csv, from, to);
    out[rows] = value;
    return value >= 0;
  };

  for (let position = 0; position < csv.length;) {
    line += 1;
    const newline = csv.indexOf(NEWLINE, position);
    const lineEnd = newline === -1 ? csv.length : newline;
    const end = lineEnd > position && csv[lineEnd - 1] === CARRIAGE_RETURN ? lineEnd - 1 : lineEnd;
    const lineStart = position;
    position = lineEnd + 1;
    if (end === lineStart) {
      continue;
    }
    const first = csv.indexOf(COMMA, lineStart);
    const second = first === -1 ? -1 : csv.indexOf(COMMA, first + 1);
    const third = second === -1 ? -1 : csv.indexOf(COMMA, second + 1);
    if (third === -1 || third >= end) {
      throw new IpDataError(`ASN CSV line ${line}: expected start,end,asn,organization`);
    }
    if (!parseAddress(lineStart, first, starts) || !parseAddress(first + 1, second, ends)) {
      throw new IpDataError(`ASN CSV line ${line}: not an IPv${version} range`);
    }
    const asn = parseAsnBytes(csv, second + 1, third);
    if (asn < 0) {
      throw new IpDataError(`ASN CSV line ${line}: bad AS number`);
    }
    if (compareAcross(starts, rows, ends, rows, width) > 0) {
      throw new IpDataError(`ASN CSV line ${line}: range start after its end`);
    }
    if (rows > 0) {
      const order = compareRows(starts, rows - 1, rows, width);
      if (order > 0) {
        throw new IpDataError(`ASN CSV line ${line}: ranges not sorted by start`);
      }
      if (order === 0) {
        copyRow(starts, rows, rows - 1, width);
        copyRow(ends, rows, rows - 1, width);
        rows -= 1;
      } else if (compareAcross(starts, rows, ends, rows - 1, width) <= 0) {
        setToPredecessor(ends, rows - 1, starts, rows, width);
      }
    }
    asns[rows] = asn;
    if (!organizations.has(asn)) {
      const organization = organizationText(csv, third + 1, end).trim();
      if (organization !== '') {
        organizations.set(asn, organization);
      }
    }
    rows += 1;
  }
  return new AsnRangeTable(
    version,
    starts.slice(0, rows * width),
    ends.slice(0, rows * width),
    asns.slice(0, rows),
    organizations,
  );
}
