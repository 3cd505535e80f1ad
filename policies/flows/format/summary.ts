/**
 * `ward flows --format summary`: per destination that holds personal data or is exposed (reachable
 * from outside the cluster, published through an Istio gateway, or reached by the ingress gateway),
 * who reaches it, collapsed ("0.0.0.0/0", "the ingress gateway", "all 27 other workloads in
 * namespace sr"); then the undeclared and blocked flows of the intent diff with the policy behind
 * each (from `--explain`'s reference evaluation). Pure: the flow context and analysis in, data and
 * text out. The HTML report shows the same data.
 */
import type { RegistrySpec } from '../../../charts-src/model/index.js';
import { matchesSelector } from '../../../charts-src/selector.js';
import { num, rec, recs, str, strMap, strs } from '../../index/access.js';
import type { ObjectIndex } from '../../index/object-index.js';
import type { Workload } from '../../index/workloads.js';
import type { FlowAnalysis, FlowContext, FlowEdge } from '../analyze.js';
import { ConnSet, unionAll, type Protocol } from '../connset.js';
import { explain, type Endpoint } from '../explain.js';
import { componentMatches, type IntentDiff } from '../intent.js';
import type { FlowNode, WorkloadNode } from '../nodes.js';

export interface DestinationSummary {
  /** `ns/name[Kind]`. */
  readonly id: string;
  readonly namespace: string;
  readonly personalData: boolean;
  /** How it is published through a gateway (`VirtualService sr/x via gateway internal (hosts a.example)`). */
  readonly published: readonly string[];
  /** Ports reachable by anyone (the union over the sources). */
  readonly ports: string;
  /** Who reaches it, collapsed: address ranges, the ingress gateway, workloads per namespace. */
  readonly from: readonly string[];
}

export interface FlowCause {
  /** Collapsed sources (undeclared: as for destinations; blocked: the declaring component). */
  readonly from: readonly string[];
  readonly to: string;
  readonly conn: string;
  /** How many node pairs this line stands for. */
  readonly count: number;
  /** The policies that let it through (undeclared) or stop it (blocked), for one representative port. */
  readonly cause: string;
}

export interface FlowSummary {
  readonly layer: FlowAnalysis['layer'];
  readonly workloads: number;
  readonly destinations: readonly DestinationSummary[];
  /** Absent without a spec (nothing declared to compare with). */
  readonly undeclared?: readonly FlowCause[];
  readonly blocked?: readonly FlowCause[];
}

export const OUTSIDE_TEXT = '0.0.0.0/0 (anywhere outside the cluster)';
const WHOLE_SPACE = '0.0.0.0-255.255.255.255';

const reach = (e: FlowEdge): ConnSet => e.conn.union(e.partial);

/** Workloads an Istio Gateway's selector picks (gateway pods may run in any namespace). */
function gatewayWorkloads(index: ObjectIndex, spec: RegistrySpec | undefined): Set<Workload> {
  const out = new Set<Workload>();
  for (const g of index.ofKind('Gateway').filter((x) => x.apiVersion.startsWith('networking.istio.io/'))) {
    const sel = strMap(rec(g.spec).selector);
    if (Object.keys(sel).length) for (const w of index.workloads) if (matchesSelector({ matchLabels: sel }, w.podLabels)) out.add(w);
  }
  const gw = spec?.mesh.ingressGateway;
  if (gw) for (const w of index.workloadsIn(gw.namespace)) if (matchesSelector({ matchLabels: gw.selector }, w.podLabels)) out.add(w);
  return out;
}

/** The Service a VirtualService route host names: `svc`, `svc.ns` or `svc.ns.svc.cluster.local`. */
function routeService(index: ObjectIndex, host: string, vsNamespace: string | undefined): ReturnType<ObjectIndex['get']> {
  const [name, ns] = host.split('.');
  return name ? index.get('Service', ns ?? vsNamespace, name) : undefined;
}

