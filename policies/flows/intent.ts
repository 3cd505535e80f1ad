/**
 * Intended vs effective flows. The spec's components are matched to workload nodes (namespace and
 * selector); a component whose namespace has no workload in the input (synthesised output holds only
 * policies) is represented by a placeholder Deployment built from the spec: its selector labels,
 * service account and ports. A component that selects nothing in a namespace that does hold
 * workloads gets no placeholder: its selector is wrong for the input (`unmatchedComponents`, with the
 * closest label set), and its declared flows count as blocked. Then every component pair gets a cell: ports intended and allowed, allowed but not
 * declared, declared but blocked; plus the connections reaching components from outside the cluster
 * or from workloads that are no component.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import type { Component, RegistrySpec } from '../../charts-src/model/index.js';
import { matchesSelector } from '../../charts-src/selector.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import type { FlowAnalysis, FlowEdge } from './analyze.js';
import { ConnSet } from './connset.js';
import { parseCidr, rangesOverlap } from './ipset.js';
import type { FlowNode, WorkloadNode } from './nodes.js';

export const PLACEHOLDER_ANNOTATION = 'ward.g2p.dev/placeholder';

/** The RegistryDeployments among the objects with their parsed specs (invalid ones are skipped: ward synth reports them). */
export function registryDeployments(index: ObjectIndex): { readonly rd: KubeObject; readonly spec: RegistrySpec }[] {
  const out: { rd: KubeObject; spec: RegistrySpec }[] = [];
  for (const rd of index.ofKind('RegistryDeployment')) {
    const r = index.registrySpec(rd);
    if (r.ok) out.push({ rd, spec: r.spec });
  }
  return out;
}

/** Specs of the valid RegistryDeployments among the objects. */
export function specsInIndex(index: ObjectIndex): RegistrySpec[] {
  return registryDeployments(index).map((x) => x.spec);
}

export function componentNamespace(spec: RegistrySpec, c: Component): string {
  return c.namespace ?? spec.namespace;
}

export function componentMatches(spec: RegistrySpec, c: Component, node: WorkloadNode): boolean {
  return node.namespace === componentNamespace(spec, c) && matchesSelector({ matchLabels: c.selector }, node.workload.podLabels);
}

/** A Deployment standing for a component that has no workload in the input. */
export function placeholderWorkload(spec: RegistrySpec, c: Component): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: c.name, namespace: componentNamespace(spec, c), annotations: { [PLACEHOLDER_ANNOTATION]: 'materialised from the spec: no workload in the input' } },
    spec: {
      selector: { matchLabels: c.selector },
      template: {
        metadata: { labels: c.selector },
        spec: {
          serviceAccountName: c.serviceAccount,
          containers: [{ name: c.name, image: 'placeholder', ports: c.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: p.protocol })) }],
        },
      },
    },
  };
}

const selects = (c: Component, w: Workload): boolean => matchesSelector({ matchLabels: c.selector }, w.podLabels);

/** Placeholders for the components whose namespace holds no workload of `index`. */
export function placeholdersFor(spec: RegistrySpec, index: ObjectIndex): KubeObject[] {
  return spec.components
    .filter((c) => index.workloadsIn(componentNamespace(spec, c)).length === 0)
    .map((c) => placeholderWorkload(spec, c));
}

/** A component that selects no workload although its namespace holds some. */
export interface UnmatchedComponent {
  readonly component: Component;
  readonly namespace: string;
  /** The workloads of the namespace, sorted by name. */
  readonly workloads: readonly Workload[];
  /** The pod label set closest to the selector (edit distance) and the workload that carries it. */
  readonly suggestion?: { readonly labels: Readonly<Record<string, string>>; readonly workload: Workload };
}

