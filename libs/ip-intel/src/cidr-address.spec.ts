import { addressInCidr } from './cidr-address';

describe(addressInCidr.name, () => {
  it('counts IPv4 addresses from the network address, wrapping at the block size', () => {
    expect(addressInCidr('45.55.0.0/16', 0)).toBe('45.55.0.0');
    expect(addressInCidr('45.55.0.0/16', 258)).toBe('45.55.1.2');
    expect(addressInCidr('45.55.0.0/16', 65_536 + 5)).toBe('45.55.0.5');
    expect(addressInCidr('45.55.0.0/16', -1)).toBe('45.55.255.255');
  });

  it('writes IPv6 addresses in canonical form', () => {
    expect(addressInCidr('2a01:4f8::/32', 1)).toBe('2a01:4f8::1');
    expect(addressInCidr('2a01:4f8::/32', 2n ** 80n + 0xabcdn)).toBe('2a01:4f8:1::abcd');
  });

  it('throws on an invalid block', () => {
    expect(() => addressInCidr('45.55.0.0/33', 0)).toThrow(RangeError);
  });
});
