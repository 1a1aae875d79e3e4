/**
 * What a network is used for in labeled scenarios: benign new IPs come from `home-isp`,
 * `mobile-carrier` and `cloud-ci` networks an account already uses; attackers from `hosting-vps`
 * and `anonymizer` networks.
 */
export type ExampleNetworkKind =
  'home-isp' | 'mobile-carrier' | 'cloud-ci' | 'hosting-vps' | 'anonymizer';

/** A real network with blocks that lie wholly in one AS and one country of the installed data. */
export interface ExampleNetwork {
  kind: ExampleNetworkKind;
  /** ISO 3166-1 alpha-2 country of every address of every block. */
  country: string;
  asn: number;
  label: string;
  /** IPv4 and IPv6 CIDR blocks. */
  cidrs: readonly string[];
}

/**
 * Pools of realistic addresses per kind and country for the scenario generator, chosen by looking
 * the blocks up in the installed IP data (whole block: one AS, one country; checked by
 * example-networks.spec.ts, re-check after a data bump).
 */
export const EXAMPLE_NETWORKS: readonly ExampleNetwork[] = [
  {
    kind: 'home-isp',
    country: 'CN',
    asn: 4134,
    label: 'China Telecom (Chinanet)',
    cidrs: ['115.192.0.0/16', '183.128.0.0/16', '240e:380::/32'],
  },
  {
    kind: 'home-isp',
    country: 'CN',
    asn: 4837,
    label: 'China Unicom',
    cidrs: ['1.26.0.0/16', '1.29.0.0/16', '2408:8000:2000::/36'],
  },
  {
    kind: 'home-isp',
    country: 'US',
    asn: 7922,
    label: 'Comcast',
    cidrs: ['73.0.0.0/16', '24.60.0.0/16', '2601:0:200::/40'],
  },
  {
    kind: 'home-isp',
    country: 'DE',
    asn: 3320,
    label: 'Deutsche Telekom',
    cidrs: ['79.192.0.0/16', '80.128.0.0/16', '2003:e0::/32'],
  },
  {
    kind: 'home-isp',
    country: 'FR',
    asn: 12322,
    label: 'Free',
    cidrs: ['82.64.0.0/16', '88.120.0.0/16', '2a01:e0a::/40'],
  },
  {
    kind: 'home-isp',
    country: 'GB',
    asn: 5089,
    label: 'Virgin Media',
    cidrs: ['82.0.0.0/16', '80.192.0.0/16', '2a02:8801::/32'],
  },
  {
    kind: 'home-isp',
    country: 'JP',
    asn: 4713,
    label: 'NTT OCN',
    cidrs: ['58.88.0.0/16', '60.32.0.0/16', '2400:4000::/32'],
  },
  {
    kind: 'home-isp',
    country: 'SG',
    asn: 9506,
    label: 'Singtel',
    cidrs: ['42.60.0.0/17', '115.66.128.0/17', '2400:d801:6010::/44'],
  },
  {
    kind: 'mobile-carrier',
    country: 'CN',
    asn: 9808,
    label: 'China Mobile',
    cidrs: ['36.136.0.0/16', '36.128.0.0/16', '2409:8000:4000::/36'],
  },
  {
    kind: 'mobile-carrier',
    country: 'US',
    asn: 21928,
    label: 'T-Mobile US',
    cidrs: ['172.56.0.0/16', '172.58.0.0/16', '2607:fb90::/36'],
  },
  {
    kind: 'mobile-carrier',
    country: 'US',
    asn: 6167,
    label: 'Verizon Wireless',
    cidrs: ['72.104.0.0/16', '75.194.0.0/16', '2600:1000::/32'],
  },
  {
    kind: 'mobile-carrier',
    country: 'US',
    asn: 20057,
    label: 'AT&T Mobility',
    cidrs: ['107.77.64.0/19', '107.85.0.0/16', '2600:380::/36'],
  },
  {
    kind: 'mobile-carrier',
    country: 'DE',
    asn: 6805,
    label: 'Telefonica o2 Germany',
    cidrs: ['46.114.0.0/16', '77.0.0.0/16', '2a02:3000::/32'],
  },
  {
    kind: 'mobile-carrier',
    country: 'JP',
    asn: 9605,
    label: 'NTT DOCOMO',
    cidrs: ['1.72.0.0/16', '1.66.128.0/17', '240a:40:4000::/36'],
  },
  {
    kind: 'mobile-carrier',
    country: 'IN',
    asn: 55836,
    label: 'Reliance Jio',
    cidrs: ['47.11.0.0/16', '47.15.0.0/16', '2405:201::/32'],
  },
  {
    kind: 'cloud-ci',
    country: 'US',
    asn: 14618,
    label: 'AWS us-east-1',
    cidrs: ['3.80.0.0/16', '3.225.0.0/16', '2600:1f10:4000::/36'],
  },
  {
    kind: 'cloud-ci',
    country: 'US',
    asn: 8075,
    label: 'Microsoft Azure (GitHub-hosted runners)',
    cidrs: ['20.1.0.0/16', '40.76.0.0/16', '2603:1001::/32'],
  },
  {
    kind: 'cloud-ci',
    country: 'US',
    asn: 396982,
    label: 'Google Cloud',
    cidrs: ['34.102.0.0/16', '35.184.0.0/16', '2600:1904::/32'],
  },
  {
    kind: 'cloud-ci',
    country: 'CN',
    asn: 37963,
    label: 'Alibaba Cloud (mainland China)',
    cidrs: ['47.96.0.0/16', '120.55.0.0/16', '2408:4000::/32'],
  },
  {
    kind: 'cloud-ci',
    country: 'US',
    asn: 45102,
    label: 'Alibaba Cloud (US)',
    cidrs: ['47.88.0.0/16', '47.252.0.0/16'],
  },
  {
    kind: 'cloud-ci',
    country: 'SG',
    asn: 45102,
    label: 'Alibaba Cloud (Singapore)',
    cidrs: ['8.219.0.0/16', '8.222.128.0/17', '240b:4000::/32'],
  },
  {
    kind: 'cloud-ci',
    country: 'CN',
    asn: 45090,
    label: 'Tencent Cloud',
    cidrs: ['49.232.0.0/16', '1.116.0.0/16'],
  },
  {
    kind: 'cloud-ci',
    country: 'DE',
    asn: 16509,
    label: 'AWS eu-central-1',
    cidrs: ['3.120.0.0/16', '18.184.0.0/16'],
  },
  {
    kind: 'cloud-ci',
    country: 'SG',
    asn: 16509,
    label: 'AWS ap-southeast-1',
    cidrs: ['13.228.0.0/16', '18.136.0.0/16', '2406:da18::/36'],
  },
  {
    kind: 'hosting-vps',
    country: 'US',
    asn: 14061,
    label: 'DigitalOcean',
    cidrs: ['45.55.0.0/16', '104.131.0.0/16'],
  },
  {
    kind: 'hosting-vps',
    country: 'DE',
    asn: 14061,
    label: 'DigitalOcean Frankfurt',
    cidrs: ['164.90.160.0/19'],
  },
  {
    kind: 'hosting-vps',
    country: 'SG',
    asn: 14061,
    label: 'DigitalOcean Singapore',
    cidrs: ['128.199.128.0/18', '206.189.80.0/20', '2400:6180::/48'],
  },
  {
    kind: 'hosting-vps',
    country: 'US',
    asn: 20473,
    label: 'Vultr (Choopa)',
    cidrs: ['144.202.0.0/17', '152.39.128.0/17', '2001:19f0::/36'],
  },
  {
    kind: 'hosting-vps',
    country: 'JP',
    asn: 20473,
    label: 'Vultr Tokyo',
    cidrs: ['167.179.64.0/18', '45.32.32.0/19', '2401:c080::/36'],
  },
  {
    kind: 'hosting-vps',
    country: 'US',
    asn: 63949,
    label: 'Linode (Akamai)',
    cidrs: ['45.33.0.0/17', '45.79.0.0/18', '2600:3c00::/32'],
  },
  {
    kind: 'hosting-vps',
    country: 'DE',
    asn: 24940,
    label: 'Hetzner',
    cidrs: ['5.9.0.0/16', '46.4.0.0/16', '2a01:4f8::/32'],
  },
  {
    kind: 'hosting-vps',
    country: 'FI',
    asn: 24940,
    label: 'Hetzner Helsinki',
    cidrs: ['65.109.0.0/16', '2.29.0.0/16', '2a01:4f9:c010::/48'],
  },
  {
    kind: 'hosting-vps',
    country: 'DE',
    asn: 51167,
    label: 'Contabo',
    cidrs: ['38.242.192.0/18', '2a02:c202::/32'],
  },
  {
    kind: 'hosting-vps',
    country: 'FR',
    asn: 16276,
    label: 'OVHcloud',
    cidrs: ['37.187.0.0/17', '91.121.0.0/17', '2001:41d0:1000::/36'],
  },
  {
    kind: 'hosting-vps',
    country: 'NL',
    asn: 60781,
    label: 'Leaseweb',
    cidrs: ['85.17.0.0/16', '5.79.64.0/18', '2001:1af8::/36'],
  },
  {
    kind: 'hosting-vps',
    country: 'NL',
    asn: 49981,
    label: 'WorldStream',
    cidrs: ['109.236.80.0/20', '217.23.0.0/20'],
  },
  {
    kind: 'anonymizer',
    country: 'RO',
    asn: 9009,
    label: 'M247 (VPN exits)',
    cidrs: ['82.102.16.0/20'],
  },
  {
    kind: 'anonymizer',
    country: 'GB',
    asn: 9009,
    label: 'M247 London (VPN exits)',
    cidrs: ['5.157.208.0/20', '2a02:40::/32'],
  },
  {
    kind: 'anonymizer',
    country: 'SE',
    asn: 39351,
    label: 'Mullvad VPN (31173 Services)',
    cidrs: ['45.83.220.0/22', '2a03:1b20::/48'],
  },
  {
    kind: 'anonymizer',
    country: 'CH',
    asn: 62371,
    label: 'Proton VPN',
    cidrs: ['185.70.40.0/22', '2a05:2700::/32'],
  },
  {
    kind: 'anonymizer',
    country: 'DE',
    asn: 60729,
    label: 'Torservers.net (Tor exits)',
    cidrs: ['185.220.101.0/24', '2a0b:f4c2::/40'],
  },
  {
    kind: 'anonymizer',
    country: 'DE',
    asn: 205100,
    label: 'F3 Netze (Tor exits)',
    cidrs: ['185.220.100.0/24', '2a0b:f4c0::/40'],
  },
  {
    kind: 'anonymizer',
    country: 'US',
    asn: 396507,
    label: 'Emerald Onion (Tor exits)',
    cidrs: ['23.129.64.0/24', '2620:18c::/36'],
  },
  {
    kind: 'anonymizer',
    country: 'AT',
    asn: 208323,
    label: 'Foundation for Applied Privacy (Tor exits)',
    cidrs: ['109.70.100.0/24'],
  },
];
