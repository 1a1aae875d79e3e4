import { parseCidr, parseIpAddress } from '@trail-insight/events';

function fullIpv6Text(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return groups.join(':');
}

/**
 * The address at `offset` (taken modulo the block size) inside a CIDR block, as canonical text, so a
 * generator can draw addresses from {@link EXAMPLE_NETWORKS} with its own seeded random numbers.
 * Throws a RangeError on an invalid block.
 */
export function addressInCidr(cidr: string, offset: bigint | number): string {
  const block = parseCidr(cidr);
  if (block === null) {
    throw new RangeError(`not a CIDR block: ${cidr}`);
  }
  const size = 1n << BigInt(128 - block.prefixLength);
  const step = ((BigInt(offset) % size) + size) % size;
  const address = parseIpAddress(fullIpv6Text(block.network + step));
  if (address === null) {
    throw new RangeError(`not a CIDR block: ${cidr}`);
  }
  return address.text;
}
