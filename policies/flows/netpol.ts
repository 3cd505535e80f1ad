/**
 * NetworkPolicies normalised for evaluation, with the semantics that trip people up made explicit:
 * `policyTypes` defaults to Ingress plus Egress only when egress rules exist; a rule without
 * `from`/`to` (or with an empty list) matches every peer, without `ports` every port; a peer with
 * only `podSelector` means the policy's namespace; `namespaceSelector` and `podSelector` in one
 * peer are ANDed; named ports resolve against the destination's container ports; `endPort` widens a
 * numeric port to a range; `ipBlock` minus `except` matches addresses outside the cluster only.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import type { LabelSelector } from '../../charts-src/selector.js';
import { arr, rec, recs, str, strs } from '../index/access.js';
import { labelSelector, networkPolicyTypes, type ObjectIndex } from '../index/object-index.js';
import type { ObjectRef } from '../types.js';
import { ConnSet, isProtocol, type Protocol } from './connset.js';
import { cidrExcept, parseCidr, type IpRange } from './ipset.js';
import type { ContainerPort } from './nodes.js';

export type Direction = 'ingress' | 'egress';

export interface PodPeer {
  readonly type: 'pods';
  /** Absent: the policy's own namespace. */
  readonly namespaceSelector?: LabelSelector;
  /** Absent: every pod of the selected namespaces. */
  readonly podSelector?: LabelSelector;
}

export interface IpPeer {
  readonly type: 'ip';
  /** `cidr` minus `except`, as disjoint ranges (their edges are the block's cuts in the IP partition). */
  readonly ranges: readonly IpRange[];
  readonly text: string;
}

export type Peer = PodPeer | IpPeer;

export interface PortSpec {
  readonly protocol: Protocol;
  /** Absent: every port of the protocol. */
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NpRule {
  readonly index: number;
  /** `any`: no `from`/`to`, every peer (all pods and all addresses). */
  readonly peers: readonly Peer[] | 'any';
  /** `all`: no `ports`, every port of every protocol. */
  readonly ports: readonly PortSpec[] | 'all';
}

export interface NetPol {
  readonly ref: ObjectRef;
  readonly object: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly podSelector: LabelSelector;
  readonly isolates: Readonly<Record<Direction, boolean>>;
  readonly rules: Readonly<Record<Direction, readonly NpRule[]>>;
}

function parsePeer(p: Readonly<Record<string, unknown>>): Peer | undefined {
  const block = rec(p.ipBlock);
  const cidrText = str(block.cidr);
  if (cidrText !== undefined) {
    const cidr = parseCidr(cidrText);
    if (!cidr) return undefined;
    const except = strs(block.except).map(parseCidr).filter((r): r is IpRange => r !== undefined);
    return { type: 'ip', ranges: cidrExcept(cidr, except), text: cidrText };
  }
  const ns = labelSelector(p.namespaceSelector);
  const pods = labelSelector(p.podSelector);
  if (!ns && !pods) return undefined;
  return { type: 'pods', ...(ns ? { namespaceSelector: ns } : {}), ...(pods ? { podSelector: pods } : {}) };
}

function parsePort(p: Readonly<Record<string, unknown>>): PortSpec | undefined {
  const protocol = p.protocol ?? 'TCP';
  if (!isProtocol(protocol)) return undefined;
  const port = typeof p.port === 'number' || typeof p.port === 'string' ? p.port : undefined;
  const endPort = typeof p.endPort === 'number' ? p.endPort : undefined;
  return { protocol, ...(port !== undefined ? { port } : {}), ...(endPort !== undefined ? { endPort } : {}) };
}

function parseRules(v: unknown, peerField: 'from' | 'to'): NpRule[] {
  return recs(v).map((r, index) => {
    const peerList = arr(r[peerField]);
    const portList = arr(r.ports);
    return {
      index,
      peers: peerList.length === 0 ? 'any' : recs(peerList).map(parsePeer).filter((p): p is Peer => p !== undefined),
      ports: portList.length === 0 ? 'all' : recs(portList).map(parsePort).filter((p): p is PortSpec => p !== undefined),
    };
  });
}

/** Every NetworkPolicy of the index, normalised. */
export function parseNetworkPolicies(index: ObjectIndex): NetPol[] {
  return index.ofKind('NetworkPolicy').map((object) => {
    const spec = rec(object.spec);
    const namespace = index.namespaceOf(object) ?? 'default';
    const ingress = parseRules(spec.ingress, 'from');
    const egress = parseRules(spec.egress, 'to');
    const types = networkPolicyTypes(spec);
    return {
      ref: { kind: 'NetworkPolicy', namespace, name: object.metadata.name },
      object,
      namespace,
      name: object.metadata.name,
      podSelector: labelSelector(spec.podSelector) ?? {},
      isolates: { ingress: types.includes('Ingress'), egress: types.includes('Egress') },
      rules: { ingress, egress },
    };
  });
}

/**
 * The connections a rule's ports allow towards a destination with `dstPorts` (undefined for an
 * address outside the cluster, where named ports resolve to nothing).
 */
export function resolvePorts(ports: NpRule['ports'], dstPorts: readonly ContainerPort[] | undefined): ConnSet {
  if (ports === 'all') return ConnSet.all;
  let acc = ConnSet.none;
  for (const p of ports) acc = acc.union(resolvePort(p, dstPorts));
  return acc;
}

function resolvePort(p: PortSpec, dstPorts: readonly ContainerPort[] | undefined): ConnSet {
  if (p.port === undefined) return ConnSet.protocol(p.protocol);
  if (typeof p.port === 'number') return ConnSet.ports(p.protocol, p.port, p.endPort ?? p.port);
  if (/^\d+$/.test(p.port)) return ConnSet.ports(p.protocol, Number(p.port), p.endPort ?? Number(p.port));
  let acc = ConnSet.none;
  for (const cp of dstPorts ?? []) {
    if (cp.name === p.port && cp.protocol === p.protocol) acc = acc.union(ConnSet.ports(cp.protocol, cp.port));
  }
  return acc;
}

/** True when any port spec is named (its meaning depends on the destination). */
export function hasNamedPorts(ports: NpRule['ports']): boolean {
  return ports !== 'all' && ports.some((p) => typeof p.port === 'string' && !/^\d+$/.test(p.port));
}
