import { parseIpWords } from './ip-words';
import type { IpWords } from './ip-words';
import { classifyNetwork } from './network-kind';
import type { HostingClass } from './network-kind';
import type { IpIntel } from './network-info';
import { privateBlockOf } from './private-network';

/** Everything the signals need about one address, computed once. */
export interface IpProfile extends IpWords {
  asn: number | null;
  asOrganization: string | null;
  /** Organization name folded for comparison (case, punctuation), so sibling ASNs match. */
  organizationKey: string | null;
  country: string | null;
  /** Small integers standing for `organizationKey` and `country` (0 when null), compared for equality. */
  organizationId: number;
  countryId: number;
  hosting: HostingClass | null;
  /** Private block (e.g. `10.0.0.0/8`) or null for a public address. */
  privateBlock: string | null;
}

function organizationKey(organization: string | null): string | null {
  if (organization === null) {
    return null;
  }
  const key = organization
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return key === '' ? null : key;
}

const TEXT_IDS = new Map<string, number>();

function textId(text: string | null): number {
  if (text === null) {
    return 0;
  }
  let id = TEXT_IDS.get(text);
  if (id === undefined) {
    id = TEXT_IDS.size + 1;
    TEXT_IDS.set(text, id);
  }
  return id;
}

/** Profile of one address; null when the text is not an IP address. */
export function profileIp(text: string, intel: IpIntel): IpProfile | null {
  const ip = parseIpWords(text);
  if (ip === null) {
    return null;
  }
  const privateBlock = privateBlockOf(ip);
  const info =
    privateBlock === null ? intel.lookup(ip) : { asn: null, asOrganization: null, country: null };
  const key = organizationKey(info.asOrganization);
  // One literal shape for every profile keeps the signals' property reads monomorphic (issue 5).
  return {
    version: ip.version,
    text: ip.text,
    words: ip.words,
    asn: info.asn,
    asOrganization: info.asOrganization,
    organizationKey: key,
    country: info.country,
    organizationId: textId(key),
    countryId: textId(info.country),
    hosting: classifyNetwork(info.asn, info.asOrganization),
    privateBlock,
  };
}

/** Default number of profiles an {@link IpProfileCache} keeps. */
export const DEFAULT_PROFILE_CACHE_SIZE = 100_000;

/**
 * Cache of profiles by IP text, bounded to about `capacity` entries in two generations (a hit in
 * the older one moves the entry to the newer one; when the newer one is full the older one is
 * dropped). The usual IPs of an account come back at every window it opens, so each is looked up
 * in the data once rather than once per evaluation.
 */
export class IpProfileCache {
  private current = new Map<string, IpProfile | null>();
  private previous = new Map<string, IpProfile | null>();
  private readonly generationSize: number;

  constructor(
    private readonly intel: () => IpIntel,
    capacity = DEFAULT_PROFILE_CACHE_SIZE,
  ) {
    this.generationSize = Math.max(1, Math.floor(capacity / 2));
  }

  /** Entries held, at most the capacity (or 1). */
  get size(): number {
    return this.current.size + this.previous.size;
  }

  profile(text: string): IpProfile | null {
    const cached = this.current.get(text);
    if (cached !== undefined) {
      return cached;
    }
    const older = this.previous.get(text);
    const profile = older !== undefined ? older : profileIp(text, this.intel());
    if (older !== undefined) {
      this.previous.delete(text);
    }
    this.current.set(text, profile);
    if (this.current.size >= this.generationSize) {
      this.previous = this.current;
      this.current = new Map();
    }
    return profile;
  }
}
