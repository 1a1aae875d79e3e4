import { parseIpAddress } from '@trail-insight/events';

/** An IP address as unsigned 32-bit words: IPv4 in `words[0]`, IPv6 big-endian in `words[0..3]`. */
export interface IpWords {
  version: 4 | 6;
  /** Canonical text (SPEC §1). */
  text: string;
  words: readonly [number, number, number, number];
}

const WORD_MASK = 0xffff_ffffn;

/** Parses strict IP text (IPv4-mapped IPv6 folds to IPv4); null when it is not an IP address. */
export function parseIpWords(text: string): IpWords | null {
  const address = parseIpAddress(text);
  if (address === null) {
    return null;
  }
  if (address.version === 4) {
    return { version: 4, text: address.text, words: [Number(address.value), 0, 0, 0] };
  }
  const value = address.value;
  return {
    version: 6,
    text: address.text,
    words: [
      Number((value >> 96n) & WORD_MASK),
      Number((value >> 64n) & WORD_MASK),
      Number((value >> 32n) & WORD_MASK),
      Number(value & WORD_MASK),
    ],
  };
}

/** Number of leading bits two addresses share (32 or 128 when equal), -1 across IP versions. */
export function commonPrefixLength(left: IpWords, right: IpWords): number {
  if (left.version !== right.version) {
    return -1;
  }
  const words = left.version === 4 ? 1 : 4;
  let bits = 0;
  for (let index = 0; index < words; index += 1) {
    // index < 4; `?? 0` is what `^` makes of undefined anyway.
    const difference = ((left.words[index] ?? 0) ^ (right.words[index] ?? 0)) >>> 0;
    if (difference !== 0) {
      return bits + Math.clz32(difference);
    }
    bits += 32;
  }
  return bits;
}
