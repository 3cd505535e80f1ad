import { isWireguardKey, wireguardKeyProblem } from '../wireguard/keys.js';
import { cidrAddress, cidrPrefix, gatewayAddress, inSubnet, isReserved, parseSubnet, type Subnet } from '../wireguard/addresses.js';
import { IssueCode, type SpecIssue } from './issues.js';
import type { RegistrySpec } from './schema.js';
import type { WireguardSpec } from './wireguard.js';

type Path = readonly (string | number)[];

/** Repeated values in a list, each reported at its own index with the index of the first; '' is skipped. */
function repeats(values: readonly string[], at: (i: number) => Path, what: string): SpecIssue[] {
  const first = new Map<string, number>();
  const out: SpecIssue[] = [];
  values.forEach((v, i) => {
    if (v === '') return;
    const seen = first.get(v);
    if (seen === undefined) first.set(v, i);
    else out.push({ code: IssueCode.Duplicate, path: at(i), message: `duplicate ${what} "${v}" (first used at index ${String(seen)}): must be unique` });
  });
  return out;
}

function addressIssues(address: string, s: Subnet, gateway: string, path: Path): SpecIssue[] {
  const host = cidrAddress(address);
  if (cidrPrefix(address) !== 32) {
    return [{ code: IssueCode.InvalidValue, path, message: `peer address "${address}" must be a single address: use "${host}/32" (the server routes exactly one address to each peer)` }];
  }
  if (!inSubnet(host, s)) return [{ code: IssueCode.InvalidValue, path, message: `peer address "${address}" is outside the tunnel subnet ${s.cidr}: pick a /32 inside it (\`ward wg peer\` picks the next free one)` }];
  if (host === gateway) return [{ code: IssueCode.InvalidValue, path, message: `peer address "${address}" is the gateway's own address ${gateway}: pick another /32 in ${s.cidr}` }];
  if (isReserved(host, s)) return [{ code: IssueCode.InvalidValue, path, message: `peer address "${address}" is the network or broadcast address of ${s.cidr}: pick a host address` }];
  return [];
}

function peerIssues(wg: WireguardSpec, s: Subnet, gateway: string, at: Path): SpecIssue[] {
  const out: SpecIssue[] = [];
  wg.peers.forEach((p, i) => {
    const problem = wireguardKeyProblem(p.publicKey);
    if (problem !== undefined) out.push({ code: IssueCode.InvalidValue, path: [...at, 'peers', i, 'publicKey'], message: `public key of peer "${p.name}" ${problem}` });
    out.push(...addressIssues(p.address, s, gateway, [...at, 'peers', i, 'address']));
  });
  out.push(...repeats(wg.peers.map((p) => p.name), (i) => [...at, 'peers', i, 'name'], 'peer name'));
  out.push(...repeats(wg.peers.map((p) => cidrAddress(p.address)), (i) => [...at, 'peers', i, 'address'], 'peer address'));
  const keys = wg.peers.map((p) => (isWireguardKey(p.publicKey) ? p.publicKey : ''));
  out.push(...repeats(keys, (i) => [...at, 'peers', i, 'publicKey'], 'peer public key'));
  return out;
}

function routeIssues(spec: RegistrySpec, wg: WireguardSpec, at: Path): SpecIssue[] {
  const components = new Map(spec.components.map((c) => [c.name, c]));
  const out: SpecIssue[] = [];
  wg.routes.forEach((r, i) => {
    const path = [...at, 'routes', i];
    if (r.host.includes('*')) out.push({ code: IssueCode.InvalidValue, path: [...path, 'host'], message: `host "${r.host}" is a wildcard: name the exact admin host, e.g. registry-admin.internal` });
    const c = components.get(r.component);
    if (c === undefined) {
      const known = [...components.keys()].sort().join(', ');
      out.push({ code: IssueCode.UnknownComponent, path: [...path, 'component'], message: `unknown component "${r.component}": must be one of the declared components (${known || 'none declared'})` });
    } else if (!c.ports.some((p) => p.port === r.port)) {
      const ports = c.ports.map((p) => String(p.port)).join(', ');
      out.push({ code: IssueCode.InvalidValue, path: [...path, 'port'], message: `component "${c.name}" declares no port ${String(r.port)}: use one of its ports (${ports || 'none declared'})` });
    }
  });
  out.push(...repeats(wg.routes.map((r) => r.host), (i) => [...at, 'routes', i, 'host'], 'admin route host'));
  return out;
}

