/** One npm data package the IP data is read from, with what its licence asks of us. */
export interface IpDataSource {
  packageName: string;
  files: readonly string[];
  content: string;
  licence: string;
  attribution: string;
}

/** IP → ASN (and AS organization name): inclusive ranges as CSV text, one file per IP family. */
export const ASN_DATA_SOURCE: IpDataSource = {
  packageName: '@ip-location-db/asn',
  files: ['asn-ipv4.csv', 'asn-ipv6.csv'],
  content: 'IP ranges to autonomous system number and organization',
  licence: 'CC-BY-4.0',
  attribution:
    'IP to ASN data by RouteViews (routeviews.org), the NRO (nro.net) and DB-IP ' +
    '(IP Geolocation by DB-IP, https://db-ip.com), CC BY 4.0, compiled by ip-location-db ' +
    '(https://github.com/sapics/ip-location-db)',
};

/** IP → country (ISO 3166-1 alpha-2): one MMDB covering IPv4 and IPv6. */
export const COUNTRY_DATA_SOURCE: IpDataSource = {
  packageName: '@ip-location-db/geo-whois-asn-country-mmdb',
  files: ['geo-whois-asn-country.mmdb'],
  content: 'IP to country from GeoFeed, then Whois, then ASN registration',
  licence: 'CC0-1.0 (NRO statistics within: CC-BY-4.0)',
  attribution:
    'IP to country data by ip-location-db (https://github.com/sapics/ip-location-db), CC0, ' +
    'built on statistics by the NRO (nro.net), CC BY 4.0',
};

/** Every data source, for notices (`--version`, console footer, docs). */
export const IP_DATA_SOURCES: readonly IpDataSource[] = [ASN_DATA_SOURCE, COUNTRY_DATA_SOURCE];

/** The attribution text the licences ask for; show it wherever results of the data are shown. */
export const IP_DATA_ATTRIBUTION = IP_DATA_SOURCES.map((source) => source.attribution).join('; ');
