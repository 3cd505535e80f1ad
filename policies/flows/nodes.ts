/**
 * The nodes of the flow graph: workloads grouped by their owner (Deployment, StatefulSet,
 * DaemonSet, ReplicaSet and ReplicationController without an owner in the input, Job, CronJob, Pod), and the IP ranges outside the
 * cluster. Workloads that behave the same under every policy (same namespace, pod labels, service
 * account and container ports) form one class, evaluated once.
 */
import { recs, str } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { isWorkloadKind, servingContainers, type Workload } from '../index/workloads.js';
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

/**
 * Objects managed by a controller that is itself a workload of the input are represented by it (a
 * Deployment's ReplicaSets and Pods). A controller that is not in the input — a Node (static pods),
 * an operator's custom resource (a CloudNativePG `Cluster`), a ReplicaSet the dump left out — does
 * not hide its pods: they are analysed as themselves.
 */
function ownedByInputWorkload(index: ObjectIndex, w: Workload): boolean {
  return recs(w.object.metadata.ownerReferences).some((o) => {
    const kind = str(o.kind);
    const name = str(o.name);
    return o.controller === true && kind !== undefined && name !== undefined && isWorkloadKind(kind) && index.get(kind, w.namespace, name) !== undefined;
  });
}

/**
 * Ports of the containers that serve (app containers, then native sidecars). A name already taken
 * by an earlier port of the same protocol is dropped from later ones: Kubernetes resolves a named
 * port to the first match only.
 */
function containerPorts(w: Workload): ContainerPort[] {
  const out: ContainerPort[] = [];
  const named = new Set<string>();
  for (const c of servingContainers(w)) {
    for (const p of recs(c.container.ports)) {
      const port = p.containerPort;
      if (typeof port !== 'number' || !Number.isInteger(port)) continue;
      const raw = p.protocol ?? 'TCP';
      const protocol = isProtocol(raw) ? raw : 'TCP';
      const name = str(p.name);
      const first = name !== undefined && !named.has(`${protocol}/${name}`);
      if (first) named.add(`${protocol}/${name}`);
      out.push({ ...(first ? { name } : {}), port, protocol });
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
    if (ownedByInputWorkload(index, w)) continue;
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