/** Components of `spec` that select no workload in a namespace that holds workloads in `index`. */
export function unmatchedComponents(spec: RegistrySpec, index: ObjectIndex): UnmatchedComponent[] {
  const out: UnmatchedComponent[] = [];
  for (const c of spec.components) {
    const namespace = componentNamespace(spec, c);
    const inNs = index.workloadsIn(namespace);
    if (inNs.length === 0 || inNs.some((w) => selects(c, w))) continue;
    const workloads = [...inNs].sort((a, b) => compareText(a.ref.name, b.ref.name) || compareText(a.ref.kind, b.ref.kind));
    const suggestion = closestLabels(c.selector, workloads);
    out.push({ component: c, namespace, workloads, ...(suggestion ? { suggestion } : {}) });
  }
  return out;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Levenshtein distance (insert, delete, substitute: 1 each) from `a` to `b`; with `infix`, to the
 * closest substring of `b` (insertions before and after are free: Sellers' approximate matching), so
 * a chart's prefixed name (`keymanager-softhsm`) is at 0 from the name it prefixes (`softhsm`).
 */
export function editDistance(a: string, b: string, infix = false): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => (infix ? 0 : j));
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return infix ? Math.min(...prev) : (prev[b.length] ?? 0);
}

/**
 * Cost of a pod label set against a selector, compared in order: the distinctive entries' distance
 * (key by edit distance, value to its closest substring), the common entries the pods lack, the
 * distinctive entries' whole-value distance.
 */
type Cost = readonly [number, number, number];
const lessCost = (x: Cost, y: Cost): boolean => x[0] !== y[0] ? x[0] < y[0] : x[1] !== y[1] ? x[1] < y[1] : x[2] < y[2];
const sameCost = (x: Cost, y: Cost): boolean => !lessCost(x, y) && !lessCost(y, x);

/**
 * The pod labels nearest the selector and their cost. A common entry (carried by most workloads of
 * the namespace, e.g. the release's app.kubernetes.io/instance) says little about which workload is
 * meant: kept when the pods carry it, dropped from the suggestion when they do not.
 */
function nearest(selector: Readonly<Record<string, string>>, common: ReadonlySet<string>, labels: Readonly<Record<string, string>>): { labels: Record<string, string>; cost: Cost } | undefined {
  const pod = Object.entries(labels);
  if (pod.length === 0) return undefined;
  const out: Record<string, string> = {};
  let cost: Cost = [0, 0, 0];
  for (const [k, v] of Object.entries(selector)) {
    if (common.has(k)) {
      if (labels[k] === v) out[k] = v;
      else cost = [cost[0], cost[1] + 1, cost[2]];
      continue;
    }
    let best: { k: string; v: string; d: Cost } | undefined;
    for (const [pk, pv] of pod) {
      const key = editDistance(k, pk);
      const d: Cost = [key + editDistance(v, pv, true), 0, key + editDistance(v, pv)];
      if (!best || lessCost(d, best.d)) best = { k: pk, v: pv, d };
    }
    if (best) {
      out[best.k] = best.v;
      cost = [cost[0] + best.d[0], cost[1], cost[2] + best.d[2]];
    }
  }
  return { labels: out, cost };
}

/** Selector keys whose exact label more than half of the workloads carry (all distinctive when every key is). */
function commonEntries(selector: Readonly<Record<string, string>>, workloads: readonly Workload[]): Set<string> {
  const keys = Object.entries(selector).filter(([k, v]) => workloads.filter((w) => w.podLabels[k] === v).length * 2 > workloads.length).map(([k]) => k);
  return new Set(keys.length === Object.keys(selector).length ? [] : keys);
}

/** Long-running workloads before Jobs and bare Pods (a chart's test Pod carries the same labels). */
const KIND_RANK: Readonly<Record<string, number>> = { Deployment: 0, StatefulSet: 0, DaemonSet: 0, ReplicaSet: 1, CronJob: 2, Job: 2, Pod: 3 };

