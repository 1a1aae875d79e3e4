import { heterogeneityOf } from '@trail-insight/detection';
import type { ModelInput, UsualIp } from '@trail-insight/detection';

import { addressInCidr } from './cidr-address';
import { createDefaultModel, NO_USUAL_IPS_REASON } from './default-model';
import { EXAMPLE_NETWORKS } from './example-networks.constants';
import type { ExampleNetwork } from './example-networks.constants';
import { mockEvent, StaticIpIntel, TEST_NETWORKS } from './network-info.mock';

const NOW = Date.UTC(2026, 2, 10, 9, 30);

function usual(ips: readonly string[], hour = 10): UsualIp[] {
  return ips.map((ip) => ({ ip, lastSeen: Date.UTC(2026, 2, 9, hour) }));
}

function input(
  ip: string,
  usualIps: readonly UsualIp[],
  overrides: Partial<ModelInput> = {},
): ModelInput {
  return {
    accountId: '1234',
    region: 'cn-hangzhou',
    ip,
    time: NOW,
    event: mockEvent({ sourceIp: ip, time: NOW }),
    usualIps,
    ...overrides,
  };
}

describe(createDefaultModel.name, () => {
  const intel = new StaticIpIntel(TEST_NETWORKS);
  const sut = createDefaultModel({}, () => intel);

  it('is named default and uses usual IPs', () => {
    expect(sut.name).toBe('default');
    expect(sut.usesUsualIps).toBe(true);
  });

  it('finds a new address in the usual /24 benign', () => {
    const verdict = sut.evaluate(input('115.192.1.77', usual(['115.192.1.5', '115.192.1.6'])));

    expect(verdict).toEqual({
      predictedValue: 1,
      threshold: 0.5,
      signals: [
        'same /24 as 2 usual IPs',
        'same ASN AS4134 (Chinanet) as 2 usual IPs',
        'same country CN as 2 usual IPs',
      ],
    });
    expect(heterogeneityOf(verdict)).toBeLessThanOrEqual(0);
  });

  it('finds a home ISP change within the same AS benign', () => {
    const verdict = sut.evaluate(input('183.130.4.4', usual(['115.192.1.5'])));

    expect(verdict.predictedValue).toBe(0.65);
    expect(heterogeneityOf(verdict)).toBeLessThanOrEqual(0);
  });

  it('finds a phone on the usual mobile carrier benign, over IPv6 too', () => {
    const verdict = sut.evaluate(input('2409:8000:99::1', usual(['36.130.1.1', '115.192.1.5'])));

    expect(verdict.predictedValue).toBeGreaterThanOrEqual(verdict.threshold);
    expect(verdict.signals).toContain('same ASN AS9808 (China Mobile) as 1 usual IP');
  });

  it('finds a CI runner in the account cloud benign, even in a sibling AS abroad', () => {
    const verdict = sut.evaluate(
      input('3.121.9.9', usual(['3.80.1.1', '3.90.2.2', '115.192.1.5'])),
    );

    expect(verdict.predictedValue).toBe(0.5);
    expect(heterogeneityOf(verdict)).toBe(0);
    expect(verdict.signals).toEqual([
      'same operator as 2 usual IPs: AS16509 (Amazon.com, Inc.) vs usual AS14618',
      'different country (DE vs usual US, CN)',
    ]);
  });

  it('finds a VPS in another country unusual', () => {
    const verdict = sut.evaluate(input('45.55.6.7', usual(['115.192.1.5', '36.128.1.1'])));

    expect(verdict).toEqual({
      predictedValue: 0,
      threshold: 0.5,
      signals: [
        'new ASN AS14061 (DigitalOcean, LLC) (usual AS4134, AS9808)',
        'different country (US vs usual CN)',
        'hosting network AS14061 (DigitalOcean, LLC) not used before',
      ],
    });
    expect(heterogeneityOf(verdict)).toBe(100);
  });

  it('finds a Tor exit over IPv6 unusual', () => {
    const verdict = sut.evaluate(input('2a0b:f4c2::10', usual(['240e::1', '2409:8000::1'])));

    expect(heterogeneityOf(verdict)).toBe(100);
    expect(verdict.signals).toContain(
      'Tor-exit network AS60729 (Stiftung Erneuerbare Freiheit) not used before',
    );
  });

  it('finds a home ISP of another operator in the same country unusual', () => {
    const verdict = sut.evaluate(input('1.26.1.1', usual(['115.192.1.5'])));

    expect(verdict.predictedValue).toBe(0.15);
    expect(heterogeneityOf(verdict)).toBeCloseTo(70);
  });

  it('accepts a mobile carrier in a country of the usual IPs, not in another country', () => {
    const home = sut.evaluate(input('36.128.1.1', usual(['115.192.1.5'])));
    const abroad = sut.evaluate(input('172.56.1.1', usual(['115.192.1.5'])));

    expect(home.predictedValue).toBe(0.5);
    expect(heterogeneityOf(home)).toBe(0);
    expect(home.signals.some((signal) => signal.startsWith('mobile carrier AS9808'))).toBe(true);
    expect(heterogeneityOf(abroad)).toBe(100);
  });

  it('finds an IP unusual when the account and region have no usual IP', () => {
    const verdict = sut.evaluate(input('115.192.1.77', []));

    expect(verdict).toEqual({ predictedValue: 0, threshold: 0.5, signals: [NO_USUAL_IPS_REASON] });
  });

  it('lowers the value for off-hours and sensitive operations', () => {
    const ips = ['115.192.1.5', '115.192.2.5', '115.192.3.5', '115.192.4.5', '115.192.5.5'];
    const time = Date.UTC(2026, 2, 10, 2, 0);
    const verdict = sut.evaluate(
      input('183.130.4.4', usual(ips, 10), {
        time,
        event: mockEvent({ time, eventName: 'CreateAccessKey' }),
      }),
    );

    expect(verdict.predictedValue).toBe(0.55);
    expect(verdict.signals).toEqual([
      'same ASN AS4134 (Chinanet) as 5 usual IPs',
      'same country CN as 5 usual IPs',
      "off-hours: 02h UTC is 8 h from any usual IP's last activity",
      'opening operation CreateAccessKey manages credentials, identities or the trail',
    ]);
  });

  it('gives the same verdict whatever the order of the usual IPs', () => {
    const ips = usual(['115.192.1.5', '36.128.1.1', '5.9.1.1', '3.120.1.1', '73.1.1.1']);

    const forward = sut.evaluate(input('45.55.6.7', ips));
    const backward = sut.evaluate(input('45.55.6.7', [...ips].reverse()));

    expect(backward).toEqual(forward);
  });

  it('takes threshold and weights from its configuration', () => {
    const strict = createDefaultModel(
      { threshold: 0.7, weights: { sameCountry: 0.1 } },
      () => new StaticIpIntel(TEST_NETWORKS),
    );

    const verdict = strict.evaluate(input('183.130.4.4', usual(['115.192.1.5'])));

    expect(verdict.threshold).toBe(0.7);
    expect(verdict.predictedValue).toBe(0.6);
    expect(heterogeneityOf(verdict)).toBeGreaterThan(0);
  });

  it('looks each usual IP up once across evaluations', () => {
    const counting = new StaticIpIntel(TEST_NETWORKS);
    const model = createDefaultModel({}, () => counting);
    const ips = usual(['115.192.1.5', '36.128.1.1', '5.9.1.1']);

    model.evaluate(input('45.55.6.7', ips));
    model.evaluate(input('45.55.6.8', ips));

    expect(counting.lookups).toBe(5);
  });

  it('does not load IP data when there is nothing to compare with', () => {
    const load = jest.fn(() => new StaticIpIntel(TEST_NETWORKS));

    createDefaultModel({}, load).evaluate(input('115.192.1.77', []));

    expect(load).not.toHaveBeenCalled();
  });
});

