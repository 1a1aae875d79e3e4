import { canonicalIp, parseIpAddress } from '@trail-insight/events';

import type { SeededRandom } from './seeded-random';

/** What a source address stands for in a scenario. */
export type IpRole =
  | 'office'
  | 'office-v6'
  | 'residential'
  | 'mobile'
  | 'ci'
  | 'cloud-partner'
  | 'hosting'
  | 'hosting-v6'
  | 'anonymizer';

/**
 * Public address ranges for one role. The ranges are believed to belong to the named networks at
 * the time of writing; they only need to look right. Swap them for ranges picked from ASN data
 * without touching the scenarios.
 */
export interface IpPool {
  readonly description: string;
  readonly cidrs: readonly string[];
  /** IPv6 only: `low` gives server-like interface ids (`::1a`), `random` privacy-like ones. */
  readonly interfaceIds?: 'low' | 'random';
}

export type IpPoolSet = Readonly<Record<IpRole, IpPool>>;

const HOSTING: IpPool = {
  description: 'VPS hosting: DigitalOcean AS14061, Vultr AS20473, OVH AS16276, Hetzner AS24940',
  cidrs: [
    '159.89.0.0/16',
    '167.99.0.0/16',
    '45.32.0.0/16',
    '45.76.0.0/16',
    '51.75.0.0/16',
    '95.216.0.0/16',
  ],
};

const HOSTING_V6: IpPool = {
  description:
    'VPS hosting IPv6: Hetzner 2a01:4f8::/29, DigitalOcean 2a03:b0c0::/32, Vultr 2001:19f0::/32',
  cidrs: ['2a01:4f8::/29', '2a03:b0c0::/32', '2001:19f0::/32'],
  interfaceIds: 'low',
};

const ANONYMIZER: IpPool = {
  description:
    'Tor exit relays (185.220.100.0/22, Zwiebelfreunde / Foundation for Applied Privacy)',
  cidrs: ['185.220.100.0/22'],
};

/** Pools for ActionTrail trails: accounts operated from mainland China. */
export const ACTIONTRAIL_IP_POOLS: IpPoolSet = {
  office: {
    description: 'China Telecom Zhejiang business lines (AS4134)',
    cidrs: ['115.236.0.0/16', '122.224.0.0/13'],
  },
  'office-v6': {
    description: 'China Telecom / China Unicom IPv6, plus the documentation prefix 2001:db8::/32',
    cidrs: ['240e::/20', '2408:8000::/20', '2001:db8::/32'],
    interfaceIds: 'random',
  },
  residential: {
    description: 'China Telecom Zhejiang residential broadband (AS4134)',
    cidrs: ['183.128.0.0/11', '125.112.0.0/12'],
  },
  mobile: {
    description: 'China Mobile mobile data gateways (AS9808)',
    cidrs: ['117.136.0.0/13', '223.104.0.0/14'],
  },
  ci: {
    description: 'Alibaba Cloud ECS, China East 1 (AS37963)',
    cidrs: ['47.96.0.0/12', '121.40.0.0/14'],
  },
  'cloud-partner': {
    description: 'AWS EC2 ap-southeast-1 (AS16509), a SaaS partner assuming a role',
    cidrs: ['18.136.0.0/16', '54.169.0.0/16'],
  },
  hosting: HOSTING,
  'hosting-v6': HOSTING_V6,
  anonymizer: ANONYMIZER,
};

/** Pools for CloudTrail trails: accounts operated from the United States. */
export const CLOUDTRAIL_IP_POOLS: IpPoolSet = {
  office: {
    description: 'AT&T business (AS7018) and Lumen business (AS3356)',
    cidrs: ['12.0.0.0/8', '4.0.0.0/9'],
  },
  'office-v6': {
    description: 'AT&T IPv6 2600:1700::/28, plus the documentation prefix 2001:db8::/32',
    cidrs: ['2600:1700::/28', '2001:db8::/32'],
    interfaceIds: 'random',
  },
  residential: {
    description: 'Comcast residential broadband (AS7922)',
    cidrs: ['73.0.0.0/8', '24.0.0.0/12'],
  },
  mobile: {
    description: 'T-Mobile USA (AS21928) and Verizon Wireless (AS6167)',
    cidrs: ['172.32.0.0/11', '174.192.0.0/10'],
  },
  ci: {
    description: 'AWS EC2 us-east-1 (AS14618): self-hosted CI runners',
    cidrs: ['3.80.0.0/12', '34.192.0.0/12'],
  },
  'cloud-partner': {
    description: 'Google Cloud us-central1 (AS396982), a SaaS partner assuming a role',
    cidrs: ['35.184.0.0/13'],
  },
  hosting: HOSTING,
  'hosting-v6': HOSTING_V6,
  anonymizer: ANONYMIZER,
};

function ipv4Text(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

function drawIpv4(network: number, prefixLength: number, random: SeededRandom): string {
  const size = 2 ** (32 - prefixLength);
  const value = network + random.int(size);
  const last = value & 255;
  return ipv4Text(last === 0 || last === 255 ? value - last + random.between(1, 254) : value);
}

function random64(random: SeededRandom): bigint {
  return (BigInt(random.nextUint32()) << 32n) | BigInt(random.nextUint32());
}

function ipv6Text(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return canonicalIp(groups.join(':')) as string;
}

function drawIpv6(
  pool: IpPool,
  network: bigint,
  prefixLength: number,
  random: SeededRandom,
): string {
  const hostBits = BigInt(128 - prefixLength);
  const hostMask = (1n << hostBits) - 1n;
  const prefix64 = (random64(random) << 64n) & hostMask;
  const interfaceId =
    pool.interfaceIds === 'random' ? random64(random) : BigInt(random.between(1, 0xff));
  return ipv6Text(network | prefix64 | (interfaceId & hostMask));
}

/** A random address from one of the pool's ranges (no `.0`/`.255` IPv4 hosts). */
export function drawAddress(pool: IpPool, random: SeededRandom): string {
  const cidr = random.pick(pool.cidrs);
  const [base, length] = cidr.split('/') as [string, string];
  const address = parseIpAddress(base);
  if (address === null) {
    throw new Error(`invalid pool range ${cidr}`);
  }
  const prefixLength = Number(length);
  return address.version === 4
    ? drawIpv4(Number(address.value), prefixLength, random)
    : drawIpv6(pool, address.value, prefixLength, random);
}

/** Another IPv4 address in the same /16 but a different /24 (an ISP re-assigning a line). */
export function neighbourInSlash16(ipv4: string, random: SeededRandom): string {
  const [first, second, third] = ipv4.split('.').map(Number) as [number, number, number];
  const otherThird = (third + random.between(1, 254)) % 256;
  return `${first}.${second}.${otherThird}.${random.between(1, 254)}`;
}

/** Another address in the same IPv6 /64 (a new privacy address of the same host network). */
export function neighbourInSlash64(ipv6: string, random: SeededRandom): string {
  const address = parseIpAddress(ipv6);
  if (address === null || address.version !== 6) {
    throw new Error(`not an IPv6 address: ${ipv6}`);
  }
  const upper = (address.value >> 64n) << 64n;
  return ipv6Text(upper | random64(random));
}
