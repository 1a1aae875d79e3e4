import { describeAs, topValues, usualIpCount } from './signal';
import type { SignalContext, SignalFinding } from './signal';

/**
 * Fires when usual IPs are in the same autonomous system as the new IP, or in a sibling AS of the
 * same organization (e.g. Amazon's AS14618 and AS16509), or in the same private block; otherwise
 * names the new network.
 */
export function sameNetworkSignal(context: SignalContext): SignalFinding | null {
  const { candidate, summary, usual } = context;
  if (candidate.privateBlock !== null) {
    return summary.samePrivateBlock > 0
      ? {
          signal: 'samePrivateNetwork',
          reason: `private network ${candidate.privateBlock} like ${usualIpCount(summary.samePrivateBlock)}`,
        }
      : {
          signal: 'newNetwork',
          reason: `private network ${candidate.privateBlock} not used before`,
        };
  }
  if (candidate.asn === null) {
    return { signal: 'unknownNetwork', reason: 'no ASN data for this address' };
  }
  const network = describeAs(candidate.asn, candidate.asOrganization);
  if (summary.sameAsn > 0) {
    return { signal: 'sameAsn', reason: `same ASN ${network} as ${usualIpCount(summary.sameAsn)}` };
  }
  const asn = (value: number) => `AS${value}`;
  if (summary.sameOrganization > 0) {
    const siblings = topValues(
      usual,
      (profile) => (profile.organizationId === candidate.organizationId ? profile.asn : null),
      asn,
    );
    return {
      signal: 'sameAsn',
      reason: `same operator as ${usualIpCount(summary.sameOrganization)}: ${network} vs usual ${siblings}`,
    };
  }
  const known =
    summary.withAsn === 0 ? 'none known' : topValues(usual, (profile) => profile.asn, asn);
  return { signal: 'newNetwork', reason: `new ASN ${network} (usual ${known})` };
}
