/**
 * Workloads (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) reduced to what the
 * rules need: the pod template, its labels and the path to it (for line numbers).
 */
import type { KubeObject } from '../../charts-src/kube.js';
import type { FieldPath } from '../load/types.js';
import type { ObjectRef } from '../types.js';
import { rec, recs, str, strMap, type Rec } from './access.js';

export const WORKLOAD_KINDS = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob'] as const;

const TEMPLATE_PATH: Readonly<Record<string, FieldPath>> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export type ContainerKind = 'container' | 'initContainer' | 'ephemeralContainer';

export interface ContainerEntry {
  readonly container: Rec;
  readonly name: string;
  readonly kind: ContainerKind;
  /** Path from the object root to this container. */
  readonly path: FieldPath;
}

export interface Workload {
  readonly object: KubeObject;
  readonly ref: ObjectRef;
  readonly namespace: string;
  /** The pod spec (of the template for controllers). */
  readonly podSpec: Rec;
  /** Path from the object root to the pod spec. */
  readonly podSpecPath: FieldPath;
  /** Labels of the pods (template labels for controllers). */
  readonly podLabels: Readonly<Record<string, string>>;
  readonly podAnnotations: Readonly<Record<string, string>>;
  /** Service account the pods run as (`default` when unset). */
  readonly serviceAccount: string;
  readonly containers: readonly ContainerEntry[];
}

export function isWorkloadKind(kind: string): boolean {
  return Object.hasOwn(TEMPLATE_PATH, kind);
}

function walk(obj: unknown, path: FieldPath): unknown {
  let cur = obj;
  for (const seg of path) cur = rec(cur)[seg];
  return cur;
}

const FIELDS: readonly [string, ContainerKind][] = [['initContainers', 'initContainer'], ['containers', 'container'], ['ephemeralContainers', 'ephemeralContainer']];

function containersOf(podSpec: Rec, podSpecPath: FieldPath): ContainerEntry[] {
  const out: ContainerEntry[] = [];
  for (const [field, kind] of FIELDS) {
    recs(podSpec[field]).forEach((container, i) => {
      out.push({ container, kind, name: str(container.name) ?? `#${String(i)}`, path: [...podSpecPath, field, i] });
    });
  }
  return out;
}

/** The workload view of an object, or undefined when it is not a workload kind. */
export function toWorkload(object: KubeObject, namespace: string): Workload | undefined {
  const templatePath = TEMPLATE_PATH[object.kind];
  if (!templatePath) return undefined;
  const template = rec(walk(object, templatePath));
  const podMeta = rec(template.metadata);
  const podSpecPath = [...templatePath, 'spec'];
  const podSpec = rec(template.spec);
  return {
    object,
    ref: { kind: object.kind, namespace, name: object.metadata.name },
    namespace,
    podSpec,
    podSpecPath,
    podLabels: strMap(podMeta.labels),
    podAnnotations: strMap(podMeta.annotations),
    serviceAccount: str(podSpec.serviceAccountName) ?? str(podSpec.serviceAccount) ?? 'default',
    containers: containersOf(podSpec, podSpecPath),
  };
}

/** An init container with `restartPolicy: Always`: a native sidecar, which keeps running next to the app containers. */
export function isNativeSidecar(c: ContainerEntry): boolean {
  return c.kind === 'initContainer' && c.container.restartPolicy === 'Always';
}

/**
 * The containers that run and serve ports, in the order Kubernetes resolves a named port: app
 * containers, then native sidecars (k8s.io/kubernetes pkg/api/v1/pod/util.go FindPort: the first
 * container port with the name and protocol wins). Plain init containers have exited; ephemeral
 * containers declare no ports.
 */
export function servingContainers(w: Workload): ContainerEntry[] {
  return [...w.containers.filter((c) => c.kind === 'container'), ...w.containers.filter(isNativeSidecar)];
}

/** `Deployment dev/registry container "odoo"` (init and ephemeral containers are named as such). */
export function describeContainer(w: Workload, c: ContainerEntry): string {
  const what = c.kind === 'container' ? 'container' : c.kind === 'initContainer' ? 'init container' : 'ephemeral container';
  return `${w.ref.kind} ${w.namespace}/${w.ref.name} ${what} "${c.name}"`;
}
