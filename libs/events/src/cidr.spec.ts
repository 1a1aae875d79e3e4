import { isAllowed, parseCidr } from './cidr';

import type { Cidr } from './cidr';

const list = (...texts: string[]): Cidr[] => texts.map((text) => parseCidr(text) as Cidr);

describe(parseCidr.name, () => {
  it.each([
    '10.0.0.0/8',
    '0.0.0.0/0',
    '1.2.3.4/32',
    '2001:db8::/32',
    '::/0',
    '::ffff:45.32.0.0/112',
    '1.2.3.4',
  ])('accepts %s', (text) => {
    expect(parseCidr(text)).not.toBeNull();
  });

  it.each([
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.0/',
    '10.0.0.0/08',
    'abc/8',
    '10.0.0/8',
    '/8',
    '10.0.0.0/-1',
  ])('rejects %s', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});

describe(isAllowed.name, () => {
  it('matches IPv4 blocks', () => {
    const allow = list('10.0.0.0/8', '192.168.1.0/24');
    expect(isAllowed('10.255.0.1', allow)).toBe(true);
    expect(isAllowed('11.0.0.1', allow)).toBe(false);
    expect(isAllowed('192.168.1.200', allow)).toBe(true);
    expect(isAllowed('192.168.2.1', allow)).toBe(false);
  });

  it('treats an IPv4-mapped IPv6 block as the IPv4 block', () => {
    const allow = list('::ffff:45.32.0.0/112');
    expect(isAllowed('45.32.200.1', allow)).toBe(true);
    expect(isAllowed('45.33.0.1', allow)).toBe(false);
  });

  it('matches IPv6 blocks and keeps families apart', () => {
    const allow = list('2001:db8::/32');
    expect(isAllowed('2001:db8:ffff::1', allow)).toBe(true);
    expect(isAllowed('2001:db9::1', allow)).toBe(false);
    expect(isAllowed('32.1.13.184', allow)).toBe(false);
    expect(isAllowed('::1', list('0.0.0.0/0'))).toBe(false);
    expect(isAllowed('8.8.8.8', list('0.0.0.0/0'))).toBe(true);
  });

  it('holds no IPv4 address in an IPv6 block whose range covers the mapped block', () => {
    // an IPv4-mapped address is the IPv4 address (SPEC §1): `::/0` means every IPv6 address
    for (const block of ['::/0', '::/64', '::ffff:0:0/95']) {
      expect(isAllowed('8.8.8.8', list(block))).toBe(false);
    }
    expect(isAllowed('2001:db8::1', list('::/0'))).toBe(true);
    expect(isAllowed('8.8.8.8', list('::ffff:0:0/96'))).toBe(true);
    expect(isAllowed('8.8.8.8', list('::ffff:8.8.0.0/112'))).toBe(true);
    expect(isAllowed('::fffe:808:808', list('::/0'))).toBe(true);
  });

  it('masks host bits of a block', () => {
    expect(isAllowed('10.9.9.9', list('10.1.2.3/8'))).toBe(true);
  });
});
