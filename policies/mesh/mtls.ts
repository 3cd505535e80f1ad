/**
 * Effective Istio mTLS per workload and port, computed the way istiod does: the narrowest
 * PeerAuthentication wins (workload selector > namespace-wide > mesh root namespace),
 * `portLevelMtls` overrides the workload policy for a container port, `UNSET` inherits from the
 * next wider scope, and the default with nothing set is PERMISSIVE. Among several policies at one
 * scope the oldest (creationTimestamp, then name) is honoured. Selector policies in the root
 * namespace are ignored. Pure; shared by the MTLS rules and the flow engine's Istio layer.
 */
import { WellKnownLabels, type KubeObject } from '../../charts-src/kube.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { rec, str, strMap } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';
export type MtlsScope = 'port' | 'workload' | 'namespace' | 'mesh' | 'default';

export interface EffectiveMtls {
  readonly mode: MtlsMode;
  /** Which scope decided the mode. */
  readonly scope: MtlsScope;
  /** The PeerAuthentication that decided it (absent for the default). */
  readonly policy?: KubeObject;
}

const DEFAULT: EffectiveMtls = { mode: 'PERMISSIVE', scope: 'default' };

/** The mode an `mtls` or `portLevelMtls` entry sets; undefined for UNSET or absent (inherit). */
export function modeOf(v: unknown): MtlsMode | undefined {
  const m = str(rec(v).mode);
  return m === 'STRICT' || m === 'PERMISSIVE' || m === 'DISABLE' ? m : undefined; // UNSET or absent: inherit
}

function oldest(list: readonly KubeObject[]): KubeObject | undefined {
  return [...list].sort((a, b) => {
    const ta = str(a.metadata.creationTimestamp) ?? '';
    const tb = str(b.metadata.creationTimestamp) ?? '';
    return ta !== tb ? (ta < tb ? -1 : 1) : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  })[0];
}

/** True when the PeerAuthentication has a workload selector (otherwise it is namespace- or mesh-wide). */
export const hasSelector = (pa: KubeObject): boolean => rec(pa.spec).selector !== undefined && rec(pa.spec).selector !== null;

/** The namespace-wide PeerAuthentication honoured in `namespace` (the oldest), if any. */
export function namespacePolicy(index: ObjectIndex, namespace: string): KubeObject | undefined {
  return oldest(index.inNamespace('PeerAuthentication', namespace).filter((pa) => !hasSelector(pa)));
}

/** The workload-selector PeerAuthentication honoured for `w` (never from the root namespace). */
export function workloadPolicy(index: ObjectIndex, w: Workload): KubeObject | undefined {
  if (w.namespace === index.meshRootNamespace) return undefined;
  const matching = index.inNamespace('PeerAuthentication', w.namespace).filter((pa) =>
    hasSelector(pa) && matchesSelector({ matchLabels: strMap(rec(rec(pa.spec).selector).matchLabels) }, w.podLabels));
  return oldest(matching);
}

function inherited(index: ObjectIndex, namespace: string): EffectiveMtls {
  const mesh = namespacePolicy(index, index.meshRootNamespace);
  const meshMode = mesh ? modeOf(rec(mesh.spec).mtls) : undefined;
  const base: EffectiveMtls = mesh && meshMode ? { mode: meshMode, scope: 'mesh', policy: mesh } : DEFAULT;
  if (namespace === index.meshRootNamespace) return base;
  const nsPolicy = namespacePolicy(index, namespace);
  const nsMode = nsPolicy ? modeOf(rec(nsPolicy.spec).mtls) : undefined;
  return nsPolicy && nsMode ? { mode: nsMode, scope: 'namespace', policy: nsPolicy } : base;
}

/** Effective mTLS mode of a workload's server side, on `port` (a container port) when given. */
export function effectiveMtls(index: ObjectIndex, w: Workload, port?: number): EffectiveMtls {
  const outer = inherited(index, w.namespace);
  const policy = workloadPolicy(index, w);
  if (!policy) return outer;
  const spec = rec(policy.spec);
  const wlMode = modeOf(spec.mtls);
  const atWorkload: EffectiveMtls = wlMode ? { mode: wlMode, scope: 'workload', policy } : outer;
  if (port === undefined) return atWorkload;
  const portMode = modeOf(rec(spec.portLevelMtls)[String(port)]);
  return portMode ? { mode: portMode, scope: 'port', policy } : atWorkload;
}

/** Container ports of a workload (numbers, de-duplicated, sorted). */
export function containerPorts(w: Workload): number[] {
  const ports = new Set<number>();
  for (const c of w.containers) {
    for (const p of Array.isArray(c.container.ports) ? c.container.ports : []) {
      const n = rec(p).containerPort;
      if (typeof n === 'number' && Number.isInteger(n)) ports.add(n);
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Effective mTLS for the workload as a whole and each of its container ports. */
export function effectiveMtlsByPort(index: ObjectIndex, w: Workload): { port?: number; mtls: EffectiveMtls }[] {
  const ports = containerPorts(w);
  return ports.length ? ports.map((port) => ({ port, mtls: effectiveMtls(index, w, port) })) : [{ mtls: effectiveMtls(index, w) }];
}

const INJECTION_LABEL = WellKnownLabels.istioInjection;
const REVISION_LABEL = WellKnownLabels.istioRevision;
const INJECT_ANNOTATION = WellKnownLabels.sidecarInject;

/**
 * Whether the workload's pods get a sidecar: a container named `istio-proxy` already in the pod
 * (gateways, `istioctl kube-inject` output) means yes; the pod label/annotation
 * `sidecar.istio.io/inject` decides when set; otherwise the namespace labels
 * `istio-injection=enabled` or `istio.io/rev`. `undefined` when the namespace is not in the input.
 */
export function sidecarInjected(index: ObjectIndex, w: Workload): boolean | undefined {
  if (w.containers.some((c) => c.name === 'istio-proxy' && c.kind !== 'ephemeralContainer')) return true;
  const explicit = w.podLabels[INJECT_ANNOTATION] ?? w.podAnnotations[INJECT_ANNOTATION];
  if (explicit === 'false') return false;
  const nsObj = index.get('Namespace', undefined, w.namespace);
  const labels = strMap(nsObj?.metadata.labels);
  if (labels[INJECTION_LABEL] === 'disabled') return false;
  if (labels[INJECTION_LABEL] === 'enabled' || labels[REVISION_LABEL] !== undefined) return true;
  if (explicit === 'true') return true;
  return nsObj ? false : undefined;
}

/** True when the namespace is labelled for sidecar injection. */
export function namespaceInjected(index: ObjectIndex, namespace: string): boolean {
  const labels = strMap(index.get('Namespace', undefined, namespace)?.metadata.labels);
  return labels[INJECTION_LABEL] === 'enabled' || labels[REVISION_LABEL] !== undefined;
}
