import type { IpWords } from './ip-words';

interface PrivateBlock {
  version: 4 | 6;
  text: string;
  word: number;
  bits: number;
}

const PRIVATE_BLOCKS: readonly PrivateBlock[] = [
  { version: 4, text: '10.0.0.0/8', word: 0x0a00_0000, bits: 8 },
  { version: 4, text: '172.16.0.0/12', word: 0xac10_0000, bits: 12 },
  { version: 4, text: '192.168.0.0/16', word: 0xc0a8_0000, bits: 16 },
  { version: 4, text: '100.64.0.0/10', word: 0x6440_0000, bits: 10 },
  { version: 4, text: '169.254.0.0/16', word: 0xa9fe_0000, bits: 16 },
  { version: 4, text: '127.0.0.0/8', word: 0x7f00_0000, bits: 8 },
  { version: 6, text: 'fc00::/7', word: 0xfc00_0000, bits: 7 },
  { version: 6, text: 'fe80::/10', word: 0xfe80_0000, bits: 10 },
];

/**
 * The private or internal block an address is in (RFC 1918, shared 100.64.0.0/10 used by cloud
 * internal endpoints, link-local, loopback, IPv6 ULA and link-local), or null for a public address.
 */
export function privateBlockOf(ip: IpWords): string | null {
  const first = ip.words[0];
  for (const block of PRIVATE_BLOCKS) {
    const shift = 32 - block.bits;
    if (block.version === ip.version && first >>> shift === block.word >>> shift) {
      return block.text;
    }
  }
  return null;
}
