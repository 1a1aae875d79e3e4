import { MOBILE_CARRIER_ASNS, MOBILE_CARRIER_NAME } from './mobile-carriers.constants';
import { describeAs } from './signal';
import type { SignalContext, SignalFinding } from './signal';

/**
 * Fires when the new IP is on a mobile operator's network in a country the usual IPs are in: the
 * typical benign new address (a phone, a tethered laptop), unlike rented hosting or VPN exits.
 */
export function mobileCarrierSignal(context: SignalContext): SignalFinding | null {
  const { candidate, summary } = context;
  if (summary.sameCountry === 0 || summary.sameOrganization > 0 || candidate.hosting !== null) {
    return null;
  }
  const isMobile =
    (candidate.asn !== null && MOBILE_CARRIER_ASNS.has(candidate.asn)) ||
    (candidate.asOrganization !== null && MOBILE_CARRIER_NAME.test(candidate.asOrganization));
  if (!isMobile || candidate.asn === null) {
    return null;
  }
  return {
    signal: 'sameCountryMobileCarrier',
    reason: `mobile carrier ${describeAs(candidate.asn, candidate.asOrganization)} in ${candidate.country ?? 'a usual country'}, a country of the usual IPs`,
  };
}
