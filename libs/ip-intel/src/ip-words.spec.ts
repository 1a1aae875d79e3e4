import { commonPrefixLength, parseIpWords } from './ip-words';

function words(text: string) {
  const ip = parseIpWords(text);
  if (ip === null) {
    throw new RangeError(text);
  }
  return ip;
}

describe(parseIpWords.name, () => {
  it('puts an IPv4 address in the first word', () => {
    expect(parseIpWords('8.8.8.8')).toEqual({
      version: 4,
      text: '8.8.8.8',
      words: [0x0808_0808, 0, 0, 0],
    });
  });

  it('splits an IPv6 address into four big-endian words and keeps canonical text', () => {
    expect(parseIpWords('2001:DB8::1')).toEqual({
      version: 6,
      text: '2001:db8::1',
      words: [0x2001_0db8, 0, 0, 1],
    });
  });

  it('folds IPv4-mapped IPv6 to IPv4', () => {
    expect(parseIpWords('::ffff:47.88.1.2')?.text).toBe('47.88.1.2');
  });

  it.each(['ecs.aliyuncs.com', '253.252.51.07', 'fe80::1%eth0', ''])('rejects %j', (text) => {
    expect(parseIpWords(text)).toBeNull();
  });
});

describe(commonPrefixLength.name, () => {
  it('counts the leading bits two IPv4 addresses share', () => {
    const sut = words('115.192.10.20');
    expect(commonPrefixLength(sut, words('115.192.10.99'))).toBe(25);
    expect(commonPrefixLength(sut, words('115.192.11.20'))).toBe(23);
    expect(commonPrefixLength(sut, words('115.193.10.20'))).toBe(15);
    expect(commonPrefixLength(sut, words('115.192.10.20'))).toBe(32);
    expect(commonPrefixLength(sut, words('243.192.10.20'))).toBe(0);
  });

  it('counts across the words of IPv6 addresses', () => {
    const sut = words('240e:380:1a2b:1::5');
    expect(commonPrefixLength(sut, words('240e:380:1a2b:ffff::1'))).toBe(48);
    expect(commonPrefixLength(sut, words('240e:380:1a2c::1'))).toBe(45);
    expect(commonPrefixLength(sut, words('240e:381::1'))).toBe(31);
    expect(commonPrefixLength(sut, words('240e:380:1a2b:1::4'))).toBe(127);
    expect(commonPrefixLength(sut, words('240e:380:1a2b:1::5'))).toBe(128);
  });

  it('is -1 across IP versions', () => {
    expect(commonPrefixLength(words('0.0.0.1'), words('::1'))).toBe(-1);
  });
});