/** The workload whose pod labels are nearest the selector; ties go to long-running kinds, then by name (workloads come sorted). */
function closestLabels(selector: Readonly<Record<string, string>>, workloads: readonly Workload[]): UnmatchedComponent['suggestion'] {
  const common = commonEntries(selector, workloads);
  let best: { labels: Record<string, string>; cost: Cost; rank: number; workload: Workload } | undefined;
  for (const w of workloads) {
    const n = nearest(selector, common, w.podLabels);
    if (!n || Object.keys(n.labels).length === 0) continue;
    const rank = KIND_RANK[w.ref.kind] ?? 3;
    if (!best || lessCost(n.cost, best.cost) || (sameCost(n.cost, best.cost) && rank < best.rank)) best = { ...n, rank, workload: w };
  }
  return best ? { labels: best.labels, workload: best.workload } : undefined;
}

export interface MatrixCell {
  readonly from: string;
  readonly to: string;
  readonly declared: ConnSet;
  /** Allowed (fully or partially) and declared. */
  readonly intended: ConnSet;
  /** Allowed (fully or partially) but not declared. */
  readonly undeclared: ConnSet;
  /** Declared but not allowed. */
  readonly blocked: ConnSet;
}

/** Row keys besides the component names. */
export const OUTSIDE = '(outside the cluster)';
export const OTHER = '(other workloads)';
export const GATEWAY = '(ingress gateway)';

export interface IntentDiff {
  readonly spec: RegistrySpec;
  readonly components: readonly Component[];
  /** Rows: components, then OTHER and OUTSIDE; columns: components. Only cells with something in them. */
  readonly cells: readonly MatrixCell[];
  /** Connections from a component to an address outside the cluster that no cidr flow declares. */
  readonly undeclaredEgress: readonly { readonly from: string; readonly edge: FlowEdge }[];
  /** Undeclared edges between nodes, for findings (one per node pair). */
  readonly undeclaredEdges: readonly { readonly edge: FlowEdge; readonly from: string; readonly to: string; readonly conn: ConnSet }[];
  /** Declared flows with ports no node pair gets. */
  readonly blockedFlows: readonly { readonly from: string; readonly to: string; readonly conn: ConnSet; readonly missingWorkloads: boolean }[];
}

function declaredConn(spec: RegistrySpec, from: string, to: string): ConnSet {
  if (from === GATEWAY) {
    const c = spec.components.find((x) => x.name === to);
    return c ? exposureConn(c) : ConnSet.none;
  }
  let acc = ConnSet.none;
  for (const f of spec.flows) {
    if (f.from !== from || f.to.component !== to) continue;
    for (const p of f.ports) acc = acc.union(ConnSet.ports(p.protocol, p.port));
  }
  return acc;
}

/** Ports the ingress gateway may reach on an exposed component (declared by `exposure`). */
function exposureConn(c: Component): ConnSet {
  if (c.exposure.type !== 'ingress') return ConnSet.none;
  const port = c.exposure.port ?? c.ports[0]?.port;
  return port === undefined ? ConnSet.none : ConnSet.ports('TCP', port);
}

function isGateway(spec: RegistrySpec, n: FlowNode): boolean {
  if (n.type !== 'workload') return false;
  const gw = spec.mesh.ingressGateway;
  return n.namespace === gw.namespace && matchesSelector({ matchLabels: gw.selector }, n.workload.podLabels);
}

const reach = (e: FlowEdge): ConnSet => e.conn.union(e.partial);

function componentOfNode(spec: RegistrySpec, n: FlowNode): string | undefined {
  if (n.type !== 'workload') return undefined;
  return spec.components.find((c) => componentMatches(spec, c, n))?.name;
}

function declaredEgress(spec: RegistrySpec, from: string, e: FlowEdge): ConnSet {
  if (e.dst.type !== 'ip') return ConnSet.none;
  let acc = ConnSet.none;
  for (const f of spec.flows) {
    const r = f.to.cidr ? parseCidr(f.to.cidr) : undefined;
    if (f.from !== from || !r || !rangesOverlap(r, e.dst.range)) continue;
    for (const p of f.ports) acc = acc.union(ConnSet.ports(p.protocol, p.port));
  }
  return acc;
}

type Cells = Map<string, { from: string; to: string; reach: ConnSet }>;

