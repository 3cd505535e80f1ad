/**
 * Intended vs effective flows. The spec's components are matched to workload nodes (namespace and
 * selector); a component with no workload in the input (synthesised output holds only policies) is
 * represented by a placeholder Deployment built from the spec: its selector labels, service account
 * and ports. Then every component pair gets a cell: ports intended and allowed, allowed but not
 * declared, declared but blocked; plus the connections reaching components from outside the cluster
 * or from workloads that are no component.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec, type Component, type RegistrySpec } from '../../charts-src/model/index.js';
import { matchesSelector } from '../../charts-src/selector.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { FlowAnalysis, FlowEdge } from './analyze.js';
import { ConnSet } from './connset.js';
import { parseCidr, rangesOverlap } from './ipset.js';
import type { FlowNode, WorkloadNode } from './nodes.js';

export const PLACEHOLDER_ANNOTATION = 'ward.g2p.dev/placeholder';

/** The RegistryDeployments among the objects with their parsed specs (invalid ones are skipped: ward synth reports them). */
export function registryDeployments(index: ObjectIndex): { readonly rd: KubeObject; readonly spec: RegistrySpec }[] {
  const out: { rd: KubeObject; spec: RegistrySpec }[] = [];
  for (const rd of index.ofKind('RegistryDeployment')) {
    const r = parseRegistrySpec(rd);
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

/** Placeholders for the components no workload of `index` matches. */
export function placeholdersFor(spec: RegistrySpec, index: ObjectIndex): KubeObject[] {
  return spec.components
    .filter((c) => !index.workloads.some((w) => w.namespace === componentNamespace(spec, c) && matchesSelector({ matchLabels: c.selector }, w.podLabels)))
    .map((c) => placeholderWorkload(spec, c));
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

/** Declared flows to a CIDR that no workload of the source component gets on every port. */
function blockedCidrFlows(spec: RegistrySpec, analysis: FlowAnalysis, present: ReadonlySet<string>): IntentDiff['blockedFlows'][number][] {
  const out: IntentDiff['blockedFlows'][number][] = [];
  for (const f of spec.flows) {
    const range = f.to.cidr ? parseCidr(f.to.cidr) : undefined;
    if (!range || !present.has(f.from)) continue;
    let got = ConnSet.none;
    for (const e of analysis.edges) {
      if (e.dst.type === 'ip' && rangesOverlap(e.dst.range, range) && componentOfNode(spec, e.src) === f.from) got = got.union(reach(e));
    }
    let declared = ConnSet.none;
    for (const p of f.ports) declared = declared.union(ConnSet.ports(p.protocol, p.port));
    const blocked = declared.subtract(got);
    if (!blocked.isEmpty()) out.push({ from: f.from, to: f.to.cidr!, conn: blocked, missingWorkloads: false });
  }
  return out;
}
