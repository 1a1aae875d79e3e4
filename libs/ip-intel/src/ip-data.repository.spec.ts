import { IpDataError } from './ip-data.error';
import { installedIpDataFiles, IpDataRepository, sharedIpData } from './ip-data.repository';
import { parseIpWords } from './ip-words';

function at(text: string) {
  const ip = parseIpWords(text);
  if (ip === null) {
    throw new RangeError(text);
  }
  return ip;
}

describe(IpDataRepository.name, () => {
  const sut = sharedIpData();

  it.each([
    ['8.8.8.8', 15169, 'Google LLC', 'US'],
    ['1.1.1.1', 13335, 'Cloudflare, Inc.', 'AU'],
    ['47.88.1.2', 45102, 'Alibaba (US) Technology Co., Ltd.', 'US'],
    ['3.225.16.109', 14618, 'Amazon.com, Inc.', 'US'],
    ['2001:4860:4860::8888', 15169, 'Google LLC', 'US'],
    ['2a01:4f8:c17:1::1', 24940, 'Hetzner Online GmbH', 'DE'],
    ['240e:380::1', 4134, 'Chinanet', 'CN'],
  ])('finds %s in AS%i (%s), country %s', (ip, asn, asOrganization, country) => {
    expect(sut.lookup(at(ip))).toEqual({ asn, asOrganization, country });
  });

  it('knows nothing of private and reserved addresses', () => {
    expect(sut.lookup(at('10.1.2.3'))).toEqual({ asn: null, asOrganization: null, country: null });
    expect(sut.lookup(at('::1'))).toEqual({ asn: null, asOrganization: null, country: null });
  });

  it('is one instance per process', () => {
    expect(sharedIpData()).toBe(sut);
  });

  it('reports what it loaded', () => {
    const stats = sut.load();

    expect(stats.ipv4Ranges).toBeGreaterThan(100_000);
    expect(stats.ipv6Ranges).toBeGreaterThan(10_000);
    expect(stats.rangeBytes).toBeLessThan(32 * 1024 * 1024);
    expect(Number.isNaN(Date.parse(stats.countryBuildTime))).toBe(false);
  });

  it('fails with an IpDataError when a data file is missing', () => {
    const broken = new IpDataRepository({
      ...installedIpDataFiles(),
      asnIpv4Csv: '/nonexistent/asn-ipv4.csv',
    });

    expect(() => broken.lookup(at('8.8.8.8'))).toThrow(IpDataError);
  });
});
