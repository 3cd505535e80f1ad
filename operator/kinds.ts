/**
 * The kinds ward applies, with their REST names: one table drives the watches, the REST paths (no
 * discovery round trips) and the ClusterRole in deploy/. Add a row when synthesis emits a new kind.
 */
export interface KindInfo {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** Comes from Istio's CRDs: may be absent from a cluster (IstioCRDsMissing). */
  readonly istio: boolean;
  /** Never pruned or deleted: only the fields ward applied are released (e.g. a Namespace's labels). */
  readonly releaseOnly?: boolean;
  /** Comes from another project's CRDs (prometheus-operator): may be absent, like the Istio kinds. */
  readonly optional?: boolean;
}

/** True for a kind that a cluster may not serve (its CRDs not installed): a 404 on it is KindNotServedError. */
export function mayBeMissing(info: KindInfo): boolean {
  return info.istio || info.optional === true;
}

const k = (apiVersion: string, kind: string, plural: string, namespaced = true, extra: Partial<KindInfo> = {}): KindInfo => ({
  apiVersion, kind, plural, namespaced, istio: apiVersion.includes('istio.io'), ...extra,
});

export const OWNED_KINDS: readonly KindInfo[] = [
  k('v1', 'Namespace', 'namespaces', false, { releaseOnly: true }),
  k('v1', 'ServiceAccount', 'serviceaccounts'),
  k('v1', 'Service', 'services'),
  k('v1', 'ConfigMap', 'configmaps'),
  k('apps/v1', 'Deployment', 'deployments'),
  k('networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies'),
  k('security.istio.io/v1', 'PeerAuthentication', 'peerauthentications'),
  k('security.istio.io/v1', 'AuthorizationPolicy', 'authorizationpolicies'),
  k('security.istio.io/v1', 'RequestAuthentication', 'requestauthentications'),
  k('networking.istio.io/v1', 'Sidecar', 'sidecars'),
  k('networking.istio.io/v1', 'ServiceEntry', 'serviceentries'),
  k('networking.istio.io/v1', 'DestinationRule', 'destinationrules'),
  k('networking.istio.io/v1', 'Gateway', 'gateways'),
  k('networking.istio.io/v1', 'VirtualService', 'virtualservices'),
  // spec.monitoring: Istio Telemetry and prometheus-operator's PrometheusRule (MonitoringApplied reports them).
  k('telemetry.istio.io/v1', 'Telemetry', 'telemetries', true, { istio: false, optional: true }),
  k('monitoring.coreos.com/v1', 'PrometheusRule', 'prometheusrules', true, { optional: true }),
  // ward guard (spec.guard): cluster-scoped, so without an ownerReference; pruned and cleaned up by label.
  k('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false),
  k('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false),
];

/** True for the kinds spec.monitoring adds (MonitoringApplied reports them). */
export function isMonitoringKind(info: Pick<KindInfo, 'kind'> | undefined): boolean {
  return info?.kind === 'Telemetry' || info?.kind === 'PrometheusRule';
}

/** True for the kinds of ward guard's admission policies (GuardApplied reports them). */
export function isGuardKind(info: Pick<KindInfo, 'apiVersion'> | undefined): boolean {
  return info?.apiVersion.startsWith('admissionregistration.k8s.io/') ?? false;
}

const byKey = new Map(OWNED_KINDS.map((i) => [`${i.apiVersion}/${i.kind}`, i]));

export function kindInfo(apiVersion: string, kind: string): KindInfo | undefined {
  return byKey.get(`${apiVersion}/${kind}`);
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export function apiPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Collection path; cluster-wide when `namespace` is undefined for a namespaced kind. */
export function collectionPath(info: Pick<KindInfo, 'apiVersion' | 'plural' | 'namespaced'>, namespace?: string): string {
  const ns = info.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${apiPrefix(info.apiVersion)}${ns}/${info.plural}`;
}

export function objectPath(info: Pick<KindInfo, 'apiVersion' | 'plural' | 'namespaced'>, name: string, namespace?: string): string {
  return `${collectionPath(info, namespace)}/${encodeURIComponent(name)}`;
}
