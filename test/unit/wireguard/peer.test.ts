import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import type { WireguardSpec } from '../../../charts-src/model/wireguard.js';
import { generateKeyPair } from '../../../charts-src/wireguard/keys.js';
import { planPeer, type PeerRequest } from '../../../charts-src/wireguard/peer.js';
import { KEYS, wgSpec } from './fixtures.js';

function wireguard(overrides: Record<string, unknown> = {}): WireguardSpec {
  const r = parseRegistrySpec(wgSpec(overrides));
  if (!r.ok || !r.spec.wireguard) throw new Error('fixture spec is invalid');
  return r.spec.wireguard;
}

const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(0x42);
const base: PeerRequest = { name: 'carol', endpoint: 'vpn.example.org:51820' };

describe('ward wg peer planning', () => {
  it('generates the key pair locally and takes the next free /32', () => {
    const r = planPeer(wireguard(), base, fixed);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.plan.peer).toEqual({ name: 'carol', publicKey: generateKeyPair(fixed).publicKey, address: '10.15.0.4/32' });
    expect(r.plan.generatedPrivateKey).toBe(true);
    expect(r.plan.clientConfig).toContain('AllowedIPs = 10.96.20.10/32\n');
    expect(r.plan.clientConfig).not.toContain('0.0.0.0/0');
  });

  it('uses a given public key and writes no private key', () => {
    const r = planPeer(wireguard(), { ...base, publicKey: generateKeyPair(fixed).publicKey });
    expect(r.ok && r.plan.generatedPrivateKey).toBe(false);
    expect(r.ok && r.plan.clientConfig).toContain('# PrivateKey = <your private key> (you brought your own key pair: add it here)\n');
  });

  it('adds a preshared key to the client config and references its Secret in the spec entry', () => {
    const psk = Buffer.alloc(32, 7).toString('base64');
    const r = planPeer(wireguard(), { ...base, presharedKey: psk }, fixed);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.plan.peer.presharedKeySecretRef).toEqual({ name: 'carol-psk', key: 'presharedkey' });
    expect(r.plan.clientConfig).toContain(`PublicKey = ${KEYS.server}\nPresharedKey = ${psk}\nEndpoint = vpn.example.org:51820\n`);
  });

  it.each([
    { name: 'a malformed preshared key', req: { ...base, presharedKey: 'short' }, wg: {}, problems: ['preshared key must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 5 characters) (`ward wg genpsk`)'] },
    { name: 'an existing peer name', req: { ...base, name: 'alice' }, wg: {}, problems: ['peer "alice" already exists in spec.wireguard.peers: choose another --name'] },
    { name: 'a name that is not a DNS label', req: { ...base, name: 'Carol' }, wg: {}, problems: ['--name "Carol" must be a DNS-1123 label: lowercase letters, digits and "-", e.g. alice-laptop'] },
    { name: 'an endpoint without a port', req: { ...base, endpoint: 'vpn.example.org' }, wg: {}, problems: ['--endpoint "vpn.example.org" must be HOST:PORT of the gateway\'s UDP Service, e.g. vpn.example.org:51820'] },
    { name: 'a public key another peer uses', req: { ...base, publicKey: KEYS.alice }, wg: {}, problems: ['--public-key is already used by another peer: every peer needs its own key pair'] },
    {
      name: 'an unknown gateway public key',
      req: base,
      wg: { publicKey: undefined },
      problems: ["the gateway's public key is unknown: set spec.wireguard.publicKey (`ward wg pubkey < server.key`) or pass --server-public-key"],
    },
    {
      name: 'an unknown admin gateway address',
      req: base,
      wg: { adminGateway: {} },
      problems: ['the admin gateway address is unknown: set spec.wireguard.adminGateway.address (the internal gateway Service address, e.g. 10.96.20.10/32) or pass --allowed-ips'],
    },
    { name: 'a full tunnel', req: { ...base, allowedIps: ['0.0.0.0/0'] }, wg: {}, problems: ['--allowed-ips must not route everything (0.0.0.0/0) through the tunnel: list only the admin gateway range'] },
    { name: 'a full subnet', req: base, wg: { subnet: '10.15.0.0/30', peers: [{ name: 'alice', publicKey: KEYS.alice, address: '10.15.0.2/32' }] }, problems: ['the subnet 10.15.0.0/30 is full: widen spec.wireguard.subnet or remove a peer'] },
  ])('refuses $name', ({ req, wg, problems }) => {
    expect(planPeer(wireguard(wg), req, fixed)).toEqual({ ok: false, problems });
  });
});
