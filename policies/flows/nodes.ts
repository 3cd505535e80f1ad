/**
 * The nodes of the flow graph: workloads grouped by their owner (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet without an owner, Job, CronJob, bare Pod), and the IP ranges outside the
 * cluster. Workloads that behave the same under every policy (same namespace, pod labels, service
 * account and container ports) form one class, evaluated once.
 */
import { recs, str } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import { isProtocol, type Protocol } from './connset.js';
import { formatRange, type IpRange } from './ipset.js';

export interface ContainerPort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
}

export interface WorkloadNode {
  readonly type: 'workload';
  /** netpol-analyzer's name: `ns/name[Kind]`. */
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: string;
  readonly workload: Workload;
  readonly cls: PodClass;
}

export interface IpNode {
  readonly type: 'ip';
  /** `10.0.0.0-10.0.255.255`; the whole space `0.0.0.0-255.255.255.255` is "anything outside the cluster". */
  readonly id: string;
  readonly range: IpRange;
}

export type FlowNode = WorkloadNode | IpNode;

/** Workloads indistinguishable to NetworkPolicy and Istio: evaluated once. */
export interface PodClass {
  readonly index: number;
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly ports: readonly ContainerPort[];
  /** A representative workload (for the mesh layer's mTLS and injection look-ups). */
  readonly representative: Workload;
  readonly nodes: WorkloadNode[];
}

export function nodeId(namespace: string, name: string, kind: string): string {
  return `${namespace}/${name}[${kind}]`;
}

export function ipNode(range: IpRange): IpNode {
  return { type: 'ip', id: formatRange(range), range };
}

/** Objects managed by a controller are represented by their owner (a Deployment's ReplicaSets and Pods). */
function hasController(w: Workload): boolean {
  return recs(w.object.metadata.ownerReferences).some((o) => o.controller === true);
}

function containerPorts(w: Workload): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of w.containers) {
    if (c.kind === 'ephemeralContainer') continue;
    for (const p of recs(c.container.ports)) {
      const port = p.containerPort;
      if (typeof port !== 'number' || !Number.isInteger(port)) continue;
      const protocol = p.protocol ?? 'TCP';
      const name = str(p.name);
      out.push({ ...(name ? { name } : {}), port, protocol: isProtocol(protocol) ? protocol : 'TCP' });
    }
  }
  return out;
}

function classKey(w: Workload, ports: readonly ContainerPort[]): string {
  const labels = Object.entries(w.podLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([w.namespace, labels, w.serviceAccount, ports.map((p) => [p.name ?? '', p.port, p.protocol])]);
}

export interface NodeSet {
  readonly workloads: readonly WorkloadNode[];
  readonly classes: readonly PodClass[];
  readonly byId: ReadonlyMap<string, WorkloadNode>;
}

/** Workload nodes of the index, grouped into classes. Sorted by id. */
export function buildNodes(index: ObjectIndex): NodeSet {
  const classes = new Map<string, PodClass>();
  const workloads: WorkloadNode[] = [];
  const byId = new Map<string, WorkloadNode>();
  for (const w of index.workloads) {
    if (hasController(w)) continue;
    const ports = containerPorts(w);
    const key = classKey(w, ports);
    let cls = classes.get(key);
    if (!cls) {
      cls = { index: classes.size, key, namespace: w.namespace, labels: w.podLabels, serviceAccount: w.serviceAccount, ports, representative: w, nodes: [] };
      classes.set(key, cls);
    }
    const id = nodeId(w.namespace, w.ref.name, w.ref.kind);
    if (byId.has(id)) continue;
    const node: WorkloadNode = { type: 'workload', id, namespace: w.namespace, name: w.ref.name, kind: w.ref.kind, workload: w, cls };
    cls.nodes.push(node);
    workloads.push(node);
    byId.set(id, node);
  }
  workloads.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { workloads, classes: [...classes.values()], byId };
}
