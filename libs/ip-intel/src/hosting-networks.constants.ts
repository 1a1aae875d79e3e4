/**
 * Networks where anyone can rent a machine or an exit address:
 * - `cloud`: public clouds (where CI runners and cloud workloads also live),
 * - `hosting`: VPS, dedicated and colocation providers,
 * - `vpn`: commercial VPN and anonymizing proxy networks, or providers whose space is mostly VPN exits,
 * - `tor`: organizations that mainly run Tor exit relays.
 */
export type HostingKind = 'cloud' | 'hosting' | 'vpn' | 'tor';

/** A curated network: its AS numbers as they appear in the ASN data, with a short label. */
export interface HostingNetwork {
  label: string;
  kind: HostingKind;
  asns: readonly number[];
}

/** Curated list, checked against the ASN data's organization names (docs/heterogeneity-model.md). */
export const HOSTING_NETWORKS: readonly HostingNetwork[] = [
  { label: 'Amazon Web Services', kind: 'cloud', asns: [16509, 14618, 8987] },
  { label: 'Google Cloud', kind: 'cloud', asns: [15169, 396982, 19527] },
  { label: 'Microsoft Azure', kind: 'cloud', asns: [8075, 8068, 8069] },
  { label: 'Alibaba Cloud', kind: 'cloud', asns: [45102, 37963, 134963, 24429] },
  { label: 'Tencent Cloud', kind: 'cloud', asns: [45090, 132203, 133478, 132591] },
  { label: 'Huawei Cloud', kind: 'cloud', asns: [136907, 55990] },
  { label: 'Oracle Cloud', kind: 'cloud', asns: [31898] },
  { label: 'IBM Cloud', kind: 'cloud', asns: [36351] },
  { label: 'Baidu Cloud', kind: 'cloud', asns: [38365, 55967] },
  { label: 'Kingsoft Cloud', kind: 'cloud', asns: [59019, 137280] },
  { label: 'UCloud', kind: 'cloud', asns: [59077, 135377, 139327] },
  { label: 'Volcano Engine', kind: 'cloud', asns: [137718] },
  { label: 'Yandex Cloud', kind: 'cloud', asns: [200350] },
  { label: 'Cloudflare', kind: 'cloud', asns: [13335] },
  { label: 'DigitalOcean', kind: 'hosting', asns: [14061, 46652] },
  { label: 'OVHcloud', kind: 'hosting', asns: [16276, 35540] },
  { label: 'Hetzner', kind: 'hosting', asns: [24940, 213230] },
  { label: 'Vultr (Choopa)', kind: 'hosting', asns: [20473] },
  { label: 'Linode (Akamai)', kind: 'hosting', asns: [63949, 48337] },
  { label: 'Contabo', kind: 'hosting', asns: [51167, 40021] },
  { label: 'Leaseweb', kind: 'hosting', asns: [60781, 28753, 16265, 30633] },
  { label: 'Scaleway', kind: 'hosting', asns: [12876] },
  { label: 'Hostinger', kind: 'hosting', asns: [47583] },
  { label: 'IONOS', kind: 'hosting', asns: [8560] },
  { label: 'netcup', kind: 'hosting', asns: [197540] },
  { label: 'Kamatera', kind: 'hosting', asns: [36007, 41436, 54913, 64022, 204548, 210329] },
  { label: 'G-Core Labs', kind: 'hosting', asns: [59245, 199524, 202422, 210559] },
  { label: 'Zenlayer', kind: 'hosting', asns: [4229, 21859, 29752, 38854, 62610, 139625] },
  { label: 'Aeza', kind: 'hosting', asns: [210644] },
  { label: 'WorldStream', kind: 'hosting', asns: [49981] },
  { label: 'HostPapa (ColoCrossing)', kind: 'hosting', asns: [36352] },
  { label: 'FranTech (BuyVM)', kind: 'hosting', asns: [53667] },
  { label: 'QuadraNet', kind: 'hosting', asns: [8100] },
  { label: 'Clouvider', kind: 'hosting', asns: [62240] },
  { label: 'Hivelocity', kind: 'hosting', asns: [29802] },
  { label: 'Performive', kind: 'hosting', asns: [46562] },
  { label: 'ServerMania (B2 Net)', kind: 'hosting', asns: [55286] },
  { label: 'Servers.com', kind: 'hosting', asns: [7979] },
  { label: 'Interserver', kind: 'hosting', asns: [19318] },
  { label: 'CNSERVERS', kind: 'hosting', asns: [40065] },
  { label: 'Psychz', kind: 'hosting', asns: [40676] },
  { label: 'GTHost', kind: 'hosting', asns: [63023] },
  { label: 'IP Volume', kind: 'hosting', asns: [202425] },
  { label: 'NForce', kind: 'hosting', asns: [43350] },
  { label: 'Alexhost', kind: 'hosting', asns: [200019, 207636] },
  { label: 'Baxet', kind: 'hosting', asns: [26383, 49392, 51659] },
  { label: 'BlueVPS', kind: 'hosting', asns: [62005] },
  { label: 'M247', kind: 'vpn', asns: [9009, 16247, 33970, 42973, 51332] },
  { label: 'Datacamp (CDN77)', kind: 'vpn', asns: [60068, 212238] },
  { label: 'PacketHub (NordVPN)', kind: 'vpn', asns: [136787] },
  { label: 'Mullvad', kind: 'vpn', asns: [39351, 216025] },
  { label: 'Proton VPN', kind: 'vpn', asns: [62371, 209103] },
  { label: 'Anonymizer', kind: 'vpn', asns: [201665] },
  { label: 'Torservers.net', kind: 'tor', asns: [60729] },
  { label: 'Foundation for Applied Privacy', kind: 'tor', asns: [208323] },
  { label: 'Emerald Onion', kind: 'tor', asns: [396507] },
  { label: 'F3 Netze', kind: 'tor', asns: [205100] },
  { label: 'Quintex Alliance', kind: 'tor', asns: [62744] },
  { label: '1337 Services', kind: 'tor', asns: [54990, 210558] },
];

/** Name patterns for networks not in the curated list, tried in this order. */
export const HOSTING_NAME_PATTERNS: readonly { kind: HostingKind; pattern: RegExp }[] = [
  { kind: 'tor', pattern: /\btor ?servers\b|\btor[- ]exit/i },
  { kind: 'vpn', pattern: /\bvpn\b|\banonymi[sz]er\b|\bproxy\b/i },
  {
    kind: 'hosting',
    pattern:
      /hosting|\bhost\b|\bvps\b|\bvds\b|\bdata ?cent(?:er|re)s?\b|\bservers?\b|\bdedicated\b|\bcolo(?:cation)?\b|\bcloud\b|\bidc\b/i,
  },
];
