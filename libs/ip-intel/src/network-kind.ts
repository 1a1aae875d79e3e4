import { HOSTING_NAME_PATTERNS, HOSTING_NETWORKS } from './hosting-networks.constants';
import type { HostingKind } from './hosting-networks.constants';

/** How an AS was recognized as a hosting-like network. */
export interface HostingClass {
  kind: HostingKind;
  /** The curated label, or null when only the organization name matched a pattern. */
  label: string | null;
}

const BY_ASN = new Map<number, HostingClass>(
  HOSTING_NETWORKS.flatMap((network) =>
    network.asns.map((asn) => [asn, { kind: network.kind, label: network.label }] as const),
  ),
);

/** Hosting, cloud, VPN or Tor-exit class of an AS, from the curated list then name patterns. */
export function classifyNetwork(
  asn: number | null,
  organization: string | null,
): HostingClass | null {
  if (asn !== null) {
    const curated = BY_ASN.get(asn);
    if (curated !== undefined) {
      return curated;
    }
  }
  if (organization === null) {
    return null;
  }
  const match = HOSTING_NAME_PATTERNS.find(({ pattern }) => pattern.test(organization));
  return match === undefined ? null : { kind: match.kind, label: null };
}
