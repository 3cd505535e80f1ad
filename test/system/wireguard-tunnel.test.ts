/* eslint-disable @typescript-eslint/no-explicit-any -- reads synthesised manifests as JSON */
/**
 * The real tunnel: four network namespaces on this machine (admin client, a rogue client with an
 * unregistered key, the gateway, the target), veth pairs between them, wireguard-go everywhere.
 * Configs are rendered by the CLI (`ward wg peer`, `ward wg render`), the gateway runs the real
 * gateway/entrypoint.sh, the client is brought up from the wg-quick config `ward wg peer` wrote.
 * Addresses exist only inside these namespaces (TEST-NET ranges for the underlay).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { isRoot, missingPrereq } from '../support/prereq.js';
import { hasCommand, inNs, Lab, probe, run, tcpServer } from './wireguard-netns.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRYPOINT = join(ROOT, 'gateway/entrypoint.sh');
const tools = ['wireguard-go', 'wg', 'wg-quick', 'nft', 'ip'];
const skip = missingPrereq(
  `the WireGuard tunnel test needs root and ${tools.join(', ')} (bash scripts/ci-wireguard.sh)`,
  isRoot() && tools.every(hasCommand),
);

const id = process.pid.toString(36).slice(-5);
const NS = { client: `wardwg-${id}-cli`, rogue: `wardwg-${id}-rogue`, gateway: `wardwg-${id}-gw`, target: `wardwg-${id}-tgt` };
const IF = { gateway: `wwg${id}g`, client: `wwg${id}c`, rogue: `wwg${id}r` };
const ADMIN = '203.0.113.10';
const OTHER = '203.0.113.11';
const ENDPOINT = '198.51.100.2:51820';

function ward(args: readonly string[], input?: string): { stdout: string; stderr: string } {
  const r = run(process.execPath, [join(ROOT, 'bin/ward.js'), ...args], { input });
  return { stdout: r.stdout, stderr: r.stderr };
}

/** wg-quick's [Interface] extras (Address, MTU) from a client config; `wg-quick strip` gives the rest. */
function quickField(conf: string, field: string): string {
  const m = new RegExp(`^${field}\\s*=\\s*(.+)$`, 'm').exec(conf);
  if (!m?.[1]) throw new Error(`client config has no ${field}`);
  return m[1].trim();
}

/** Brings up a client interface the way wg-quick would, without resolvconf: setconf, address, MTU, routes. */
async function upClient(lab: Lab, ns: string, ifname: string, confFile: string): Promise<void> {
  const conf = readFileSync(confFile, 'utf8');
  await lab.wireguardGo(ns, ifname);
  const stripped = `${confFile}.setconf`;
  writeFileSync(stripped, run('wg-quick', ['strip', confFile]).stdout, { mode: 0o600 });
  inNs(ns, 'wg', ['setconf', ifname, stripped]);
  inNs(ns, 'ip', ['address', 'add', quickField(conf, 'Address'), 'dev', ifname]);
  inNs(ns, 'ip', ['link', 'set', 'dev', ifname, 'mtu', quickField(conf, 'MTU'), 'up']);
  for (const cidr of quickField(conf, 'AllowedIPs').split(',')) inNs(ns, 'ip', ['route', 'add', cidr.trim(), 'dev', ifname]);
}

function latestHandshake(ns: string, ifname: string): number {
  const line = inNs(ns, 'wg', ['show', ifname, 'latest-handshakes']).stdout.trim();
  return Number(line.split(/\s+/)[1] ?? '0');
}

