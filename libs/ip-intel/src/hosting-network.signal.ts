import type { HostingKind } from './hosting-networks.constants';
import type { SignalContext, SignalFinding } from './signal';

const KIND_TEXT: Record<HostingKind, string> = {
  cloud: 'cloud network',
  hosting: 'hosting network',
  vpn: 'VPN network',
  tor: 'Tor-exit network',
};

/**
 * Fires when the new IP is in a cloud, hosting, VPN or Tor-exit network that no usual IP is in
 * (same AS or same organization): a CI runner in the account's own cloud stays quiet, a VPS the
 * account never used does not.
 */
export function hostingNetworkSignal(context: SignalContext): SignalFinding | null {
  const { candidate, summary } = context;
  const hosting = candidate.hosting;
  if (hosting === null || candidate.asn === null) {
    return null;
  }
  if (summary.sameAsn > 0 || summary.sameOrganization > 0) {
    return null;
  }
  const name = candidate.asOrganization ?? hosting.label;
  const network = name === null ? `AS${candidate.asn}` : `AS${candidate.asn} (${name})`;
  const anonymizer = hosting.kind === 'vpn' || hosting.kind === 'tor';
  return {
    signal: anonymizer ? 'newAnonymizerNetwork' : 'newHostingNetwork',
    reason: `${KIND_TEXT[hosting.kind]} ${network} not used before`,
  };
}
