import { sharedPrefixSignal } from './shared-prefix.signal';
import { signalContext } from './signal.mock';

describe(sharedPrefixSignal.name, () => {
  it('counts usual IPs in the same IPv4 /24', () => {
    const sut = sharedPrefixSignal(
      signalContext('115.192.10.20', ['115.192.10.1', '115.192.10.2', '115.192.99.1']),
    );

    expect(sut).toEqual({ signal: 'sameNarrowPrefix', reason: 'same /24 as 2 usual IPs' });
  });

  it('falls back to the IPv4 /16', () => {
    const sut = sharedPrefixSignal(signalContext('115.192.10.20', ['115.192.99.1', '183.128.1.1']));

    expect(sut).toEqual({ signal: 'sameWidePrefix', reason: 'same /16 as 1 usual IP' });
  });

  it('uses /48 and /32 for IPv6', () => {
    expect(sharedPrefixSignal(signalContext('240e:380:1:2::9', ['240e:380:1:ffff::1']))).toEqual({
      signal: 'sameNarrowPrefix',
      reason: 'same /48 as 1 usual IP',
    });
    expect(
      sharedPrefixSignal(signalContext('240e:380:1:2::9', ['240e:380:2::1', '240e:380:3::1'])),
    ).toEqual({ signal: 'sameWidePrefix', reason: 'same /32 as 2 usual IPs' });
  });

  it('stays quiet when no usual IP shares a prefix, or only one of the other version', () => {
    expect(sharedPrefixSignal(signalContext('115.192.10.20', ['183.128.1.1']))).toBeNull();
    expect(sharedPrefixSignal(signalContext('240e:380::1', ['115.192.10.20']))).toBeNull();
  });
});