/** A VirtualService's gateway reference (`name` or `ns/name`), with the ports of its servers when the Gateway is in the input. */
function gatewayText(index: ObjectIndex, ref: string, vsNamespace: string | undefined): string {
  const [ns, name] = ref.includes('/') ? ref.split('/', 2) : [vsNamespace, ref];
  const gw = name ? index.get('Gateway', ns, name) : undefined;
  const ports = gw ? recs(rec(gw.spec).servers).map((sv) => `${String(num(rec(sv.port).number) ?? '?')} ${str(rec(sv.port).protocol) ?? '?'}`) : [];
  return ports.length ? `${ref} [port ${ports.join(', ')}]` : ref;
}

/** Per workload: the VirtualServices that publish it through a gateway, as text. */
function publications(index: ObjectIndex): Map<Workload, string[]> {
  const out = new Map<Workload, string[]>();
  for (const vs of index.ofKind('VirtualService')) {
    const spec = rec(vs.spec);
    const gateways = strs(spec.gateways).filter((g) => g !== 'mesh');
    if (!gateways.length) continue;
    const ns = index.namespaceOf(vs);
    const hosts = strs(spec.hosts);
    const dests = ['http', 'tcp', 'tls'].flatMap((k) => recs(spec[k]).flatMap((r) => recs(r.route).map((d) => str(rec(d.destination).host)))).filter((h): h is string => h !== undefined);
    const text = `VirtualService ${ns ?? ''}/${vs.metadata.name} via gateway ${gateways.map((g) => gatewayText(index, g, ns)).join(', ')} (hosts ${hosts.join(', ') || '(none)'})`;
    for (const h of new Set(dests)) {
      const svc = routeService(index, h, ns);
      for (const w of svc ? index.serviceTargets(svc) : []) out.set(w, [...new Set([...(out.get(w) ?? []), text])]);
    }
  }
  return out;
}

function holdsPersonalData(index: ObjectIndex, node: WorkloadNode, spec: RegistrySpec | undefined): boolean {
  return index.holdsPersonalData(node.workload) || (spec?.components.some((c) => c.personalData && componentMatches(spec, c, node)) ?? false);
}

