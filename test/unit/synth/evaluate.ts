/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- tests poke at untyped documents (specs and manifests) */
/**
 * A small, independent reading of synthesised objects for the targeted assertions: which
 * NetworkPolicy rules and AuthorizationPolicy rules let a connection through. Deliberately written
 * from the Kubernetes/Istio semantics (shared/reference/network-security.md), not from the constructs.
 */
import type { KubeObject } from '../../../charts-src/kube.js';
import { matchesSelector, type LabelSelector } from '../../../charts-src/selector.js';

export interface Pod {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly principal?: string;
}

export type Dest = Pod | { readonly cidr: string };

interface Peer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface NpPort {
  port?: number | string;
  protocol?: string;
}
interface NpRule {
  from?: Peer[];
  to?: Peer[];
  ports?: NpPort[];
}

const spec = (o: KubeObject): any => (o as { spec?: unknown }).spec ?? {};

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
}

/** True when CIDR `inner` lies inside CIDR `outer`. */
export function cidrWithin(inner: string, outer: string): boolean {
  const [ia = '', ip = '32'] = inner.split('/');
  const [oa = '', op = '32'] = outer.split('/');
  if (Number(ip) < Number(op)) return false;
  const size = 2 ** (32 - Number(op));
  return Math.floor(ipToNumber(ia) / size) === Math.floor(ipToNumber(oa) / size);
}

function peerMatches(peer: Peer, policyNs: string, target: Dest): boolean {
  if ('cidr' in target) return peer.ipBlock !== undefined && cidrWithin(target.cidr, peer.ipBlock.cidr);
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, { 'kubernetes.io/metadata.name': target.namespace }) : target.namespace === policyNs;
  const podOk = peer.podSelector ? matchesSelector(peer.podSelector, target.labels) : true;
  return nsOk && podOk;
}

function portMatches(ports: NpPort[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? 'TCP') === protocol && (p.port === undefined || p.port === port));
}

function policiesSelecting(objects: readonly KubeObject[], pod: Pod, direction: 'Ingress' | 'Egress'): KubeObject[] {
  return objects.filter((o) => {
    if (o.kind !== 'NetworkPolicy' || o.metadata.namespace !== pod.namespace) return false;
    const s = spec(o);
    const types: string[] = s.policyTypes ?? (direction === 'Ingress' ? ['Ingress'] : []);
    return types.includes(direction) && matchesSelector(s.podSelector ?? {}, pod.labels);
  });
}

/** The NetworkPolicies (by name) whose egress rules let `from` reach `to` on port/protocol. */
export function egressAllowedBy(objects: readonly KubeObject[], from: Pod, to: Dest, port: number, protocol: string): string[] {
  return policiesSelecting(objects, from, 'Egress')
    .filter((o) => ((spec(o).egress ?? []) as NpRule[]).some((r) => (r.to ?? []).some((p) => peerMatches(p, from.namespace, to)) && portMatches(r.ports, port, protocol)))
    .map((o) => o.metadata.name);
}

/** The NetworkPolicies (by name) whose ingress rules let `from` reach `to` on port/protocol. */
export function ingressAllowedBy(objects: readonly KubeObject[], from: Pod, to: Pod, port: number, protocol: string): string[] {
  return policiesSelecting(objects, to, 'Ingress')
    .filter((o) => ((spec(o).ingress ?? []) as NpRule[]).some((r) => (r.from ?? []).some((p) => peerMatches(p, to.namespace, from)) && portMatches(r.ports, port, protocol)))
    .map((o) => o.metadata.name);
}

/** True when some NetworkPolicy isolates the pod for the direction. */
export function isolated(objects: readonly KubeObject[], pod: Pod, direction: 'Ingress' | 'Egress'): boolean {
  return policiesSelecting(objects, pod, direction).length > 0;
}

export interface AllowRule {
  readonly policy: string;
  readonly principal: string;
  readonly port: string;
}

/** Every (principal, port) pair an ALLOW AuthorizationPolicy grants on the pod. */
export function allowRulesFor(objects: readonly KubeObject[], pod: Pod): AllowRule[] {
  const out: AllowRule[] = [];
  for (const o of objects) {
    if (o.kind !== 'AuthorizationPolicy' || o.metadata.namespace !== pod.namespace) continue;
    const s = spec(o);
    if ((s.action ?? 'ALLOW') !== 'ALLOW' || !matchesSelector(s.selector ?? {}, pod.labels)) continue;
    for (const r of (s.rules ?? []) as any[]) {
      const principals: string[] = (r.from ?? []).flatMap((f: any) => f.source?.principals ?? []);
      const ports: string[] = (r.to ?? []).flatMap((t: any) => t.operation?.ports ?? []);
      for (const p of principals) for (const port of ports) out.push({ policy: o.metadata.name, principal: p, port });
    }
  }
  return out;
}
