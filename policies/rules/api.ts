/**
 * API family: objects written in an API version the Kubernetes API server no longer serves. Such an
 * object is refused ("no matches for kind … in version …"): `kubectl apply` and `helm install` fail,
 * and the control it was meant to be (a NetworkPolicy, a PodSecurityPolicy, a Role) never exists.
 * Old charts and a Helm that renders for an old Kubernetes (Helm's default capabilities were 1.20
 * before ward built it with its Makefile's ldflags) write them.
 *
 * Facts: the Kubernetes Deprecated API Migration Guide, "Removed APIs by release"
 * (https://kubernetes.io/docs/reference/using-api/deprecation-guide/), v1.16 to v1.32. Every
 * Kubernetes release still supported in 2026 (1.32 and later) refuses all of them, and the
 * integration test test/integration/removed-apis.test.ts asks the real 1.34 API server's discovery
 * that none is served and that each replacement is.
 */
import type { Finding, Rule, Severity } from '../types.js';
import { defineRule, findingOf, NSA } from './util.js';

export const API_REMOVED = 'WARD-API-001';

/** One removed API version of a kind: the release that stopped serving it, and what to use instead. */
export interface RemovedApi {
  readonly apiVersion: string;
  readonly kind: string;
  readonly removedIn: string;
  /** The apiVersion to migrate to, or undefined when the kind itself is gone (PodSecurityPolicy). */
  readonly replacement?: string;
}

const removed = (removedIn: string, apiVersions: readonly string[], kinds: readonly string[], replacement?: string): RemovedApi[] =>
  apiVersions.flatMap((apiVersion) => kinds.map((kind) => ({ apiVersion, kind, removedIn, ...(replacement ? { replacement } : {}) })));

/** The removed API versions, by release (the migration guide's sections). */
export const REMOVED_APIS: readonly RemovedApi[] = [
  // v1.16
  ...removed('1.16', ['extensions/v1beta1', 'apps/v1beta1', 'apps/v1beta2'], ['Deployment'], 'apps/v1'),
  ...removed('1.16', ['apps/v1beta1', 'apps/v1beta2'], ['StatefulSet'], 'apps/v1'),
  ...removed('1.16', ['extensions/v1beta1', 'apps/v1beta2'], ['DaemonSet', 'ReplicaSet'], 'apps/v1'),
  ...removed('1.16', ['extensions/v1beta1'], ['NetworkPolicy'], 'networking.k8s.io/v1'),
  ...removed('1.16', ['extensions/v1beta1'], ['PodSecurityPolicy']),
  // v1.22
  ...removed('1.22', ['admissionregistration.k8s.io/v1beta1'], ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'], 'admissionregistration.k8s.io/v1'),
  ...removed('1.22', ['apiextensions.k8s.io/v1beta1'], ['CustomResourceDefinition'], 'apiextensions.k8s.io/v1'),
  ...removed('1.22', ['apiregistration.k8s.io/v1beta1'], ['APIService'], 'apiregistration.k8s.io/v1'),
  ...removed('1.22', ['certificates.k8s.io/v1beta1'], ['CertificateSigningRequest'], 'certificates.k8s.io/v1'),
  ...removed('1.22', ['coordination.k8s.io/v1beta1'], ['Lease'], 'coordination.k8s.io/v1'),
  ...removed('1.22', ['extensions/v1beta1', 'networking.k8s.io/v1beta1'], ['Ingress'], 'networking.k8s.io/v1'),
  ...removed('1.22', ['networking.k8s.io/v1beta1'], ['IngressClass'], 'networking.k8s.io/v1'),
  ...removed('1.22', ['rbac.authorization.k8s.io/v1beta1'], ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'], 'rbac.authorization.k8s.io/v1'),
  ...removed('1.22', ['scheduling.k8s.io/v1beta1'], ['PriorityClass'], 'scheduling.k8s.io/v1'),
  ...removed('1.22', ['storage.k8s.io/v1beta1'], ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'], 'storage.k8s.io/v1'),
  // v1.25
  ...removed('1.25', ['batch/v1beta1'], ['CronJob'], 'batch/v1'),
  ...removed('1.25', ['discovery.k8s.io/v1beta1'], ['EndpointSlice'], 'discovery.k8s.io/v1'),
  ...removed('1.25', ['events.k8s.io/v1beta1'], ['Event'], 'events.k8s.io/v1'),
  ...removed('1.25', ['autoscaling/v2beta1'], ['HorizontalPodAutoscaler'], 'autoscaling/v2'),
  ...removed('1.25', ['policy/v1beta1'], ['PodDisruptionBudget'], 'policy/v1'),
  ...removed('1.25', ['policy/v1beta1'], ['PodSecurityPolicy']),
  ...removed('1.25', ['node.k8s.io/v1beta1'], ['RuntimeClass'], 'node.k8s.io/v1'),
  // v1.26
  ...removed('1.26', ['flowcontrol.apiserver.k8s.io/v1beta1'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'),
  ...removed('1.26', ['autoscaling/v2beta2'], ['HorizontalPodAutoscaler'], 'autoscaling/v2'),
  // v1.27
  ...removed('1.27', ['storage.k8s.io/v1beta1'], ['CSIStorageCapacity'], 'storage.k8s.io/v1'),
  // v1.29, v1.32
  ...removed('1.29', ['flowcontrol.apiserver.k8s.io/v1beta2'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'),
  ...removed('1.32', ['flowcontrol.apiserver.k8s.io/v1beta3'], ['FlowSchema', 'PriorityLevelConfiguration'], 'flowcontrol.apiserver.k8s.io/v1'),
];

const BY_KEY: ReadonlyMap<string, RemovedApi> = new Map(REMOVED_APIS.map((r) => [`${r.apiVersion} ${r.kind}`, r]));

/** Kinds that are security controls: when refused, the protection they describe is missing. */
const CONTROL_KINDS: ReadonlySet<string> = new Set(['NetworkPolicy', 'PodSecurityPolicy', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);

function advice(r: RemovedApi): string {
  if (r.replacement) return `write it as ${r.replacement}`;
  return 'PodSecurityPolicy is gone: enforce Pod Security Admission with the namespace label pod-security.kubernetes.io/enforce: restricted';
}

const apiRemoved: Rule = defineRule({
  id: API_REMOVED, title: 'API version no longer served', severity: 'medium',
  rationale: 'The API server refuses an object in an API version it no longer serves: kubectl apply and helm install fail, and a NetworkPolicy, PodSecurityPolicy or Role written that way never protects anything.',
  remediation: 'Write the object in the API version that replaced it (the finding names it); render Helm charts for the cluster\'s Kubernetes version (helm template --kube-version).',
  controls: { nsa: NSA.app },
  check: (index) => index.objects.flatMap((obj): Finding[] => {
    const gone = BY_KEY.get(`${obj.apiVersion} ${obj.kind}`);
    if (!gone) return [];
    const severity: Severity = CONTROL_KINDS.has(obj.kind) ? 'high' : 'medium';
    const ns = index.namespaceOf(obj);
    const name = `${obj.kind} ${ns ? `${ns}/` : ''}${obj.metadata.name}`;
    return [findingOf(index, apiRemoved, obj, `${name} is written as ${obj.apiVersion}, which Kubernetes stopped serving in ${gone.removedIn}: the API server refuses it; ${advice(gone)}`, { path: ['apiVersion'], severity })];
  }),
});

export const apiRules: readonly Rule[] = [apiRemoved];