/** Sources of one destination, collapsed per kind and namespace. */
function collapse(dst: FlowNode, edges: readonly FlowEdge[], analysis: FlowAnalysis, gateways: ReadonlySet<Workload>): string[] {
  const dstNs = dst.type === 'workload' ? dst.namespace : undefined;
  const ips = edges.filter((e) => e.src.type === 'ip').map((e) => e.src.id);
  const out = ips.includes(WHOLE_SPACE) ? [OUTSIDE_TEXT] : ips.map((id) => `${id} (outside the cluster)`);
  const workloads = edges.map((e) => e.src).filter((n): n is WorkloadNode => n.type === 'workload' && n.id !== dst.id);
  const gw = workloads.filter((n) => gateways.has(n.workload));
  if (gw.length) out.push(`the ingress gateway (${gw.map((n) => n.id).join(', ')})`);
  const byNs = new Map<string, WorkloadNode[]>();
  for (const n of workloads.filter((x) => !gateways.has(x.workload))) byNs.set(n.namespace, [...(byNs.get(n.namespace) ?? []), n]);
  for (const [ns, list] of [...byNs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const total = analysis.workloads.filter((n) => n.namespace === ns && n.id !== dst.id && !gateways.has(n.workload)).length;
    const other = ns === dstNs ? ' other' : '';
    const names = list.length <= 3 ? `: ${list.map((n) => n.name).join(', ')}` : '';
    out.push(list.length === total && total > 1 ? `all ${String(total)}${other} workloads in namespace ${ns}` : `${String(list.length)}${other} workload${list.length > 1 ? 's' : ''} in namespace ${ns}${names}`);
  }
  if (edges.some((e) => !e.partial.isEmpty())) out.push('(some only for requests meeting L7 conditions)');
  return out;
}

/** A representative port: a container port of the destination in `conn`, else the lowest TCP, UDP, SCTP port. */
function firstPort(conn: ConnSet, dst: Endpoint): { protocol: Protocol; port: number } | undefined {
  const own = dst.type === 'workload' ? dst.node.cls.ports.find((p) => conn.contains(p.protocol, p.port)) : undefined;
  if (own) return { protocol: own.protocol, port: own.port };
  for (const protocol of ['TCP', 'UDP', 'SCTP'] as const) {
    const first = conn.intervals(protocol)[0];
    if (first) return { protocol, port: first[0] };
  }
  return undefined;
}

function endpoint(n: FlowNode): Endpoint {
  return n.type === 'workload' ? { type: 'workload', node: n } : { type: 'ip', range: n.range, text: n.id === WHOLE_SPACE ? '0.0.0.0/0' : n.id };
}

/** Why one connection is allowed or denied, from the reference evaluation of one of its ports. */
interface CauseQuery {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  readonly conn: ConnSet;
  readonly wanted: 'allowed' | 'denied';
}

function cause(ctx: FlowContext, layer: FlowAnalysis['layer'], { src, dst, conn, wanted }: CauseQuery): string {
  const p = firstPort(conn, dst);
  if (!p) return '';
  const e = explain(ctx, { src, dst, ...p, layer });
  const reasons = [...(e.l4?.reasons ?? []), ...(e.mesh?.reasons ?? [])];
  const relevant = wanted === 'denied' ? reasons.filter((r) => /isolated|den(y|ied)|no rule|not/i.test(r)) : reasons;
  return `${p.protocol} ${String(p.port)}: ${(relevant.length ? relevant : reasons).join('; ')}`;
}

function blockedCauses(ctx: FlowContext, analysis: FlowAnalysis, diff: IntentDiff): FlowCause[] {
  const nodesOf = (name: string): WorkloadNode[] => {
    const c = diff.spec.components.find((x) => x.name === name);
    return c ? analysis.workloads.filter((n) => componentMatches(diff.spec, c, n)) : [];
  };
  return diff.blockedFlows.map((b) => {
    const src = nodesOf(b.from)[0];
    const dst = nodesOf(b.to)[0];
    const why = b.missingWorkloads || !src || !dst ? 'a component has no workload in the input' : cause(ctx, analysis.layer, { src: endpoint(src), dst: endpoint(dst), conn: b.conn, wanted: 'denied' });
    return { from: [b.from], to: b.to, conn: b.conn.toString(), count: 1, cause: why };
  });
}

/** Undeclared connections grouped by destination, their sources collapsed and their distinct causes listed. */
function undeclaredCauses(ctx: FlowContext, analysis: FlowAnalysis, list: readonly { edge: FlowEdge; conn: ConnSet }[], gateways: ReadonlySet<Workload>): FlowCause[] {
  const groups = new Map<string, { dst: FlowNode; causes: Map<string, string>; items: { edge: FlowEdge; conn: ConnSet }[] }>();
  for (const u of list) {
    const g = groups.get(u.edge.dst.id) ?? { dst: u.edge.dst, causes: new Map<string, string>(), items: [] };
    const why = cause(ctx, analysis.layer, { src: endpoint(u.edge.src), dst: endpoint(u.edge.dst), conn: u.conn, wanted: 'allowed' });
    // The same reasons for another port are the same cause.
    const reasons = why.replace(/^\S+ \d+: /, '');
    if (!g.causes.has(reasons)) g.causes.set(reasons, why);
    g.items.push(u);
    groups.set(u.edge.dst.id, g);
  }
  return [...groups.values()].map((g) => ({
    from: collapse(g.dst, g.items.map((i) => i.edge), analysis, gateways),
    to: g.dst.id === WHOLE_SPACE ? '0.0.0.0/0 (outside the cluster)' : g.dst.id,
    conn: unionAll(g.items.map((i) => i.conn)).toString(),
    count: g.items.length,
    cause: [...g.causes.values()].join(' | '),
  }));
}

/** The summary of an analysis; `diff` (with a spec) adds the undeclared and blocked flows. */
export function summarizeFlows(ctx: FlowContext, analysis: FlowAnalysis, diff?: IntentDiff): FlowSummary {
  const spec = diff?.spec;
  const gateways = gatewayWorkloads(ctx.index, spec);
  const published = publications(ctx.index);
  const incoming = new Map<string, FlowEdge[]>();
  for (const e of analysis.edges) if (e.dst.type === 'workload') incoming.set(e.dst.id, [...(incoming.get(e.dst.id) ?? []), e]);
  const destinations: DestinationSummary[] = [];
  for (const node of analysis.workloads) {
    const edges = incoming.get(node.id) ?? [];
    const personalData = holdsPersonalData(ctx.index, node, spec);
    const pub = published.get(node.workload) ?? [];
    const exposed = edges.some((e) => e.src.type === 'ip' || (e.src.type === 'workload' && gateways.has(e.src.workload)));
    if (!personalData && !pub.length && !exposed) continue;
    destinations.push({ id: node.id, namespace: node.namespace, personalData, published: pub, ports: unionAll(edges.map(reach)).toString(), from: collapse(node, edges, analysis, gateways) });
  }
  destinations.sort((a, b) => Number(b.personalData) - Number(a.personalData) || Number(b.published.length > 0) - Number(a.published.length > 0) || (a.id < b.id ? -1 : 1));
  if (!diff) return { layer: analysis.layer, workloads: analysis.workloads.length, destinations };
  const edges = [...diff.undeclaredEdges.map((u) => ({ edge: u.edge, conn: u.conn })), ...diff.undeclaredEgress.map((u) => ({ edge: u.edge, conn: reach(u.edge) }))];
  const undeclared = undeclaredCauses(ctx, analysis, edges, gateways);
  return { layer: analysis.layer, workloads: analysis.workloads.length, destinations, undeclared, blocked: blockedCauses(ctx, analysis, diff) };
}

const LAYER_TEXT: Readonly<Record<FlowAnalysis['layer'], string>> = { l4: 'NetworkPolicy', mesh: 'Istio', both: 'NetworkPolicy and Istio' };

/** Destinations reached the same way (same sources, nothing special) are shown once, together. */
function destinationBlocks(s: FlowSummary): string[] {
  const lines: string[] = [];
  const plain = new Map<string, DestinationSummary[]>();
  for (const d of s.destinations) {
    if (d.personalData || d.published.length) {
      lines.push('', `${d.id}  ${d.ports}${d.personalData ? '  holds personal data' : ''}`);
      for (const p of d.published) lines.push(`  published: ${p}`);
      lines.push(`  reached by: ${d.from.join('; ') || 'nobody'}`);
      continue;
    }
    const k = d.from.join('; ');
    plain.set(k, [...(plain.get(k) ?? []), d]);
  }
  for (const [from, list] of plain) {
    if (list.length === 1) lines.push('', `${list[0]!.id}  ${list[0]!.ports}`);
    else {
      const byPorts = new Map<string, string[]>();
      for (const d of list) byPorts.set(d.ports, [...(byPorts.get(d.ports) ?? []), d.id]);
      lines.push('', `${String(list.length)} destinations reached the same way:`, ...[...byPorts].map(([ports, ids]) => `  ${ports}: ${ids.join(', ')}`));
    }
    lines.push(`  reached by: ${from || 'nobody'}`);
  }
  return lines;
}

function causes(title: string, list: readonly FlowCause[] | undefined): string[] {
  if (!list) return [];
  if (!list.length) return ['', `${title}: none`];
  const total = list.reduce((n, c) => n + c.count, 0);
  return ['', `${title}: ${String(total)} connection${total > 1 ? 's' : ''}, by destination:`,
    ...list.flatMap((c) => [`  ${c.to} : ${c.conn}`, `    from: ${c.from.join('; ')}`, ...c.cause.split(' | ').map((x) => `    because ${x}`)])];
}

/** The text of `--format summary`. */
export function toSummary(s: FlowSummary): string {
  const personal = s.destinations.filter((d) => d.personalData).length;
  const none = personal === 0 ? '; no workload is labelled ward.g2p.dev/personal-data=true and no spec component has personalData (--profile openg2p-audit recognises the OpenG2P data stores by image)' : '';
  const lines = [`Who reaches what (${LAYER_TEXT[s.layer]}): ${String(s.destinations.length)} of ${String(s.workloads)} workloads hold personal data or are exposed (${String(personal)} with personal data${none})`];
  lines.push(...destinationBlocks(s));
  if (!s.undeclared) lines.push('', 'Undeclared and blocked flows: no spec to compare with (give --spec FILE or include a RegistryDeployment).');
  lines.push(...causes('Undeclared flows (allowed, not declared)', s.undeclared), ...causes('Blocked flows (declared, denied)', s.blocked));
  return `${lines.join('\n')}\n`;
}
