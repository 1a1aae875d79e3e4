import { classifyNetwork } from './network-kind';

describe(classifyNetwork.name, () => {
  it('knows curated networks by AS number whatever their name', () => {
    expect(classifyNetwork(14061, null)).toEqual({ kind: 'hosting', label: 'DigitalOcean' });
    expect(classifyNetwork(16509, 'Amazon.com, Inc.')).toEqual({
      kind: 'cloud',
      label: 'Amazon Web Services',
    });
    expect(classifyNetwork(9009, 'M247 Europe SRL')?.kind).toBe('vpn');
    expect(classifyNetwork(60729, 'Stiftung Erneuerbare Freiheit')?.kind).toBe('tor');
  });

  it.each([
    ['Example Hosting Ltd', 'hosting'],
    ['Cheap VPS Co', 'hosting'],
    ['Foo Data Center', 'hosting'],
    ['Bar Datacentre Services', 'hosting'],
    ['UK Dedicated Servers Limited', 'hosting'],
    ['Castle VPN', 'vpn'],
    ['Anonymizer, LLC', 'vpn'],
  ])('recognizes %j by name as %s', (name, kind) => {
    expect(classifyNetwork(64500, name)).toEqual({ kind, label: null });
  });

  it.each(['Chinanet', 'Comcast Cable Communications, LLC', 'Motorola Solutions', 'Storage AS'])(
    'leaves the access network %j unclassified',
    (name) => {
      expect(classifyNetwork(64500, name)).toBeNull();
    },
  );

  it('returns null with neither a known AS nor a name', () => {
    expect(classifyNetwork(null, null)).toBeNull();
  });
});
