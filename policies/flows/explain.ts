/**
 * `--explain SRC DST PORT`: the verdict for one connection and the policies and rules behind it,
 * evaluated directly from the policies (the reference semantics; the bulk engine must agree).
 */
import { ConnSet, type Protocol } from './connset.js';
import type { FlowContext, Layer } from './analyze.js';
import { parseCidr, formatRange, rangeWithin, type IpRange } from './ipset.js';
import type { MeshSource } from './mesh.js';
import { resolvePorts, type Direction, type NetPol } from './netpol.js';
import type { PodClass, WorkloadNode } from './nodes.js';
import { Selection } from './selection.js';
import { matchesSelector } from '../../charts-src/selector.js';

export type Endpoint = { readonly type: 'workload'; readonly node: WorkloadNode } | { readonly type: 'ip'; readonly range: IpRange; readonly text: string };

export interface Explanation {
  readonly src: string;
  readonly dst: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly l4?: { readonly allowed: boolean; readonly reasons: readonly string[] };
  readonly mesh?: { readonly verdict: 'allow' | 'partial' | 'deny'; readonly reasons: readonly string[] };
  readonly verdict: 'allowed' | 'partially allowed' | 'denied';
}

/** Resolves `ns/name`, `name`, `ns/name[Kind]` or an IPv4 address/CIDR to an endpoint. */
export function resolveEndpoint(ctx: FlowContext, text: string): Endpoint | string {
  const range = parseCidr(text);
  if (range) return { type: 'ip', range, text: formatRange(range) };
  const all = ctx.nodes.workloads;
  const hits = all.filter((n) => n.id === text || `${n.namespace}/${n.name}` === text || n.name === text);
  if (hits.length === 1) return { type: 'workload', node: hits[0]! };
  if (hits.length === 0) return `no workload "${text}"; give ns/name, name, ns/name[Kind] or an IPv4 address (workloads: ${all.slice(0, 8).map((n) => n.id).join(', ')}${all.length > 8 ? ', …' : ''})`;
  return `"${text}" is ambiguous: ${hits.map((n) => n.id).join(', ')}; give ns/name[Kind]`;
}

function selects(pol: NetPol, cls: PodClass): boolean {
  return pol.namespace === cls.namespace && matchesSelector(pol.podSelector, cls.labels);
}

function describeRule(pol: NetPol, dir: Direction, index: number): string {
  return `NetworkPolicy ${pol.namespace}/${pol.name} ${dir} rule #${String(index + 1)}`;
}

interface SideQuery {
  readonly dir: Direction;
  readonly self: PodClass;
  readonly peer: Endpoint;
  readonly conn: ConnSet;
}

/** What one direction allows for the port, with reasons. */
function side(ctx: FlowContext, { dir, self, peer, conn }: SideQuery, reasons: string[]): boolean {
  const policies = ctx.netpols.filter((p) => p.isolates[dir] && selects(p, self));
  const word = dir === 'ingress' ? 'ingress of the destination' : 'egress of the source';
  if (policies.length === 0) {
    reasons.push(`${word}: no NetworkPolicy isolates it, so everything is allowed`);
    return true;
  }
  const nsLabels = (ns: string): Readonly<Record<string, string>> => ctx.index.namespaceLabels(ns);
  const dstPorts = dir === 'ingress' ? self.ports : peer.type === 'workload' ? peer.node.cls.ports : undefined;
  let allowed = false;
  for (const pol of policies) {
    pol.rules[dir].forEach((rule, i) => {
      const peerOk = rule.peers === 'any' || rule.peers.some((p) =>
        p.type === 'ip' ? peer.type === 'ip' && p.ranges.some((r) => rangeWithin(peer.range, r)) : peer.type === 'workload' && Selection.peerMatches(pol.namespace, p, peer.node.cls, nsLabels));
      if (peerOk && !resolvePorts(rule.ports, dstPorts).intersect(conn).isEmpty()) {
        reasons.push(`${word}: allowed by ${describeRule(pol, dir, i)}`);
        allowed = true;
      }
    });
  }
  if (!allowed) reasons.push(`${word}: isolated by ${policies.map((p) => `NetworkPolicy ${p.namespace}/${p.name}`).join(', ')} and no rule allows this peer and port`);
  return allowed;
}

function explainL4(ctx: FlowContext, src: Endpoint, dst: Endpoint, conn: ConnSet): { allowed: boolean; reasons: string[] } {
  const reasons: string[] = [];
  const eg = src.type === 'workload' ? side(ctx, { dir: 'egress', self: src.node.cls, peer: dst, conn }, reasons) : (reasons.push('source outside the cluster: no egress policy applies'), true);
  const ing = dst.type === 'workload' ? side(ctx, { dir: 'ingress', self: dst.node.cls, peer: src, conn }, reasons) : (reasons.push('destination outside the cluster: no ingress policy applies'), true);
  return { allowed: eg && ing, reasons };
}

function explainMesh(ctx: FlowContext, src: Endpoint, dst: Endpoint, protocol: Protocol, port: number): { verdict: 'allow' | 'partial' | 'deny'; reasons: string[] } {
  if (dst.type !== 'workload') return { verdict: 'allow', reasons: ['destination outside the cluster: the sidecar does not restrict egress'] };
  if (protocol !== 'TCP') return { verdict: 'allow', reasons: [`${protocol} is not intercepted by the sidecar`] };
  const reasons: string[] = [];
  const source: MeshSource = src.type === 'workload' ? { kind: 'pod', cls: src.node.cls } : { kind: 'ip', range: src.range };
  return { verdict: ctx.mesh.decide(source, dst.node.cls, port, reasons), reasons };
}

const label = (e: Endpoint): string => (e.type === 'workload' ? e.node.id : e.text);

export interface ExplainQuery {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly protocol: Protocol;
  readonly port: number;
  readonly layer: Layer;
}

export function explain(ctx: FlowContext, { src, dst, protocol, port, layer }: ExplainQuery): Explanation {
  const conn = ConnSet.ports(protocol, port);
  const l4 = layer === 'mesh' ? undefined : explainL4(ctx, src, dst, conn);
  const mesh = layer === 'l4' ? undefined : explainMesh(ctx, src, dst, protocol, port);
  const denied = (l4 && !l4.allowed) || mesh?.verdict === 'deny';
  const verdict = denied ? 'denied' : mesh?.verdict === 'partial' ? 'partially allowed' : 'allowed';
  return { src: label(src), dst: label(dst), protocol, port, ...(l4 ? { l4 } : {}), ...(mesh ? { mesh } : {}), verdict };
}

export function formatExplanation(e: Explanation): string {
  const lines = [`${e.src} => ${e.dst} : ${e.protocol} ${String(e.port)} is ${e.verdict.toUpperCase()}`];
  if (e.l4) lines.push(`  NetworkPolicy (L4): ${e.l4.allowed ? 'allowed' : 'denied'}`, ...e.l4.reasons.map((r) => `    - ${r}`));
  if (e.mesh) lines.push(`  Istio (mesh): ${e.mesh.verdict === 'allow' ? 'allowed' : e.mesh.verdict === 'partial' ? 'partially allowed (L7 conditions)' : 'denied'}`, ...e.mesh.reasons.map((r) => `    - ${r}`));
  return `${lines.join('\n')}\n`;
}
