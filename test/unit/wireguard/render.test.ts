import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import type { WireguardSpec } from '../../../charts-src/model/wireguard.js';
import { generateKeyPair } from '../../../charts-src/wireguard/keys.js';
import { planPeer } from '../../../charts-src/wireguard/peer.js';
import { gatewayInterfaceAddress, renderFirewall, renderPresharedKeyMap, renderServerConfig } from '../../../charts-src/wireguard/render.js';
import { KEYS, wgSpec } from './fixtures.js';

function wireguard(overrides: Record<string, unknown> = {}): WireguardSpec {
  const r = parseRegistrySpec(wgSpec(overrides));
  if (!r.ok || !r.spec.wireguard) throw new Error('fixture spec is invalid');
  return r.spec.wireguard;
}

/** Fixed bytes as "randomness": the generated client key is the same on every run. */
const fixed = (n: number): Uint8Array => new Uint8Array(n).fill(0x42);

describe('rendering', () => {
  it('renders the gateway wg setconf config: ListenPort and one /32 per peer, no private key', async () => {
    const text = renderServerConfig(wireguard());
    await expect(text).toMatchFileSnapshot('__golden__/wg0.conf');
    expect(text).not.toMatch(/PrivateKey|PresharedKey/);
  });

  it('puts the private key into [Interface] only when given one', () => {
    const { privateKey } = generateKeyPair(fixed);
    expect(renderServerConfig(wireguard(), privateKey).split('\n').slice(2, 5)).toEqual(['[Interface]', `PrivateKey = ${privateKey}`, 'ListenPort = 51820']);
  });

  it('renders the nftables ruleset: UDP in, peers to the admin gateway ports only, masquerade out', async () => {
    await expect(renderFirewall(wireguard())).toMatchFileSnapshot('__golden__/nftables.conf');
  });

  it('forwards nothing when there are no peers', () => {
    expect(renderFirewall(wireguard({ peers: [] }))).toContain('    # no peers: nothing is forwarded\n    iifname "wg0" counter drop\n');
  });

  it('matches the interface name it is given', () => {
    expect(renderFirewall(wireguard(), 'wgtest0')).toContain('iifname "wgtest0" ip saddr { 10.15.0.2, 10.15.0.3 } ip daddr 10.96.20.10/32 tcp dport 80 accept');
  });

  it('lists preshared-key files by public key, never the keys', () => {
    expect(renderPresharedKeyMap(wireguard())).toBe(`${KEYS.bob} /etc/wireguard/psk/bob/presharedkey\n`);
  });

  it('gives the gateway the first host with the subnet prefix', () => {
    expect(gatewayInterfaceAddress(wireguard())).toBe('10.15.0.1/24');
    expect(gatewayInterfaceAddress(wireguard({ subnet: '10.20.0.0/16', peers: [] }))).toBe('10.20.0.1/16');
  });

  it('renders the client wg-quick config: split tunnel, keepalive 25, MTU', async () => {
    const r = planPeer(wireguard(), { name: 'carol', endpoint: 'vpn.example.org:51820' }, fixed);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    const { privateKey } = generateKeyPair(fixed);
    // The golden file must not hold a private key: compare with it replaced.
    expect(r.plan.clientConfig).toContain(`PrivateKey = ${privateKey}\n`);
    await expect(r.plan.clientConfig.replace(privateKey, '<private key>')).toMatchFileSnapshot('__golden__/client.conf');
  });

  it('keeps private and preshared keys out of every golden file', () => {
    const dir = new URL('__golden__/', import.meta.url);
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['client.conf', 'nftables.conf', 'wg0.conf']);
    for (const f of files) expect(readFileSync(new URL(f, dir), 'utf8')).not.toMatch(/(PrivateKey|PresharedKey)\s*=\s*[A-Za-z0-9+/]{43}=/);
  });

  it('renders identical bytes for the same spec', () => {
    expect(renderServerConfig(wireguard()) + renderFirewall(wireguard())).toBe(renderServerConfig(wireguard()) + renderFirewall(wireguard()));
  });
});