interface Collected {
  readonly cells: Cells;
  readonly undeclaredEdges: IntentDiff['undeclaredEdges'][number][];
  readonly undeclaredEgress: IntentDiff['undeclaredEgress'][number][];
}

function collect(spec: RegistrySpec, analysis: FlowAnalysis): Collected {
  const out: Collected = { cells: new Map(), undeclaredEdges: [], undeclaredEgress: [] };
  for (const e of analysis.edges) {
    const to = componentOfNode(spec, e.dst);
    const fromComp = componentOfNode(spec, e.src);
    if (!to) {
      if (fromComp && e.dst.type === 'ip' && !reach(e).subtract(declaredEgress(spec, fromComp, e)).isEmpty()) out.undeclaredEgress.push({ from: fromComp, edge: e });
      continue;
    }
    const from = fromComp ?? (e.src.type === 'ip' ? OUTSIDE : isGateway(spec, e.src) ? GATEWAY : OTHER);
    const key = `${from}\u0000${to}`;
    out.cells.set(key, { from, to, reach: (out.cells.get(key)?.reach ?? ConnSet.none).union(reach(e)) });
    const extra = reach(e).subtract(declaredConn(spec, from, to));
    if (!extra.isEmpty()) out.undeclaredEdges.push({ edge: e, from, to, conn: extra });
  }
  return out;
}

/** The intent diff of an analysis (on the layers it was computed for) against a spec. */
export function intentDiff(spec: RegistrySpec, analysis: FlowAnalysis): IntentDiff {
  const comps = spec.components;
  const { cells: cellMap, undeclaredEdges, undeclaredEgress } = collect(spec, analysis);
  const present = new Set(analysis.workloads.map((n) => componentOfNode(spec, n)).filter((x): x is string => x !== undefined));
  const blockedFlows: IntentDiff['blockedFlows'][number][] = [];
  const cells: MatrixCell[] = [];
  const gateway = analysis.workloads.some((n) => isGateway(spec, n));
  // The gateway's row is declared only when its workload is in the input (ward's output holds none).
  for (const from of [...comps.map((c) => c.name), ...(gateway ? [GATEWAY] : []), OTHER, OUTSIDE]) {
    for (const c of comps) {
      const declared = declaredConn(spec, from, c.name);
      const got = cellMap.get(`${from}\u0000${c.name}`)?.reach ?? ConnSet.none;
      if (declared.isEmpty() && got.isEmpty()) continue;
      const blocked = declared.subtract(got);
      cells.push({ from, to: c.name, declared, intended: declared.intersect(got), undeclared: got.subtract(declared), blocked });
      if (!blocked.isEmpty()) blockedFlows.push({ from, to: c.name, conn: blocked, missingWorkloads: !present.has(from) || !present.has(c.name) });
    }
  }
  blockedFlows.push(...blockedCidrFlows(spec, analysis, present));
  return { spec, components: comps, cells, undeclaredEdges, undeclaredEgress, blockedFlows };
}

/** Declared flows to a CIDR that no workload of the source component gets on every port (all of them when it has no workload). */
function blockedCidrFlows(spec: RegistrySpec, analysis: FlowAnalysis, present: ReadonlySet<string>): IntentDiff['blockedFlows'][number][] {
  const out: IntentDiff['blockedFlows'][number][] = [];
  for (const f of spec.flows) {
    const range = f.to.cidr ? parseCidr(f.to.cidr) : undefined;
    if (!range) continue;
    let got = ConnSet.none;
    for (const e of analysis.edges) {
      if (e.dst.type === 'ip' && rangesOverlap(e.dst.range, range) && componentOfNode(spec, e.src) === f.from) got = got.union(reach(e));
    }
    let declared = ConnSet.none;
    for (const p of f.ports) declared = declared.union(ConnSet.ports(p.protocol, p.port));
    const blocked = declared.subtract(got);
    if (!blocked.isEmpty()) out.push({ from: f.from, to: f.to.cidr!, conn: blocked, missingWorkloads: !present.has(f.from) });
  }
  return out;
}
