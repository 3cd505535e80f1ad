import type { WireguardPeer, WireguardSpec } from '../model/wireguard.js';
import { gatewayAddress, nextFreeAddress } from './addresses.js';
import { generateKeyPair, isWireguardKey, wireguardKeyProblem, type RandomBytes } from './keys.js';
import { renderClientConfig } from './render.js';

/**
 * `ward wg peer`: a new administrator's client configuration and the spec entry to add. The key pair
 * is generated here, on the administrator's machine; only the public key goes into the spec.
 */
export interface PeerRequest {
  readonly name: string;
  /** HOST:PORT of the gateway's UDP Service. */
  readonly endpoint: string;
  /** Use an existing key pair: only its public key is known, the config gets no PrivateKey. */
  readonly publicKey?: string;
  /** Overrides spec.wireguard.publicKey. */
  readonly serverPublicKey?: string;
  /** Overrides spec.wireguard.adminGateway.address. */
  readonly allowedIps?: readonly string[];
  /** A preshared key for this peer: goes into the client config, and the spec entry references the Secret `<name>-psk`. */
  readonly presharedKey?: string;
}

export interface PeerPlan {
  readonly peer: Pick<WireguardPeer, 'name' | 'publicKey' | 'address' | 'presharedKeySecretRef'>;
  /** wg-quick configuration; contains the private key when one was generated. */
  readonly clientConfig: string;
  readonly generatedPrivateKey: boolean;
}

export type PeerResult = { readonly ok: true; readonly plan: PeerPlan } | { readonly ok: false; readonly problems: readonly string[] };

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ENDPOINT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function nameAndEndpointProblems(wg: WireguardSpec, r: PeerRequest): string[] {
  const out: string[] = [];
  if (!NAME.test(r.name)) out.push(`--name "${r.name}" must be a DNS-1123 label: lowercase letters, digits and "-", e.g. alice-laptop`);
  if (wg.peers.some((p) => p.name === r.name)) out.push(`peer "${r.name}" already exists in spec.wireguard.peers: choose another --name`);
  const m = ENDPOINT.exec(r.endpoint);
  const port = Number(m?.[2] ?? 0);
  if (m === null || port < 1 || port > 65535) out.push(`--endpoint "${r.endpoint}" must be HOST:PORT of the gateway's UDP Service, e.g. vpn.example.org:${String(wg.listenPort)}`);
  return out;
}

function keyProblems(wg: WireguardSpec, r: PeerRequest, serverKey: string | undefined): string[] {
  const out: string[] = [];
  if (r.publicKey !== undefined && !isWireguardKey(r.publicKey)) out.push(`--public-key ${wireguardKeyProblem(r.publicKey) ?? ''}`);
  if (r.presharedKey !== undefined && !isWireguardKey(r.presharedKey)) out.push(`preshared key ${wireguardKeyProblem(r.presharedKey) ?? ''} (\`ward wg genpsk\`)`);
  if (r.publicKey !== undefined && wg.peers.some((p) => p.publicKey === r.publicKey)) out.push('--public-key is already used by another peer: every peer needs its own key pair');
  if (serverKey === undefined) out.push('the gateway\'s public key is unknown: set spec.wireguard.publicKey (`ward wg pubkey < server.key`) or pass --server-public-key');
  else if (!isWireguardKey(serverKey)) out.push(`the gateway's public key ${wireguardKeyProblem(serverKey) ?? ''}`);
  return out;
}

function allowedIpProblems(allowed: readonly string[]): string[] {
  if (allowed.length === 0) return ['the admin gateway address is unknown: set spec.wireguard.adminGateway.address (the internal gateway Service address, e.g. 10.96.20.10/32) or pass --allowed-ips'];
  if (allowed.some((a) => a.endsWith('/0'))) return ['--allowed-ips must not route everything (0.0.0.0/0) through the tunnel: list only the admin gateway range'];
  return [];
}

function requestProblems(wg: WireguardSpec, r: PeerRequest, serverKey: string | undefined, allowed: readonly string[]): string[] {
  return [...nameAndEndpointProblems(wg, r), ...keyProblems(wg, r, serverKey), ...allowedIpProblems(allowed)];
}

/** The Secret (in the gateway namespace) a peer's preshared key is mounted from: `<name>-psk`, key `presharedkey`. */
export function presharedKeySecretRef(name: string): { name: string; key: string } {
  return { name: `${name}-psk`.slice(0, 63).replace(/-+$/, ''), key: 'presharedkey' };
}

/** Plans a new peer; pure apart from the injected randomness. */
export function planPeer(wg: WireguardSpec, r: PeerRequest, randomBytes?: RandomBytes): PeerResult {
  const serverKey = r.serverPublicKey ?? wg.publicKey;
  const allowed = r.allowedIps ?? (wg.adminGateway.address === undefined ? [] : [wg.adminGateway.address]);
  const problems = requestProblems(wg, r, serverKey, allowed);
  const address = nextFreeAddress(wg.subnet, gatewayAddress(wg.subnet, wg.address), wg.peers.map((p) => p.address));
  if (address === undefined) problems.push(`the subnet ${wg.subnet} is full: widen spec.wireguard.subnet or remove a peer`);
  if (problems.length > 0 || address === undefined || serverKey === undefined) return { ok: false, problems };
  const pair = r.publicKey === undefined ? generateKeyPair(randomBytes) : undefined;
  const publicKey = pair?.publicKey ?? r.publicKey ?? '';
  const clientConfig = renderClientConfig({ wg, name: r.name, privateKey: pair?.privateKey, address, serverPublicKey: serverKey, endpoint: r.endpoint, allowedIps: allowed, presharedKey: r.presharedKey });
  const psk = r.presharedKey === undefined ? {} : { presharedKeySecretRef: presharedKeySecretRef(r.name) };
  return { ok: true, plan: { peer: { name: r.name, publicKey, address, ...psk }, clientConfig, generatedPrivateKey: pair !== undefined } };
}
