import type { WireguardPeer, WireguardSpec } from '../model/wireguard.js';
import { cidrAddress, gatewayAddress, parseSubnet } from './addresses.js';

/**
 * Everything that decides what the gateway allows is rendered here, as text, and only applied by
 * gateway/entrypoint.sh: the `wg setconf` configuration, the preshared-key map, the nftables ruleset,
 * and the client's wg-quick configuration. Pure functions of the spec: same input, same bytes.
 */

/** Interface name inside the gateway pod. */
export const GATEWAY_INTERFACE = 'wg0';
/** Where the gateway pod mounts the peers' preshared-key Secrets: <dir>/<peer name>/presharedkey. */
export const PRESHARED_KEY_DIR = '/etc/wireguard/psk';
/** Keepalive for clients behind NAT (seconds). */
export const PERSISTENT_KEEPALIVE = 25;

const HEADER = '# Rendered by ward from the RegistryDeployment spec. Do not edit: change the spec and render again.';

function peerSection(p: WireguardPeer): string {
  // AllowedIPs on the server is exactly the peer's /32: the route back and the inbound source filter.
  return [`# ${p.name}`, '[Peer]', `PublicKey = ${p.publicKey}`, `AllowedIPs = ${cidrAddress(p.address)}/32`].join('\n');
}

/**
 * The gateway's `wg setconf` configuration. Without a private key (the ConfigMap form) the gateway
 * sets it from the mounted Secret (`wg set <if> private-key <file>`); with one (`ward wg render
 * --private-key-file`) it is the complete configuration. Preshared keys are never inlined.
 */
export function renderServerConfig(wg: WireguardSpec, privateKey?: string): string {
  const iface = ['[Interface]', ...(privateKey === undefined ? [] : [`PrivateKey = ${privateKey}`]), `ListenPort = ${String(wg.listenPort)}`];
  const peers = [...wg.peers].sort((a, b) => a.name.localeCompare(b.name)).map(peerSection);
  return [HEADER, iface.join('\n'), ...peers].join('\n\n') + '\n';
}

/** Path of a peer's mounted preshared key inside the gateway pod. */
export function presharedKeyPath(peer: WireguardPeer, dir: string = PRESHARED_KEY_DIR): string {
  return `${dir}/${peer.name}/presharedkey`;
}

/** "<public key> <file>" per peer that has a preshared key; the entrypoint runs `wg set ... preshared-key <file>`. */
export function renderPresharedKeyMap(wg: WireguardSpec, dir: string = PRESHARED_KEY_DIR): string {
  return wg.peers
    .filter((p) => p.presharedKeySecretRef !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => `${p.publicKey} ${presharedKeyPath(p, dir)}\n`)
    .join('');
}

/** The address clients route into the tunnel and the gateway forwards to: the admin gateway's range. */
export function adminDestination(wg: WireguardSpec): string | undefined {
  return wg.adminGateway.address;
}

/** The gateway's interface address with the subnet's prefix, e.g. 10.15.0.1/24. */
export function gatewayInterfaceAddress(wg: WireguardSpec): string {
  return `${gatewayAddress(wg.subnet, wg.address)}/${String(parseSubnet(wg.subnet).prefix)}`;
}

function set(items: readonly string[]): string {
  return items.length === 1 ? (items[0] ?? '') : `{ ${items.join(', ')} }`;
}

function forwardRules(wg: WireguardSpec, iface: string): string[] {
  const sources = [...wg.peers].map((p) => cidrAddress(p.address)).sort();
  const ports = [...new Set(wg.adminGateway.ports.map((p) => p.port))].sort((a, b) => a - b).map(String);
  const destination = adminDestination(wg);
  const daddr = destination === undefined ? '' : ` ip daddr ${destination}`;
  const allow = sources.length === 0 ? ['# no peers: nothing is forwarded'] : [`iifname "${iface}" ip saddr ${set(sources)}${daddr} tcp dport ${set(ports)} accept`];
  return [
    'ct state established,related accept',
    'ct state invalid drop',
    `# admin peers may reach only the internal gateway's ports`,
    ...allow,
    `iifname "${iface}" counter drop`,
  ];
}

/**
 * The gateway's nftables ruleset (`nft -f`): input only the WireGuard UDP port; forward only peer
 * /32s → admin gateway address and TCP ports; everything else dropped; masquerade out of the tunnel.
 * Its own table, so `nft -f` replaces exactly what ward installed.
 */
export function renderFirewall(wg: WireguardSpec, iface: string = GATEWAY_INTERFACE): string {
  const subnet = parseSubnet(wg.subnet).cidr;
  const lines = [
    HEADER,
    'table inet ward_wireguard',
    'delete table inet ward_wireguard',
    'table inet ward_wireguard {',
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iif "lo" accept',
    '    ct state established,related accept',
    `    udp dport ${String(wg.listenPort)} accept`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    ...forwardRules(wg, iface).map((r) => `    ${r}`),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${subnet} oifname != "${iface}" masquerade`,
    '  }',
    '}',
  ];
  return lines.join('\n') + '\n';
}

export interface ClientConfigInput {
  readonly wg: WireguardSpec;
  /** The peer's name in the spec. */
  readonly name: string;
  /** The peer's private key: written only into this config, which only the administrator keeps. Undefined when the administrator brought their own key pair. */
  readonly privateKey: string | undefined;
  readonly address: string;
  readonly serverPublicKey: string;
  /** HOST:PORT of the gateway's UDP Service. */
  readonly endpoint: string;
  /** Split tunnel: only the admin gateway's range. */
  readonly allowedIps: readonly string[];
  /** Optional preshared key (`wg genpsk`), also mounted on the gateway from the peer's Secret. */
  readonly presharedKey?: string;
}

/** The administrator's wg-quick configuration: split tunnel, keepalive 25, the spec's MTU. */
export function renderClientConfig(c: ClientConfigInput): string {
  const header = `# WireGuard client "${c.name}" for the ward admin gateway (generated by \`ward wg peer\`). Keep it private: it holds your private key.\n# Split tunnel: only the admin gateway range goes through the tunnel. Use with: wg-quick up ./<file>.conf`;
  return [
    header,
    ['[Interface]', c.privateKey === undefined ? '# PrivateKey = <your private key> (you brought your own key pair: add it here)' : `PrivateKey = ${c.privateKey}`, `Address = ${cidrAddress(c.address)}/32`, `MTU = ${String(c.wg.mtu)}`].join('\n'),
    [
      '[Peer]',
      `PublicKey = ${c.serverPublicKey}`,
      ...(c.presharedKey === undefined ? [] : [`PresharedKey = ${c.presharedKey}`]),
      `Endpoint = ${c.endpoint}`,
      `AllowedIPs = ${c.allowedIps.join(', ')}`,
      `PersistentKeepalive = ${String(PERSISTENT_KEEPALIVE)}`,
    ].join('\n'),
  ].join('\n\n') + '\n';
}
