import { createHash } from 'node:crypto';
import { Annotations, Labels, WellKnownLabels } from '../kube.js';
import type { Component, RegistrySpec } from '../model/index.js';

/**
 * What every construct shares: the owner labels, the resolved flow graph of a spec (flows merged by
 * their two ends, ports sorted), principals and peer selectors. Pure and deterministic.
 */

/** Who owns the objects (the operator passes the RegistryDeployment's name, namespace and uid). */
export interface Owner {
  readonly name: string;
  readonly namespace: string;
  /** Set by the operator only; adds the `ward.g2p.dev/owner-uid` label. */
  readonly uid?: string;
}

export interface SynthesizeOptions {
  /**
   * Owner recorded in the `ward.g2p.dev/owner` label as `<namespace>.<name>`.
   * @default { namespace: spec.namespace, name: spec.release }
   */
  readonly owner?: Owner;
}

export type Protocol = 'TCP' | 'UDP';

export interface PortRef {
  readonly port: number;
  readonly protocol: Protocol;
}

/** A component placed in its namespace. */
export interface Endpoint {
  readonly component: Component;
  readonly namespace: string;
}

export type Target = { readonly kind: 'component'; readonly endpoint: Endpoint } | { readonly kind: 'cidr'; readonly cidr: string };

/** All declared flows between the same two ends, merged. */
export interface Edge {
  readonly from: Endpoint;
  readonly to: Target;
  readonly ports: readonly PortRef[];
  readonly descriptions: readonly string[];
}

const MAX_LABEL_VALUE = 63;

/** A label value of at most 63 characters: long values keep a prefix and a stable hash suffix. */
export function labelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 10);
  return `${value.slice(0, MAX_LABEL_VALUE - hash.length - 1).replace(/[^A-Za-z0-9]+$/, '')}-${hash}`;
}

/** Labels on every object ward creates (DESIGN.md "Names"). */
export function ownerLabels(spec: RegistrySpec, options: SynthesizeOptions = {}): Record<string, string> {
  const owner = options.owner ?? { name: spec.release, namespace: spec.namespace };
  const labels: Record<string, string> = {
    [Labels.managedBy]: Labels.managedByValue,
    [Labels.owner]: labelValue(`${owner.namespace}.${owner.name}`),
  };
  if (owner.uid !== undefined) labels[Labels.ownerUid] = owner.uid;
  return labels;
}

/** The annotation carrying the reason when mTLS is weaker than STRICT; empty otherwise. */
export function mtlsExceptionAnnotations(spec: RegistrySpec): Record<string, string> {
  if (spec.mesh.mtlsMode === 'STRICT') return {};
  return { [Annotations.mtlsException]: spec.mesh.mtlsReason ?? '' };
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function comparePorts(a: PortRef, b: PortRef): number {
  return a.port - b.port || compareStrings(a.protocol, b.protocol);
}

/** Sorted, de-duplicated ports. */
export function uniquePorts(ports: readonly PortRef[]): PortRef[] {
  const seen = new Map<string, PortRef>();
  for (const p of ports) seen.set(`${p.protocol}/${p.port}`, { port: p.port, protocol: p.protocol });
  return [...seen.values()].sort(comparePorts);
}

export function endpointOf(spec: RegistrySpec, component: Component): Endpoint {
  return { component, namespace: component.namespace ?? spec.namespace };
}

/** True when ward manages objects for this endpoint: it runs in the spec namespace. */
export function isLocal(spec: RegistrySpec, e: Endpoint): boolean {
  return e.namespace === spec.namespace;
}

/** Istio mesh identity of a service account. */
export function principal(namespace: string, serviceAccount: string): string {
  return `cluster.local/ns/${namespace}/sa/${serviceAccount}`;
}

export function endpointPrincipal(e: Endpoint): string {
  return principal(e.namespace, e.component.serviceAccount);
}

export function ingressGatewayPrincipal(spec: RegistrySpec): string {
  return principal(spec.mesh.ingressGateway.namespace, spec.mesh.ingressGateway.serviceAccount);
}

function targetKey(t: Target): string {
  return t.kind === 'cidr' ? `cidr:${t.cidr}` : `component:${t.endpoint.namespace}/${t.endpoint.component.name}`;
}

/**
 * The spec's flows as edges: flows with the same (from, to) merge into one edge with the union of
 * their ports. Edges are sorted by source, then target. Assumes a parsed spec (names resolve).
 */
export function resolveEdges(spec: RegistrySpec): Edge[] {
  const byName = new Map(spec.components.map((c) => [c.name, endpointOf(spec, c)]));
  const edges = new Map<string, { from: Endpoint; to: Target; ports: PortRef[]; descriptions: string[] }>();
  for (const f of spec.flows) {
    const from = byName.get(f.from);
    const toEndpoint = f.to.component === undefined ? undefined : byName.get(f.to.component);
    const to: Target | undefined = f.to.cidr !== undefined ? { kind: 'cidr', cidr: f.to.cidr } : toEndpoint && { kind: 'component', endpoint: toEndpoint };
    if (!from || !to) continue;
    const key = `${from.namespace}/${from.component.name} -> ${targetKey(to)}`;
    const edge = edges.get(key) ?? { from, to, ports: [], descriptions: [] };
    edge.ports.push(...f.ports);
    if (f.description !== undefined) edge.descriptions.push(f.description);
    edges.set(key, edge);
  }
  return [...edges.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([, e]) => ({ ...e, ports: uniquePorts(e.ports) }));
}

/** The container port the ingress gateway may reach on an exposed component, if it is exposed. */
export function exposedPort(c: Component): PortRef | undefined {
  if (c.exposure.type !== 'ingress') return undefined;
  const port = c.exposure.port ?? c.ports[0]?.port;
  if (port === undefined) return undefined;
  return { port, protocol: 'TCP' };
}

/** Components of the spec namespace, sorted by name. */
export function localComponents(spec: RegistrySpec): Component[] {
  return spec.components.filter((c) => (c.namespace ?? spec.namespace) === spec.namespace).sort((a, b) => compareStrings(a.name, b.name));
}

/** `kubernetes.io/metadata.name` selector for a namespace (set by the API server on every namespace). */
export function namespaceSelector(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { [WellKnownLabels.namespaceName]: namespace } };
}

/** A DNS-1123 name fragment of a CIDR: 203.0.113.0/24 → 203-0-113-0-24. */
export function cidrSlug(cidr: string): string {
  return cidr.replace(/[./]/g, '-');
}

/** Edges grouped by destination component (`into`) and by source component (`outOf`), in edge order. */
export interface EdgeIndex {
  readonly into: ReadonlyMap<string, readonly Edge[]>;
  readonly outOf: ReadonlyMap<string, readonly Edge[]>;
}

export function indexEdges(edges: readonly Edge[]): EdgeIndex {
  const into = new Map<string, Edge[]>();
  const outOf = new Map<string, Edge[]>();
  const push = (m: Map<string, Edge[]>, k: string, e: Edge): void => void m.set(k, [...(m.get(k) ?? []), e]);
  for (const e of edges) {
    if (e.to.kind === 'component') push(into, e.to.endpoint.component.name, e);
    push(outOf, e.from.component.name, e);
  }
  return { into, outOf };
}
