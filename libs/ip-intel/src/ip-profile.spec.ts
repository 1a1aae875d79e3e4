import { IpProfileCache, profileIp } from './ip-profile';
import { StaticIpIntel, TEST_NETWORKS } from './network-info.mock';

describe(profileIp.name, () => {
  it('combines the data lookup, the organization key and the hosting class', () => {
    const sut = profileIp('45.55.1.2', new StaticIpIntel(TEST_NETWORKS));

    expect(sut).toMatchObject({
      version: 4,
      text: '45.55.1.2',
      asn: 14061,
      asOrganization: 'DigitalOcean, LLC',
      organizationKey: 'digitalocean llc',
      country: 'US',
      hosting: { kind: 'hosting', label: 'DigitalOcean' },
      privateBlock: null,
    });
  });

  it('profiles IPv6 addresses', () => {
    const sut = profileIp('2a01:4f8:c17::1', new StaticIpIntel(TEST_NETWORKS));

    expect(sut).toMatchObject({ version: 6, asn: 24940, country: 'DE' });
  });

  it('does not look private addresses up', () => {
    const intel = new StaticIpIntel(TEST_NETWORKS);

    const sut = profileIp('10.1.2.3', intel);

    expect(sut).toMatchObject({ privateBlock: '10.0.0.0/8', asn: null, country: null });
    expect(intel.lookups).toBe(0);
  });

  it('returns null for text that is not an IP address', () => {
    expect(profileIp('AWS Internal', new StaticIpIntel(TEST_NETWORKS))).toBeNull();
  });
});

describe(IpProfileCache.name, () => {
  it('looks each address up once while it stays cached', () => {
    const intel = new StaticIpIntel(TEST_NETWORKS);
    const sut = new IpProfileCache(() => intel, 10);

    sut.profile('45.55.1.2');
    sut.profile('45.55.1.2');
    sut.profile('not an ip');
    sut.profile('not an ip');

    expect(intel.lookups).toBe(1);
    expect(sut.size).toBe(2);
  });

  it('keeps recently used addresses and drops the others beyond its capacity', () => {
    const intel = new StaticIpIntel(TEST_NETWORKS);
    const sut = new IpProfileCache(() => intel, 4);

    for (const ip of [
      '45.55.1.1',
      '45.55.1.2',
      '45.55.1.1',
      '45.55.1.3',
      '45.55.1.1',
      '45.55.1.2',
    ]) {
      sut.profile(ip);
    }

    expect(intel.lookups).toBe(4);
    expect(sut.size).toBeLessThanOrEqual(4);
  });

  it('does not touch the data before the first profile', () => {
    const intel = jest.fn(() => new StaticIpIntel(TEST_NETWORKS));

    const sut = new IpProfileCache(intel);

    expect(intel).not.toHaveBeenCalled();
    sut.profile('45.55.1.1');
    expect(intel).toHaveBeenCalledTimes(1);
  });
});
