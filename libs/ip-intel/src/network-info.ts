import type { IpWords } from './ip-words';

/** What the IP data says about an address; null fields are unknown (e.g. private addresses). */
export interface NetworkInfo {
  asn: number | null;
  /** Organization holding the AS, as named by the data (e.g. `DigitalOcean, LLC`). */
  asOrganization: string | null;
  /** ISO 3166-1 alpha-2 code. */
  country: string | null;
}

/** IP → ASN and country lookups; {@link IpDataRepository} is the implementation over npm data. */
export interface IpIntel {
  lookup(ip: IpWords): NetworkInfo;
}
