import { hostingNetworkSignal } from './hosting-network.signal';
import { signalContext } from './signal.mock';

describe(hostingNetworkSignal.name, () => {
  it('fires for a hosting network no usual IP is in', () => {
    const sut = hostingNetworkSignal(signalContext('45.55.1.1', ['115.192.1.1']));

    expect(sut).toEqual({
      signal: 'newHostingNetwork',
      reason: 'hosting network AS14061 (DigitalOcean, LLC) not used before',
    });
  });

  it('stays quiet for a cloud the account already uses, even in a sibling AS', () => {
    expect(hostingNetworkSignal(signalContext('3.81.2.3', ['3.80.1.1']))).toBeNull();
    expect(hostingNetworkSignal(signalContext('3.120.1.1', ['3.80.1.1']))).toBeNull();
  });

  it('fires for a cloud the account does not use', () => {
    expect(hostingNetworkSignal(signalContext('3.80.1.1', ['115.192.1.1']))).toEqual({
      signal: 'newHostingNetwork',
      reason: 'cloud network AS14618 (Amazon.com, Inc.) not used before',
    });
  });

  it('calls VPN and Tor-exit networks anonymizers', () => {
    expect(hostingNetworkSignal(signalContext('82.102.16.5', ['115.192.1.1']))).toEqual({
      signal: 'newAnonymizerNetwork',
      reason: 'VPN network AS9009 (M247 Europe SRL) not used before',
    });
    expect(hostingNetworkSignal(signalContext('185.220.101.7', ['115.192.1.1']))?.reason).toBe(
      'Tor-exit network AS60729 (Stiftung Erneuerbare Freiheit) not used before',
    );
  });

  it('works for IPv6', () => {
    expect(hostingNetworkSignal(signalContext('2604:a880::1', ['240e::1']))?.signal).toBe(
      'newHostingNetwork',
    );
    expect(hostingNetworkSignal(signalContext('2a0b:f4c2::1', ['240e::1']))?.signal).toBe(
      'newAnonymizerNetwork',
    );
    expect(hostingNetworkSignal(signalContext('2a01:4f8::1', ['5.9.1.1']))).toBeNull();
  });

  it('stays quiet for access networks', () => {
    expect(hostingNetworkSignal(signalContext('73.1.1.1', ['115.192.1.1']))).toBeNull();
  });
});
