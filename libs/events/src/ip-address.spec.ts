import fc from 'fast-check';

import { canonicalIp, compareIpText, parseIpAddress } from './ip-address';

describe(parseIpAddress.name, () => {
  it.each([
    ['42.120.1.2', '42.120.1.2'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:45.32.1.2', '45.32.1.2'],
    ['::FFFF:2d20:0102', '45.32.1.2'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['fe80::1', 'fe80::1'],
  ])('parses %s as %s', (text, canonical) => {
    expect(parseIpAddress(text)?.text).toBe(canonical);
  });

  it.each([
    '253.252.51.07',
    '035.249.253.232',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    ' 8.8.8.8',
    '8.8.8.8 ',
    'fe80::1%eth0',
    '[::1]',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::1',
    '::ffff:1.2.3.04',
    '1.2.3.4::',
    ':1:2:3:4:5:6:7',
    'ecs.aliyuncs.com',
    'AWS Internal',
    '',
    '١.٢.٣.٤',
    '1.2.3.4/32',
  ])('rejects %j', (text) => {
    expect(parseIpAddress(text)).toBeNull();
  });

  it('returns null for non-strings', () => {
    expect(canonicalIp(123)).toBeNull();
    expect(canonicalIp(null)).toBeNull();
  });
});

describe(canonicalIp.name, () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['255.255.255.255', '255.255.255.255'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['2001:DB8::1', '2001:db8::1'],
    ['01.2.3.4', null],
    ['1.2.3.256', null],
    ['1.2.3.4.', null],
    ['.1.2.3.4', null],
    ['1..2.3', null],
    ['1.2.3', null],
    ['1.2.3.4.5', null],
    ['1234.1.1.1', null],
    ['1.2.3.4 ', null],
  ])('gives %j as %j', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it("agrees with parseIpAddress's text on dotted, colon and digit soup (the IPv4 fast path)", () => {
    const soup = fc
      .array(fc.constantFrom('0', '1', '2', '5', '9', '.', ':', 'f', ' '), { maxLength: 17 })
      .map((chars) => chars.join(''));
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom('00', '01', '007', '', '2550'),
    );
    const dotted = fc.array(octet, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(fc.oneof(soup, dotted), (text) => {
        expect(canonicalIp(text)).toBe(parseIpAddress(text)?.text ?? null);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe(compareIpText.name, () => {
  it('orders IPv4 before IPv6, numerically', () => {
    const ips = ['::1', '10.0.0.1', '9.255.255.255', '2001:db8::', '1.2.3.4'];
    expect([...ips].sort(compareIpText)).toEqual([
      '1.2.3.4',
      '9.255.255.255',
      '10.0.0.1',
      '::1',
      '2001:db8::',
    ]);
  });
});