function sectionIssues(wg: WireguardSpec, s: Subnet, gateway: string, at: Path): SpecIssue[] {
  const out: SpecIssue[] = [];
  if (s.prefix > 30) out.push({ code: IssueCode.InvalidValue, path: [...at, 'subnet'], message: `subnet ${wg.subnet} leaves no room for peers: use /30 or wider, e.g. 10.15.0.0/24` });
  if (wg.address !== undefined && (!inSubnet(gateway, s) || isReserved(gateway, s))) {
    out.push({ code: IssueCode.InvalidValue, path: [...at, 'address'], message: `gateway address "${gateway}" must be a host address inside the subnet ${s.cidr}` });
  }
  const keyProblem = wg.publicKey === undefined ? undefined : wireguardKeyProblem(wg.publicKey);
  if (keyProblem !== undefined) out.push({ code: IssueCode.InvalidValue, path: [...at, 'publicKey'], message: `gateway public key ${keyProblem}` });
  // A /0 source range would be emitted as an ipBlock open to every address: WARD-NET-006 of ward's own
  // check. "Anywhere" is said by leaving sourceRanges empty, which ward waives visibly.
  wg.sourceRanges.forEach((r, i) => {
    if (cidrPrefix(r) === 0) out.push({ code: IssueCode.InvalidValue, path: [...at, 'sourceRanges', i], message: `"${r}" allows every address (WARD-NET-006): list the ranges administrators connect from, or leave sourceRanges empty for "anywhere" (waived and visible in reports)` });
  });
  if (wg.service.nodePort !== undefined && wg.service.type !== 'NodePort') {
    out.push({ code: IssueCode.InvalidValue, path: [...at, 'service', 'nodePort'], message: `nodePort is set but service type is ${wg.service.type}: set type NodePort or remove nodePort` });
  }
  return out;
}

/** The gateway namespace is the only privileged one: it must hold nothing but the gateway. */
function namespaceIssues(spec: RegistrySpec, wg: WireguardSpec, at: Path): SpecIssue[] {
  const taken = new Map<string, string>([[spec.namespace, 'the registry namespace (spec.namespace)']]);
  for (const c of spec.components) if (c.namespace !== undefined && !taken.has(c.namespace)) taken.set(c.namespace, `the namespace of component "${c.name}"`);
  if (!taken.has(wg.adminGateway.namespace)) taken.set(wg.adminGateway.namespace, 'the internal gateway namespace (wireguard.adminGateway.namespace)');
  const clash = taken.get(wg.namespace);
  if (clash === undefined) return [];
  return [{ code: IssueCode.InvalidValue, path: [...at, 'namespace'], message: `namespace "${wg.namespace}" is ${clash}: the gateway needs a namespace of its own (it is the only privileged one), e.g. ward-vpn` }];
}

/** Cross-field rules of the `wireguard` section; every issue carries its path. Pure. */
export function wireguardIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const wg = spec.wireguard;
  if (wg === undefined) return [];
  const at = [...prefix, 'wireguard'];
  const s = parseSubnet(wg.subnet);
  const gateway = gatewayAddress(wg.subnet, wg.address);
  return [...namespaceIssues(spec, wg, at), ...sectionIssues(wg, s, gateway, at), ...peerIssues(wg, s, gateway, at), ...routeIssues(spec, wg, at)];
}