describe.skipIf(skip !== undefined)('WireGuard admin gateway, real tunnel', () => {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'ward-wg-'));
  const file = (name: string): string => join(dir, name);
  const outputs: string[] = [];
  let serverKey = '';
  let clientKey = '';
  let presharedKey = '';
  let gatewayLog = (): string => '';
  let gateway: ChildProcess;

  beforeAll(async () => {
    // Keys and spec, through the CLI.
    serverKey = ward(['wg', 'keygen']).stdout.trim();
    writeFileSync(file('server.key'), `${serverKey}\n`, { mode: 0o600 });
    const serverPub = ward(['wg', 'pubkey'], `${serverKey}\n`).stdout.trim();
    const spec = {
      namespace: 'dev',
      components: [{ name: 'registry', selector: { app: 'odoo' }, serviceAccount: 'odoo', ports: [{ name: 'http', port: 8069 }] }],
      wireguard: {
        enabled: true,
        publicKey: serverPub,
        subnet: '10.15.0.0/24',
        adminGateway: { address: `${ADMIN}/32`, ports: [{ name: 'http', port: 8080 }] },
        routes: [{ host: 'registry-admin.internal', component: 'registry', port: 8069 }],
        peers: [] as unknown[],
      },
    };
    writeFileSync(file('spec.yaml'), stringify(spec));
    // A preshared key: in the client config, and on the gateway mounted from the peer's Secret.
    presharedKey = ward(['wg', 'genpsk']).stdout.trim();
    mkdirSync(file('psk/alice'), { recursive: true });
    writeFileSync(file('psk/alice/presharedkey'), `${presharedKey}\n`, { mode: 0o600 });
    const peer = ward(['wg', 'peer', '-f', file('spec.yaml'), '--name', 'alice', '--endpoint', ENDPOINT, '--preshared-key-file', file('psk/alice/presharedkey'), '-o', file('alice.conf')]);
    outputs.push(peer.stdout, peer.stderr);
    clientKey = quickField(readFileSync(file('alice.conf'), 'utf8'), 'PrivateKey');
    spec.wireguard.peers = parse(peer.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n')) as unknown[];
    writeFileSync(file('spec.yaml'), stringify(spec));
    for (const [name, args] of [
      ['wg0.conf', []],
      ['nftables.conf', ['--firewall', '--interface', IF.gateway]],
      ['presharedkeys', ['--preshared-keys', '--preshared-key-dir', file('psk')]],
    ] as const) {
      const r = ward(['wg', 'render', '-f', file('spec.yaml'), ...args]);
      outputs.push(r.stdout, r.stderr);
      writeFileSync(file(name), r.stdout);
    }

    // Topology: client/rogue — gateway — target.
    for (const ns of Object.values(NS)) lab.addNamespace(ns);
    lab.link({ ns: NS.client, dev: 'eth0', addr: '198.51.100.1/30' }, { ns: NS.gateway, dev: 'cli0', addr: '198.51.100.2/30' });
    lab.link({ ns: NS.rogue, dev: 'eth0', addr: '198.51.100.5/30' }, { ns: NS.gateway, dev: 'rogue0', addr: '198.51.100.6/30' });
    lab.link({ ns: NS.gateway, dev: 'tgt0', addr: '203.0.113.1/24' }, { ns: NS.target, dev: 'eth0', addr: `${ADMIN}/24` });
    inNs(NS.target, 'ip', ['address', 'add', `${OTHER}/24`, 'dev', 'eth0']);
    inNs(NS.gateway, 'sh', ['-c', 'echo 1 > /proc/sys/net/ipv4/ip_forward']);
    await tcpServer(lab, NS.target, 8080);
    await tcpServer(lab, NS.target, 9090);

    // The gateway: the real entrypoint, paths from the environment.
    lab.recordSocket(IF.gateway);
    const gw = (gateway = lab.start(NS.gateway, 'bash', [ENTRYPOINT], {
      ...process.env,
      WG_INTERFACE: IF.gateway,
      WG_MODE: 'userspace',
      WG_PRIVATE_KEY_FILE: file('server.key'),
      WG_CONFIG_FILE: file('wg0.conf'),
      WG_FIREWALL_FILE: file('nftables.conf'),
      WG_PRESHARED_KEYS_FILE: file('presharedkeys'),
      WG_ADDRESS: '10.15.0.1/24',
      WG_MTU: '1380',
    }));
    gatewayLog = () => lab.logs.get(gw)?.stderr ?? '';
    await lab.waitFor(gw, (s) => s.includes('firewall applied'), 'gateway entrypoint');

    await upClient(lab, NS.client, IF.client, file('alice.conf'));
  });

  afterAll(async () => {
    try {
      await lab.teardown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the client config with mode 0600 and prints only the spec entry', () => {
    expect(statSync(file('alice.conf')).mode & 0o777).toBe(0o600);
    const clientPub = inNs(NS.client, 'wg', ['show', IF.client, 'public-key']).stdout.trim();
    expect(parse(outputs[0]!.split('\n').filter((l) => !l.startsWith('#')).join('\n'))).toEqual([
      { name: 'alice', publicKey: clientPub, address: '10.15.0.2/32', presharedKeySecretRef: { name: 'alice-psk', key: 'presharedkey' } },
    ]);
    expect(quickField(readFileSync(file('alice.conf'), 'utf8'), 'PresharedKey')).toBe(presharedKey);
  });

  it('reaches the allowed target port through the tunnel', () => {
    // The first connection also triggers the handshake: allow it more time than the drop checks.
    expect(probe(NS.client, ADMIN, 8080, '', 15_000)).toEqual({ ok: true, reply: 'reply from port 8080' });
  });

  it('configures the gateway with exactly the spec\'s peers, each limited to its /32', () => {
    const clientPub = inNs(NS.client, 'wg', ['show', IF.client, 'public-key']).stdout.trim();
    expect(inNs(NS.gateway, 'wg', ['show', IF.gateway, 'allowed-ips']).stdout).toBe(`${clientPub}\t10.15.0.2/32\n`);
    expect(inNs(NS.gateway, 'wg', ['show', IF.gateway, 'listen-port']).stdout).toBe('51820\n');
  });

  it('applies the peer\'s preshared key from its mounted file', () => {
    expect(readFileSync(file('presharedkeys'), 'utf8')).toBe(`${inNs(NS.client, 'wg', ['show', IF.client, 'public-key']).stdout.trim()} ${file('psk/alice/presharedkey')}\n`);
    expect(inNs(NS.gateway, 'wg', ['show', IF.gateway, 'preshared-keys']).stdout).not.toContain('(none)');
  });

  it('records a handshake on both ends', () => {
    expect(latestHandshake(NS.client, IF.client)).toBeGreaterThan(0);
    expect(latestHandshake(NS.gateway, IF.gateway)).toBeGreaterThan(0);
  });

  it('does not forward a port the spec does not allow', () => {
    expect(probe(NS.client, ADMIN, 9090)).toEqual({ ok: false, reply: 'timeout' });
  });

  it('routes nothing but the admin gateway address into the tunnel (split tunnel)', () => {
    expect(inNs(NS.client, 'ip', ['route', 'get', OTHER], { check: false }).status).not.toBe(0);
  });

  it('does not forward to another address even when the client widens its AllowedIPs', () => {
    const serverPub = inNs(NS.client, 'wg', ['show', IF.client, 'peers']).stdout.trim();
    inNs(NS.client, 'wg', ['set', IF.client, 'peer', serverPub, 'allowed-ips', `${ADMIN}/32,${OTHER}/32`]);
    inNs(NS.client, 'ip', ['route', 'add', `${OTHER}/32`, 'dev', IF.client]);
    expect(probe(NS.client, OTHER, 8080)).toEqual({ ok: false, reply: 'timeout' });
  });

  it('drops a packet whose tunnel source is not the peer\'s /32', () => {
    inNs(NS.client, 'ip', ['address', 'add', '10.15.0.99/32', 'dev', IF.client]);
    expect(probe(NS.client, ADMIN, 8080, '10.15.0.99')).toEqual({ ok: false, reply: 'timeout' });
  });

  it('gives a peer with an unregistered key no handshake and no access', async () => {
    const rogueKey = ward(['wg', 'keygen']).stdout.trim();
    const conf = readFileSync(file('alice.conf'), 'utf8')
      .replace(/^PrivateKey = .*$/m, `PrivateKey = ${rogueKey}`)
      .replace(/^Endpoint = .*$/m, 'Endpoint = 198.51.100.6:51820');
    writeFileSync(file('rogue.conf'), conf, { mode: 0o600 });
    await upClient(lab, NS.rogue, IF.rogue, file('rogue.conf'));
    expect(probe(NS.rogue, ADMIN, 8080)).toEqual({ ok: false, reply: 'timeout' });
    expect(latestHandshake(NS.rogue, IF.rogue)).toBe(0);
  });

  it('stops cleanly on SIGTERM, removing its interface and firewall table', async () => {
    expect(await lab.stop(gateway)).toBe(0);
    expect(inNs(NS.gateway, 'ip', ['link', 'show', IF.gateway], { check: false }).status).not.toBe(0);
    expect(inNs(NS.gateway, 'nft', ['list', 'table', 'inet', 'ward_wireguard'], { check: false }).status).not.toBe(0);
    expect(gatewayLog()).toContain('ward-gateway: stopping');
  });

  it('ran the gateway with what ward synth puts into the ConfigMap and the Deployment', () => {
    const objects = JSON.parse(ward(['synth', '-f', file('spec.yaml'), '--format', 'json']).stdout) as { kind: string; metadata: { name: string }; data?: Record<string, string>; spec?: any }[];
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'wireguard-gateway');
    expect(cm?.data?.['wg0.conf']).toBe(readFileSync(file('wg0.conf'), 'utf8'));
    expect(cm?.data?.['nftables.conf']).toBe(readFileSync(file('nftables.conf'), 'utf8').replaceAll(`"${IF.gateway}"`, '"wg0"'));
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'wireguard-gateway');
    const env = (deployment?.spec.template.spec.containers[0].env ?? []) as { name: string; value: string }[];
    expect(env.filter((e) => ['WG_ADDRESS', 'WG_MTU'].includes(e.name))).toEqual([
      { name: 'WG_ADDRESS', value: '10.15.0.1/24' },
      { name: 'WG_MTU', value: '1380' },
    ]);
  });

  it('never prints a private key in CLI output or the gateway log', () => {
    const logs = [...outputs, gatewayLog()].join('\n');
    expect(serverKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(clientKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const rendered = readFileSync(file('wg0.conf'), 'utf8') + readFileSync(file('nftables.conf'), 'utf8');
    for (const key of [serverKey, clientKey, presharedKey]) {
      expect(logs).not.toContain(key);
      expect(rendered).not.toContain(key);
    }
  });
});

