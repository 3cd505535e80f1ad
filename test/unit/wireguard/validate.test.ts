import { describe, expect, it } from 'vitest';
import { formatIssues, parseRegistrySpec } from '../../../charts-src/model/index.js';
import { KEYS, wgSpec } from './fixtures.js';

function issuesOf(wireguard: Record<string, unknown>): string {
  const r = parseRegistrySpec(wgSpec(wireguard));
  return r.ok ? '' : formatIssues(r.issues);
}

const peer = (name: string, publicKey: string, address: string) => ({ name, publicKey, address });

describe('spec.wireguard validation', () => {
  it('accepts the fixture spec and fills in the hardened defaults', () => {
    const r = parseRegistrySpec(wgSpec());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const wg = r.spec.wireguard!;
    expect([wg.namespace, wg.listenPort, wg.subnet, wg.mtu, wg.service.type]).toEqual(['ward-vpn', 51820, '10.15.0.0/24', 1380, 'LoadBalancer']);
    expect(wg.privateKeySecret).toEqual({ name: 'ward-wireguard-key', key: 'privatekey' });
    expect(wg.sourceRanges).toEqual([]);
  });

  it.each([
    {
      name: 'a peer address outside the subnet',
      wireguard: { peers: [peer('alice', KEYS.alice, '10.16.0.2/32')] },
      expected: 'wireguard.peers[0].address: peer address "10.16.0.2/32" is outside the tunnel subnet 10.15.0.0/24: pick a /32 inside it (`ward wg peer` picks the next free one)',
    },
    {
      name: 'a peer address wider than /32',
      wireguard: { peers: [peer('alice', KEYS.alice, '10.15.0.0/24')] },
      expected: 'wireguard.peers[0].address: peer address "10.15.0.0/24" must be a single address: use "10.15.0.0/32" (the server routes exactly one address to each peer)',
    },
    {
      name: "the gateway's own address",
      wireguard: { peers: [peer('alice', KEYS.alice, '10.15.0.1/32')] },
      expected: "wireguard.peers[0].address: peer address \"10.15.0.1/32\" is the gateway's own address 10.15.0.1: pick another /32 in 10.15.0.0/24",
    },
    {
      name: 'the broadcast address',
      wireguard: { peers: [peer('alice', KEYS.alice, '10.15.0.255/32')] },
      expected: 'wireguard.peers[0].address: peer address "10.15.0.255/32" is the network or broadcast address of 10.15.0.0/24: pick a host address',
    },
    {
      name: 'duplicate peer names, addresses and keys',
      wireguard: { peers: [peer('alice', KEYS.alice, '10.15.0.2/32'), peer('alice', KEYS.alice, '10.15.0.2/32')] },
      expected: [
        'wireguard.peers[1].name: duplicate peer name "alice" (first used at index 0): must be unique',
        'wireguard.peers[1].address: duplicate peer address "10.15.0.2" (first used at index 0): must be unique',
        `wireguard.peers[1].publicKey: duplicate peer public key "${KEYS.alice}" (first used at index 0): must be unique`,
      ].join('\n'),
    },
    {
      name: 'a malformed public key',
      wireguard: { peers: [peer('alice', 'not-a-key', '10.15.0.2/32')] },
      expected: 'wireguard.peers[0].publicKey: public key of peer "alice" must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 9 characters)',
    },
    {
      name: 'a malformed gateway public key',
      wireguard: { publicKey: 'abc' },
      expected: 'wireguard.publicKey: gateway public key must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 3 characters)',
    },
    {
      name: 'a gateway address outside the subnet',
      wireguard: { address: '10.99.0.1' },
      expected: 'wireguard.address: gateway address "10.99.0.1" must be a host address inside the subnet 10.15.0.0/24',
    },
    {
      name: 'a subnet too small for peers',
      wireguard: { subnet: '10.15.0.0/31', peers: [] },
      expected: 'wireguard.subnet: subnet 10.15.0.0/31 leaves no room for peers: use /30 or wider, e.g. 10.15.0.0/24',
    },
    {
      name: 'a nodePort with a LoadBalancer service',
      wireguard: { service: { type: 'LoadBalancer', nodePort: 31820 } },
      expected: 'wireguard.service.nodePort: nodePort is set but service type is LoadBalancer: set type NodePort or remove nodePort',
    },
    {
      name: 'a route to an undeclared component',
      wireguard: { routes: [{ host: 'pg.internal', component: 'postgresql', port: 5432 }] },
      expected: 'wireguard.routes[0].component: unknown component "postgresql": must be one of the declared components (minio, registry)',
    },
    {
      name: 'a route to a port the component does not declare',
      wireguard: { routes: [{ host: 'registry-admin.internal', component: 'registry', port: 80 }] },
      expected: 'wireguard.routes[0].port: component "registry" declares no port 80: use one of its ports (8069)',
    },
    {
      name: 'a wildcard route host and a repeated host',
      wireguard: {
        routes: [
          { host: '*.internal', component: 'registry', port: 8069 },
          { host: '*.internal', component: 'minio', port: 9001 },
        ],
      },
      expected: [
        'wireguard.routes[0].host: host "*.internal" is a wildcard: name the exact admin host, e.g. registry-admin.internal',
        'wireguard.routes[1].host: host "*.internal" is a wildcard: name the exact admin host, e.g. registry-admin.internal',
        'wireguard.routes[1].host: duplicate admin route host "*.internal" (first used at index 0): must be unique',
      ].join('\n'),
    },
    {
      name: 'a gateway namespace shared with the registry',
      wireguard: { namespace: 'dev' },
      expected: 'wireguard.namespace: namespace "dev" is the registry namespace (spec.namespace): the gateway needs a namespace of its own (it is the only privileged one), e.g. ward-vpn',
    },
    {
      name: 'a gateway namespace shared with the internal gateway',
      wireguard: { namespace: 'istio-system' },
      expected: 'wireguard.namespace: namespace "istio-system" is the internal gateway namespace (wireguard.adminGateway.namespace): the gateway needs a namespace of its own (it is the only privileged one), e.g. ward-vpn',
    },
    {
      name: 'a subnet that is not a CIDR (schema)',
      wireguard: { subnet: '10.15.0.0' },
      expected: 'wireguard.subnet: must be an IPv4 CIDR such as 10.15.0.0/24 (add /32 for a single address), got the string "10.15.0.0"',
    },
    {
      name: 'an unknown field (schema)',
      wireguard: { allowedIPs: '0.0.0.0/0' },
      expected: 'wireguard: unknown field "allowedIPs": check the spelling against `ward synth --help` or the CRD',
    },
  ])('reports $name with its path', ({ wireguard, expected }) => {
    expect(issuesOf(wireguard)).toBe(expected);
  });

  it('prefixes paths with spec. inside a RegistryDeployment', () => {
    const r = parseRegistrySpec({ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev' }, spec: wgSpec({ mtu: 9000 }) });
    expect(r.ok ? '' : formatIssues(r.issues)).toBe('spec.wireguard.mtu: must be between 1280 and 1500, got a number (9000)');
  });
});
