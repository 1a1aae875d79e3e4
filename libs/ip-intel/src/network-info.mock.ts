import { isAllowed, parseCidr } from '@trail-insight/events';
import type { Cidr, NormalizedEvent } from '@trail-insight/events';

import type { IpWords } from './ip-words';
import type { IpIntel, NetworkInfo } from './network-info';

/** One block of a {@link StaticIpIntel}. */
export interface StaticNetwork extends NetworkInfo {
  cidr: string;
}

/** IP data from a short list of blocks (first match wins), counting its lookups. */
export class StaticIpIntel implements IpIntel {
  lookups = 0;
  private readonly blocks: { cidr: Cidr; info: NetworkInfo }[];

  constructor(networks: readonly StaticNetwork[]) {
    this.blocks = networks.map(({ cidr, ...info }) => {
      const parsed = parseCidr(cidr);
      if (parsed === null) {
        throw new RangeError(cidr);
      }
      return { cidr: parsed, info };
    });
  }

  lookup(ip: IpWords): NetworkInfo {
    this.lookups += 1;
    const block = this.blocks.find(({ cidr }) => isAllowed(ip.text, [cidr]));
    return block?.info ?? { asn: null, asOrganization: null, country: null };
  }
}

/** Networks used across the unit tests (real AS numbers, simplified blocks). */
export const TEST_NETWORKS: readonly StaticNetwork[] = [
  { cidr: '115.192.0.0/11', asn: 4134, asOrganization: 'Chinanet', country: 'CN' },
  { cidr: '183.128.0.0/11', asn: 4134, asOrganization: 'Chinanet', country: 'CN' },
  { cidr: '240e::/20', asn: 4134, asOrganization: 'Chinanet', country: 'CN' },
  { cidr: '36.128.0.0/10', asn: 9808, asOrganization: 'China Mobile', country: 'CN' },
  { cidr: '1.24.0.0/13', asn: 4837, asOrganization: 'China Unicom', country: 'CN' },
  { cidr: '172.56.0.0/14', asn: 21928, asOrganization: 'T-Mobile USA, Inc.', country: 'US' },
  { cidr: '2409:8000::/20', asn: 9808, asOrganization: 'China Mobile', country: 'CN' },
  { cidr: '3.80.0.0/12', asn: 14618, asOrganization: 'Amazon.com, Inc.', country: 'US' },
  { cidr: '3.120.0.0/14', asn: 16509, asOrganization: 'Amazon.com, Inc.', country: 'DE' },
  { cidr: '2600:1f10::/29', asn: 14618, asOrganization: 'Amazon.com, Inc.', country: 'US' },
  {
    cidr: '73.0.0.0/8',
    asn: 7922,
    asOrganization: 'Comcast Cable Communications, LLC',
    country: 'US',
  },
  { cidr: '45.55.0.0/16', asn: 14061, asOrganization: 'DigitalOcean, LLC', country: 'US' },
  { cidr: '2604:a880::/32', asn: 14061, asOrganization: 'DigitalOcean, LLC', country: 'US' },
  { cidr: '5.9.0.0/16', asn: 24940, asOrganization: 'Hetzner Online GmbH', country: 'DE' },
  { cidr: '2a01:4f8::/32', asn: 24940, asOrganization: 'Hetzner Online GmbH', country: 'DE' },
  { cidr: '82.102.16.0/20', asn: 9009, asOrganization: 'M247 Europe SRL', country: 'RO' },
  {
    cidr: '185.220.101.0/24',
    asn: 60729,
    asOrganization: 'Stiftung Erneuerbare Freiheit',
    country: 'DE',
  },
  {
    cidr: '2a0b:f4c2::/40',
    asn: 60729,
    asOrganization: 'Stiftung Erneuerbare Freiheit',
    country: 'DE',
  },
  { cidr: '203.0.113.0/24', asn: 64500, asOrganization: null, country: null },
];

/** A normalized event opening a window, with any field overridden. */
export function mockEvent(overrides: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return {
    time: Date.UTC(2026, 2, 10, 9, 30),
    eventId: 'event-1',
    accountId: '1234',
    region: 'cn-hangzhou',
    isGlobal: false,
    sourceIp: '115.192.1.2',
    provider: 'actiontrail',
    userAgent: 'aliyun-cli',
    principalId: 'user-1',
    eventName: 'DescribeInstances',
    errorCode: null,
    ...overrides,
  };
}
