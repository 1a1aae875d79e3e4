import { canonicalIp, isAllowed, parseCidr } from '@trail-insight/events';

import {
  ACTIONTRAIL_IP_POOLS,
  CLOUDTRAIL_IP_POOLS,
  drawAddress,
  neighbourInSlash16,
  neighbourInSlash64,
} from './ip-pools';
import { SeededRandom } from './seeded-random';

import type { Cidr } from '@trail-insight/events';
import type { IpPool } from './ip-pools';

function cidrsOf(pool: IpPool): Cidr[] {
  return pool.cidrs.map((text) => {
    const cidr = parseCidr(text);
    if (cidr === null) {
      throw new Error(`bad range ${text}`);
    }
    return cidr;
  });
}

describe(drawAddress.name, () => {
  const pools = [...Object.entries(ACTIONTRAIL_IP_POOLS), ...Object.entries(CLOUDTRAIL_IP_POOLS)];

  it.each(pools)('draws canonical addresses inside the %s pool', (_, pool) => {
    const random = SeededRandom.derive(3);
    const cidrs = cidrsOf(pool);
    for (let index = 0; index < 200; index += 1) {
      const sut = drawAddress(pool, random);
      expect(canonicalIp(sut)).toBe(sut);
      expect(isAllowed(sut, cidrs)).toBe(true);
      expect(sut).not.toMatch(/\.(0|255)$/);
    }
  });
});

describe(neighbourInSlash16.name, () => {
  it('keeps the /16 and changes the /24', () => {
    const random = SeededRandom.derive(5);
    for (let index = 0; index < 200; index += 1) {
      const sut = neighbourInSlash16('115.236.12.34', random);
      expect(sut.startsWith('115.236.')).toBe(true);
      expect(sut.startsWith('115.236.12.')).toBe(false);
      expect(canonicalIp(sut)).toBe(sut);
    }
  });
});

describe(neighbourInSlash64.name, () => {
  it('keeps the /64', () => {
    const sut = neighbourInSlash64('240e:3b4:12:5::8', SeededRandom.derive(5));
    const network = parseCidr('240e:3b4:12:5::/64') as Cidr;
    expect(sut).not.toBe('240e:3b4:12:5::8');
    expect(isAllowed(sut, [network])).toBe(true);
  });
});
