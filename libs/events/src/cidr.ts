import { parseIpAddress, toIpv6Space } from './ip-address';

/** A CIDR block on the 128-bit line (IPv4 blocks sit under `::ffff:0:0/96`). */
export interface Cidr {
  text: string;
  network: bigint;
  prefixLength: number;
  /**
   * 4 for an IPv4 block (written as one, or IPv4-mapped with a prefix of 96 or more), else 6. An
   * IPv6 block never holds IPv4 addresses, even one whose range covers `::ffff:0:0/96` (`::/0`).
   */
  family: 4 | 6;
}

const ALL_ONES = (1n << 128n) - 1n;

function maskFor(prefixLength: number): bigint {
  return prefixLength === 0 ? 0n : (ALL_ONES << BigInt(128 - prefixLength)) & ALL_ONES;
}

/**
 * Parses `a.b.c.d/n`, `x::y/n` or a bare address. An IPv4-mapped IPv6 block is the IPv4 block
 * (`::ffff:45.32.0.0/112` = `45.32.0.0/16`); any other IPv6 block holds IPv6 addresses only, as
 * an IPv4-mapped address is the IPv4 address (SPEC §1). Host bits are masked off. Returns null
 * when invalid.
 */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const address = parseIpAddress(addressText);
  if (address === null) {
    return null;
  }
  const isV4Text = !addressText.includes(':');
  const maxLength = isV4Text ? 32 : 128;
  let prefixLength = maxLength;
  if (slash !== -1) {
    const lengthText = text.slice(slash + 1);
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(lengthText) || Number(lengthText) > maxLength) {
      return null;
    }
    prefixLength = Number(lengthText);
  }
  const length128 = isV4Text ? prefixLength + 96 : prefixLength;
  const network = toIpv6Space(address) & maskFor(length128);
  // parseIpAddress folds an IPv4-mapped address to IPv4; a block wider than /96 is IPv6 whatever
  // its address
  const family = address.version === 4 && length128 >= 96 ? 4 : 6;
  return { text, network, prefixLength: length128, family };
}

/** Whether a canonical IP lies in any of the blocks of its family. */
export function isAllowed(ipText: string, allowList: readonly Cidr[]): boolean {
  if (allowList.length === 0) {
    return false;
  }
  const address = parseIpAddress(ipText);
  if (address === null) {
    return false;
  }
  const value = toIpv6Space(address);
  return allowList.some(
    (cidr) =>
      cidr.family === address.version && (value & maskFor(cidr.prefixLength)) === cidr.network,
  );
}
