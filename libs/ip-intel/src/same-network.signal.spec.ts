import { sameNetworkSignal } from './same-network.signal';
import { signalContext } from './signal.mock';

describe(sameNetworkSignal.name, () => {
  it('counts usual IPs in the same AS', () => {
    const sut = sameNetworkSignal(
      signalContext('183.128.1.1', ['115.192.1.1', '115.193.1.1', '240e:380::1', '73.1.1.1']),
    );

    expect(sut).toEqual({ signal: 'sameAsn', reason: 'same ASN AS4134 (Chinanet) as 3 usual IPs' });
  });

  it('matches an IPv6 address to IPv4 usual IPs of the same AS', () => {
    const sut = sameNetworkSignal(signalContext('2409:8000:1::1', ['36.128.1.1']));

    expect(sut).toEqual({
      signal: 'sameAsn',
      reason: 'same ASN AS9808 (China Mobile) as 1 usual IP',
    });
  });

  it('treats a sibling AS of the same organization as the same network', () => {
    const sut = sameNetworkSignal(signalContext('3.120.1.1', ['3.80.1.1', '2600:1f10::1']));

    expect(sut).toEqual({
      signal: 'sameAsn',
      reason: 'same operator as 2 usual IPs: AS16509 (Amazon.com, Inc.) vs usual AS14618',
    });
  });

  it('names a new AS and the usual ones', () => {
    const sut = sameNetworkSignal(
      signalContext('45.55.1.1', ['115.192.1.1', '183.128.1.1', '36.128.1.1']),
    );

    expect(sut).toEqual({
      signal: 'newNetwork',
      reason: 'new ASN AS14061 (DigitalOcean, LLC) (usual AS4134, AS9808)',
    });
  });

  it('matches private addresses by private block', () => {
    expect(sameNetworkSignal(signalContext('10.9.9.9', ['10.1.1.1', '192.168.1.1']))).toEqual({
      signal: 'samePrivateNetwork',
      reason: 'private network 10.0.0.0/8 like 1 usual IP',
    });
    expect(sameNetworkSignal(signalContext('fd00::9', ['10.1.1.1']))).toEqual({
      signal: 'newNetwork',
      reason: 'private network fc00::/7 not used before',
    });
  });

  it('says when the data has no AS for the address', () => {
    expect(sameNetworkSignal(signalContext('198.51.100.1', ['115.192.1.1']))).toEqual({
      signal: 'unknownNetwork',
      reason: 'no ASN data for this address',
    });
  });

  it('names an AS without organization by number', () => {
    expect(sameNetworkSignal(signalContext('203.0.113.9', ['203.0.113.1']))?.reason).toBe(
      'same ASN AS64500 as 1 usual IP',
    );
  });
});
