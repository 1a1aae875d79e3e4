import { addressInCidr } from './cidr-address';
import { EXAMPLE_NETWORKS } from './example-networks.constants';
import { sharedIpData } from './ip-data.repository';
import { parseIpWords } from './ip-words';
import { classifyNetwork } from './network-kind';

const SAMPLES = [0n, 1n, 1000n, 123_456_789n, -1n];

const BLOCKS = EXAMPLE_NETWORKS.flatMap((network) =>
  network.cidrs.map((cidr) => [network.label, cidr, network] as const),
);

describe('EXAMPLE_NETWORKS', () => {
  const data = sharedIpData();

  it.each(BLOCKS)('%s: %s lies in the stated AS and country', (_label, cidr, network) => {
    for (const offset of SAMPLES) {
      const ip = parseIpWords(addressInCidr(cidr, offset));
      if (ip === null) {
        throw new RangeError(cidr);
      }

      expect(data.lookup(ip)).toMatchObject({ asn: network.asn, country: network.country });
    }
  });

  it('has every kind, IPv4 and IPv6, and unique labels', () => {
    const kinds = new Set(EXAMPLE_NETWORKS.map((network) => network.kind));
    const labels = new Set(EXAMPLE_NETWORKS.map((network) => network.label));
    const cidrs = EXAMPLE_NETWORKS.flatMap((network) => network.cidrs);

    expect([...kinds].sort()).toEqual([
      'anonymizer',
      'cloud-ci',
      'home-isp',
      'hosting-vps',
      'mobile-carrier',
    ]);
    expect(labels.size).toBe(EXAMPLE_NETWORKS.length);
    expect(cidrs.some((cidr) => cidr.includes(':'))).toBe(true);
    expect(cidrs.some((cidr) => !cidr.includes(':'))).toBe(true);
  });

  it('classifies attacker networks as hosting-like and benign access networks as not', () => {
    for (const network of EXAMPLE_NETWORKS) {
      const hosting = classifyNetwork(network.asn, null);
      switch (network.kind) {
        case 'home-isp':
        case 'mobile-carrier':
          expect(hosting).toBeNull();
          break;
        case 'cloud-ci':
          expect(hosting?.kind).toBe('cloud');
          break;
        case 'hosting-vps':
          expect(hosting?.kind).toBe('hosting');
          break;
        case 'anonymizer':
          expect(['vpn', 'tor']).toContain(hosting?.kind);
          break;
      }
    }
  });
});