describe.skipIf(skip !== undefined)('gateway entrypoint input checks', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-wg-entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (key: string): NodeJS.ProcessEnv => ({
    ...process.env,
    WG_INTERFACE: `wwg${id}x`,
    WG_ADDRESS: '10.15.0.1/24',
    WG_PRIVATE_KEY_FILE: key,
    WG_CONFIG_FILE: join(dir, 'wg0.conf'),
    WG_FIREWALL_FILE: join(dir, 'nftables.conf'),
  });

  it.each([
    {
      name: 'exits non-zero when the private key file is missing',
      setup: (): string => join(dir, 'absent.key'),
      message: `ward-gateway: error: private key file ${join(dir, 'absent.key')} is missing: mount the Secret named in spec.wireguard.privateKeySecret (ward never writes the key anywhere else)`,
    },
    {
      name: 'exits non-zero when the private key is malformed, without printing it',
      setup: (): string => {
        writeFileSync(join(dir, 'bad.key'), 'not-a-key-SECRETISH\n');
        return join(dir, 'bad.key');
      },
      message: `ward-gateway: error: private key in ${join(dir, 'bad.key')} is malformed: expected 44 characters of base64 encoding 32 bytes (as printed by \`wg genkey\` or \`ward wg keygen\`)`,
    },
  ])('$name', ({ setup, message }) => {
    const r = run('bash', [ENTRYPOINT], { env: env(setup()), check: false });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(message);
    expect(r.stderr).not.toContain('SECRETISH');
  });
});
