import { sameCountrySignal } from './same-country.signal';
import { signalContext } from './signal.mock';

describe(sameCountrySignal.name, () => {
  it('counts usual IPs in the same country', () => {
    const sut = sameCountrySignal(
      signalContext('36.128.1.1', ['115.192.1.1', '240e::1', '73.1.1.1']),
    );

    expect(sut).toEqual({ signal: 'sameCountry', reason: 'same country CN as 2 usual IPs' });
  });

  it('names the usual countries, most frequent first, when the country is new', () => {
    const sut = sameCountrySignal(
      signalContext('45.55.1.1', [
        '115.192.1.1',
        '36.128.1.1',
        '5.9.1.1',
        '3.120.1.1',
        '82.102.16.1',
      ]),
    );

    expect(sut).toEqual({
      signal: 'differentCountry',
      reason: 'different country (US vs usual CN, DE, RO)',
    });
  });

  it('works for IPv6', () => {
    expect(sameCountrySignal(signalContext('2a01:4f8::1', ['2409:8000::1']))?.reason).toBe(
      'different country (DE vs usual CN)',
    );
  });

  it('stays quiet when either side has no known country', () => {
    expect(sameCountrySignal(signalContext('10.0.0.1', ['115.192.1.1']))).toBeNull();
    expect(sameCountrySignal(signalContext('115.192.1.1', ['10.0.0.1']))).toBeNull();
  });
});
