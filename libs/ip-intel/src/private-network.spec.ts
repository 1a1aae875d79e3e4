import { parseIpWords } from './ip-words';
import { privateBlockOf } from './private-network';

function blockOf(text: string): string | null {
  const ip = parseIpWords(text);
  if (ip === null) {
    throw new RangeError(text);
  }
  return privateBlockOf(ip);
}

describe(privateBlockOf.name, () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8'],
    ['172.31.255.1', '172.16.0.0/12'],
    ['192.168.0.1', '192.168.0.0/16'],
    ['100.100.1.1', '100.64.0.0/10'],
    ['fd12:3456::1', 'fc00::/7'],
    ['fe80::1', 'fe80::/10'],
  ])('puts %s in %s', (ip, block) => {
    expect(blockOf(ip)).toBe(block);
  });

  it.each(['172.32.0.1', '8.8.8.8', '100.128.0.1', '2001:db8::1'])('finds %s public', (ip) => {
    expect(blockOf(ip)).toBeNull();
  });
});
