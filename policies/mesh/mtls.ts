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
import { servingContainers, type Workload } from '../index/workloads.js';

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

/**
 * True when the PeerAuthentication has a workload selector (otherwise it is namespace- or mesh-wide).
 * An empty `matchLabels` is no selector: istiod treats `spec.Selector == nil ||
 * len(spec.Selector.MatchLabels) == 0` as "mesh & namespace level policy"
 * (istio/istio pilot/pkg/model/authentication.go, addPeerAuthentication).
 */
export const hasSelector = (pa: KubeObject): boolean => Object.keys(strMap(rec(rec(pa.spec).selector).matchLabels)).length > 0;

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

/** Container ports of a workload (numbers, de-duplicated, sorted): app containers and native sidecars. */
export function containerPorts(w: Workload): number[] {
  const ports = new Set<number>();
  for (const c of servingContainers(w)) {
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
const INJECT = WellKnownLabels.sidecarInject;

/** Whether a workload's pods run an Istio sidecar, and how ward derived it (stated in --explain). */
export interface SidecarInjection {
  /** `undefined` when the input cannot tell (the namespace is not in it): callers assume a sidecar. */
  readonly injected: boolean | undefined;
  readonly reason: string;
}

const yes = (reason: string): SidecarInjection => ({ injected: true, reason });
const no = (reason: string): SidecarInjection => ({ injected: false, reason });

/**
 * Sidecar injection as Istio's injection webhook decides it (default revision install,
 * istio/istio manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml and
 * pkg/kube/inject/inject.go injectRequired):
 * - a container named `istio-proxy` already in the pod (gateways, `istioctl kube-inject`) means yes;
 * - `hostNetwork` pods are never injected ("Skip injection when host networking is enabled");
 * - namespace `istio-injection=enabled` (or `istio.io/rev` without `istio-injection`): injected
 *   unless the pod opts out (`sidecar.istio.io/inject: "false"`, the label preferred over the annotation);
 *   any other `istio-injection` value: no webhook matches;
 * - a namespace with neither label: only the pod *label* `sidecar.istio.io/inject: "true"` or a pod
 *   label `istio.io/rev` selects the webhook (its objectSelector reads labels), so the annotation
 *   alone injects nothing.
 */
export function sidecarInjection(index: ObjectIndex, w: Workload): SidecarInjection {
  if (w.containers.some((c) => c.name === 'istio-proxy' && c.kind !== 'ephemeralContainer')) return yes('runs an istio-proxy container');
  if (w.podSpec.hostNetwork === true) return no('hostNetwork pod: Istio never injects a sidecar');
  const label = w.podLabels[INJECT];
  const choice = label ?? w.podAnnotations[INJECT];
  const by = label !== undefined ? `pod label ${INJECT}` : `pod annotation ${INJECT}`;
  const optedOut = choice === 'false';
  const nsObj = index.get('Namespace', undefined, w.namespace);
  if (!nsObj) return optedOut ? no(`${by}: "false"`) : { injected: undefined, reason: `namespace ${w.namespace} is not in the input: assumed to have a sidecar` };
  const labels = strMap(nsObj.metadata.labels);
  const nsInjection = labels[INJECTION_LABEL];
  if (nsInjection !== undefined && nsInjection !== 'enabled') return no(`namespace label ${INJECTION_LABEL}=${nsInjection}: no injection`);
  const nsWhy = nsInjection === 'enabled' ? `namespace label ${INJECTION_LABEL}=enabled` : labels[REVISION_LABEL] !== undefined ? `namespace label ${REVISION_LABEL}=${labels[REVISION_LABEL]}` : undefined;
  if (nsWhy) return optedOut ? no(`${nsWhy}, but ${by}: "false"`) : yes(`injected: ${nsWhy}`);
  return podOptIn(w, by, optedOut);
}

/** A namespace without injection labels: only pod labels select the webhook. */
function podOptIn(w: Workload, by: string, optedOut: boolean): SidecarInjection {
  const podRev = w.podLabels[REVISION_LABEL];
  if (podRev !== undefined) return optedOut ? no(`pod label ${REVISION_LABEL}=${podRev}, but ${by}: "false"`) : yes(`injected: pod label ${REVISION_LABEL}=${podRev}`);
  if (w.podLabels[INJECT] === 'true') return yes(`injected: pod label ${INJECT}=true`);
  if (w.podAnnotations[INJECT] === 'true') return no(`pod annotation ${INJECT}: "true" without a namespace injection label: the webhook selects on the pod label, so no sidecar`);
  return no('no injection label: assumed no sidecar');
}

/** `sidecarInjection(...).injected`. */
export function sidecarInjected(index: ObjectIndex, w: Workload): boolean | undefined {
  return sidecarInjection(index, w).injected;
}

/** True when the namespace is labelled for sidecar injection. */
export function namespaceInjected(index: ObjectIndex, namespace: string): boolean {
  const labels = strMap(index.get('Namespace', undefined, namespace)?.metadata.labels);
  return labels[INJECTION_LABEL] === 'enabled' || (labels[INJECTION_LABEL] === undefined && labels[REVISION_LABEL] !== undefined);
}

const EXCLUDE_INBOUND = 'traffic.sidecar.istio.io/excludeInboundPorts';
const INCLUDE_INBOUND = 'traffic.sidecar.istio.io/includeInboundPorts';

function portList(v: string): Set<number> {
  return new Set(v.split(',').map((x) => x.trim()).filter((x) => /^\d+$/.test(x)).map(Number));
}

/**
 * Whether inbound TCP `port` goes through the sidecar. istio-iptables RETURNs (bypasses Envoy for)
 * every port of `excludeInboundPorts`, and with `includeInboundPorts` other than "*" redirects only
 * the listed ports (istio/istio tools/istio-iptables/pkg/capture/run.go; the injection template
 * passes the pod annotations traffic.sidecar.istio.io/excludeInboundPorts and includeInboundPorts).
 * A bypassed port gets neither mTLS nor AuthorizationPolicy.
 */
export function inboundIntercepted(w: Workload, port: number): { intercepted: boolean; reason?: string } {
  const include = w.podAnnotations[INCLUDE_INBOUND];
  if (include !== undefined && include.trim() !== '*' && !portList(include).has(port)) return { intercepted: false, reason: `${INCLUDE_INBOUND}: "${include}" does not list it` };
  const exclude = w.podAnnotations[EXCLUDE_INBOUND];
  if (exclude !== undefined && portList(exclude).has(port)) return { intercepted: false, reason: `${EXCLUDE_INBOUND}: "${exclude}" lists it` };
  return { intercepted: true };
}

/** Ports named in the interception annotations (segment boundaries for the flow engine). */
export function interceptionPorts(w: Workload): number[] {
  return [INCLUDE_INBOUND, EXCLUDE_INBOUND].flatMap((a) => [...portList(w.podAnnotations[a] ?? '')]);
}