describe(`${createDefaultModel.name} over the installed IP data`, () => {
  const sut = createDefaultModel();

  function network(label: string): ExampleNetwork {
    const found = EXAMPLE_NETWORKS.find((candidate) => candidate.label === label);
    if (found === undefined) {
      throw new RangeError(label);
    }
    return found;
  }

  function draw(label: string, offsets: readonly number[], cidrIndex = 0): string[] {
    const cidr = network(label).cidrs[cidrIndex];
    if (cidr === undefined) {
      throw new RangeError(`${label} has no CIDR ${cidrIndex}`);
    }
    return offsets.map((offset) => addressInCidr(cidr, offset * 7919 + 11));
  }

  function drawOne(label: string, offset: number, cidrIndex = 0): string {
    const [ip] = draw(label, [offset], cidrIndex);
    if (ip === undefined) {
      throw new RangeError(label);
    }
    return ip;
  }

  const homeAndPhone = usual([
    ...draw('China Telecom (Chinanet)', [1, 2, 3]),
    ...draw('China Mobile', [5, 6]),
    ...draw('Alibaba Cloud (mainland China)', [8]),
  ]);

  it.each([
    ['a new home address', drawOne('China Telecom (Chinanet)', 4000, 1)],
    ['a new IPv6 home address', drawOne('China Telecom (Chinanet)', 9, 2)],
    ['a phone on the usual carrier', drawOne('China Mobile', 70_000, 1)],
    ['a CI runner in the usual cloud', drawOne('Alibaba Cloud (mainland China)', 12_345, 1)],
  ])('finds %s benign', (_case, ip) => {
    const verdict = sut.evaluate(input(ip, homeAndPhone));

    expect(verdict.predictedValue).toBeGreaterThanOrEqual(verdict.threshold);
  });

  it.each([
    ['a DigitalOcean droplet', drawOne('DigitalOcean', 3)],
    ['a Vultr server over IPv6', drawOne('Vultr (Choopa)', 3, 2)],
    ['a Hetzner server', drawOne('Hetzner', 3)],
    ['a VPN exit', drawOne('M247 (VPN exits)', 3)],
    ['a Tor exit', drawOne('Torservers.net (Tor exits)', 3)],
    ['an AWS machine', drawOne('AWS us-east-1', 3)],
  ])('finds %s unusual', (_case, ip) => {
    const verdict = sut.evaluate(input(ip, homeAndPhone));

    expect(heterogeneityOf(verdict)).toBeGreaterThan(0);
  });

  it('explains a hosting attack in the words of the data', () => {
    const verdict = sut.evaluate(input('45.55.6.7', homeAndPhone));

    expect(verdict.signals).toEqual([
      'new ASN AS14061 (DigitalOcean, LLC) (usual AS4134, AS9808, AS37963)',
      'different country (US vs usual CN)',
      'hosting network AS14061 (DigitalOcean, LLC) not used before',
    ]);
  });
});
