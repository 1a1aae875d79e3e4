import { parseAsnCsv } from './asn-csv.parser';
import { IpDataError } from './ip-data.error';
import { parseIpWords } from './ip-words';

function at(text: string) {
  const ip = parseIpWords(text);
  if (ip === null) {
    throw new RangeError(text);
  }
  return ip;
}

const IPV4_CSV = [
  '1.0.0.0,1.0.0.255,13335,"Cloudflare, Inc."',
  '2.56.0.0,2.56.3.255,201907,"LLC ""SPUTNIK"""',
  '8.8.8.0,8.8.8.255,15169,Google LLC',
  '8.8.9.0,8.8.9.255,15169,Other Name For Google',
  '',
].join('\r\n');

const IPV6_CSV = [
  '2001:4860::,2001:4860:ffff:ffff:ffff:ffff:ffff:ffff,15169,Google LLC',
  '2a01:4f8::,2a01:4f8:ffff:ffff:ffff:ffff:ffff:ffff,24940,Hetzner Online GmbH',
  '2a0b:f4c2::,2a0b:f4c2:ff:ffff:ffff:ffff:ffff:ffff,60729,Stiftung Erneuerbare Freiheit',
].join('\n');

describe(parseAsnCsv.name, () => {
  it('reads IPv4 ranges with quoted organization names and CRLF lines', () => {
    const sut = parseAsnCsv(Buffer.from(IPV4_CSV), 4);

    expect(sut.size).toBe(4);
    expect(sut.lookup(at('1.0.0.1'))).toEqual({ asn: 13335, organization: 'Cloudflare, Inc.' });
    expect(sut.lookup(at('2.56.1.1'))).toEqual({ asn: 201907, organization: 'LLC "SPUTNIK"' });
  });

  it('finds range ends inclusively and misses gaps', () => {
    const sut = parseAsnCsv(Buffer.from(IPV4_CSV), 4);

    expect(sut.lookup(at('8.8.8.255'))?.asn).toBe(15169);
    expect(sut.lookup(at('8.8.10.0'))).toBeNull();
    expect(sut.lookup(at('0.255.255.255'))).toBeNull();
    expect(sut.lookup(at('1.0.1.0'))).toBeNull();
  });

  it('keeps the first organization name seen for an AS', () => {
    const sut = parseAsnCsv(Buffer.from(IPV4_CSV), 4);

    expect(sut.lookup(at('8.8.9.1'))?.organization).toBe('Google LLC');
  });

  it('reads IPv6 ranges with compressed addresses', () => {
    const sut = parseAsnCsv(Buffer.from(IPV6_CSV), 6);

    expect(sut.lookup(at('2001:4860:4860::8888'))?.asn).toBe(15169);
    expect(sut.lookup(at('2a01:4f8:c17:1::1'))?.asn).toBe(24940);
    expect(sut.lookup(at('2a0b:f4c2:ff:ffff::1'))?.asn).toBe(60729);
    expect(sut.lookup(at('2a0b:f4c2:100::1'))).toBeNull();
    expect(sut.lookup(at('8.8.8.8'))).toBeNull();
  });

  it('clips an overlapping range so that the later one wins', () => {
    const sut = parseAsnCsv(
      Buffer.from('10.0.0.0,10.0.255.255,1,A\n10.0.128.0,10.1.0.255,2,B\n'),
      4,
    );

    expect(sut.lookup(at('10.0.127.255'))?.asn).toBe(1);
    expect(sut.lookup(at('10.0.128.0'))?.asn).toBe(2);
    expect(sut.lookup(at('10.1.0.255'))?.asn).toBe(2);
  });

  it.each([
    ['unsorted ranges', '2.0.0.0,2.0.0.255,1,A\n1.0.0.0,1.0.0.255,2,B\n'],
    ['a missing column', '1.0.0.0,1.0.0.255,13335\n'],
    ['a bad address', '1.0.0.256,1.0.0.255,1,A\n'],
    ['a bad AS number', '1.0.0.0,1.0.0.255,AS1,A\n'],
    ['a start after its end', '1.0.0.9,1.0.0.1,1,A\n'],
  ])('rejects %s with an IpDataError', (_case, csv) => {
    expect(() => parseAsnCsv(Buffer.from(csv), 4)).toThrow(IpDataError);
  });

  it('rejects an IPv6 address with two gaps', () => {
    expect(() => parseAsnCsv(Buffer.from('1::2::3,2::,1,A\n'), 6)).toThrow(IpDataError);
  });
});
