import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { publicKeyFromPrivate } from '../../../charts-src/wireguard/keys.js';
import { wgSpec } from './fixtures.js';

/** `ward wg ...` end to end through bin/ward.js. */
function wg(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['bin/ward.js', 'wg', ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
}

const tmp = mkdtempSync(join(tmpdir(), 'ward-wg-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const specFile = join(tmp, 'spec.yaml');
writeFileSync(specFile, stringify(wgSpec()));

const ALICE_PRIVATE = 'dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=';

describe('ward wg', { timeout: 90_000 }, () => {
  it('prints help naming the key formats and the exit codes', () => {
    const r = wg(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: ward wg [options] [command]');
    expect(r.stdout).toContain('Exit codes: 0 ok; 2 usage error, invalid spec or malformed key.');
  });

  it('generates a key the way wg genkey does, and the pair with --json', () => {
    const key = wg(['keygen']).stdout.trim();
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const pair = JSON.parse(wg(['keygen', '--json']).stdout) as { privateKey: string; publicKey: string };
    expect(publicKeyFromPrivate(pair.privateKey)).toBe(pair.publicKey);
  });

  it('generates a preshared key the way wg genpsk does', () => {
    const r = wg(['genpsk']);
    expect(r.status).toBe(0);
    expect(Buffer.from(r.stdout.trim(), 'base64').length).toBe(32);
  });

  it('derives the public key from stdin like wg pubkey', () => {
    const r = wg(['pubkey'], `${ALICE_PRIVATE}\n`);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n', '']);
    expect(JSON.parse(wg(['pubkey', '--json'], ALICE_PRIVATE).stdout)).toEqual({ publicKey: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=' });
  });

  it('rejects a malformed private key with exit 2 without echoing it', () => {
    const r = wg(['pubkey'], 'SECRETISH-garbage\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ward: private key on stdin must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 17 characters)\n');
  });

  it('writes the peer config with mode 0600 and prints only the spec entry', () => {
    const out = join(tmp, 'carol.conf');
    const r = wg(['peer', '-f', specFile, '--name', 'carol', '--endpoint', 'vpn.example.org:51820', '-o', out]);
    expect(r.status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const conf = readFileSync(out, 'utf8');
    const privateKey = /^PrivateKey = (.+)$/m.exec(conf)?.[1] ?? '';
    const entry = parse(r.stdout) as { name: string; publicKey: string; address: string }[];
    expect(entry).toEqual([{ name: 'carol', publicKey: publicKeyFromPrivate(privateKey), address: '10.15.0.4/32' }]);
    expect(r.stdout + r.stderr).not.toContain(privateKey);
    expect(conf).toContain('AllowedIPs = 10.96.20.10/32\nPersistentKeepalive = 25\n');
  });

  it('takes the gateway key and endpoint from the status of a live RegistryDeployment', () => {
    const { publicKey: _drop, ...wireguard } = wgSpec().wireguard as Record<string, unknown>;
    const rd = {
      apiVersion: 'ward.g2p.dev/v1alpha1',
      kind: 'RegistryDeployment',
      metadata: { name: 'sr', namespace: 'dev' },
      spec: { ...wgSpec(), wireguard },
      status: { wireguard: { publicKey: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=', endpoint: '203.0.113.7:51820', serverKeySecret: 'ward-wireguard-key' } },
    };
    const r = wg(['peer', '-f', '-', '--name', 'dave', '--json'], stringify(rd));
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { peer: { address: string }; clientConfig: string };
    expect(out.peer.address).toBe('10.15.0.4/32');
    expect(out.clientConfig).toContain('PublicKey = hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\nEndpoint = 203.0.113.7:51820\n');
  });

  it('refuses a peer with every problem listed and exit 2', () => {
    const r = wg(['peer', '-f', specFile, '--name', 'alice', '--endpoint', 'vpn']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      [
        'ward: cannot create peer "alice":',
        '  peer "alice" already exists in spec.wireguard.peers: choose another --name',
        '  --endpoint "vpn" must be HOST:PORT of the gateway\'s UDP Service, e.g. vpn.example.org:51820',
        '',
      ].join('\n'),
    );
  });

  it('renders the gateway config with the private key from a file, and the firewall', () => {
    const keyFile = join(tmp, 'server.key');
    writeFileSync(keyFile, `${ALICE_PRIVATE}\n`, { mode: 0o600 });
    const conf = wg(['render', '-f', specFile, '--private-key-file', keyFile]);
    expect(conf.status).toBe(0);
    expect(conf.stdout).toContain(`[Interface]\nPrivateKey = ${ALICE_PRIVATE}\nListenPort = 51820\n`);
    const fw = wg(['render', '-f', specFile, '--firewall', '--interface', 'wgx']);
    expect(fw.stdout).toContain('iifname "wgx" ip saddr { 10.15.0.2, 10.15.0.3 } ip daddr 10.96.20.10/32 tcp dport 80 accept');
  });

  it('reports an invalid spec with the file and the path', () => {
    const bad = join(tmp, 'bad.yaml');
    writeFileSync(bad, stringify(wgSpec({ subnet: '10.15.0.0' })));
    const r = wg(['render', '-f', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`ward: invalid spec in ${bad} (1 issue):\nwireguard.subnet: must be an IPv4 CIDR such as 10.15.0.0/24 (add /32 for a single address), got the string "10.15.0.0"\n`);
  });
});
