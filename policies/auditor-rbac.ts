/**
 * The `ward-auditor` identity: a ClusterRole with get/list/watch on exactly the resources
 * `ward policy-check --cluster` reads. Secrets need list/watch to be seen at all; the checker asks
 * only for their metadata (PartialObjectMetadataList) and never reads values. That grant is what
 * WARD-RBAC-002 reports, so the role carries a governed waiver saying so.
 */
import { Annotations, Labels, type KubeObject } from '../charts-src/kube.js';
import { AUDITED_RESOURCES } from './cluster-kinds.js';

export const AUDITOR_NAME = 'ward-auditor';

export interface AuditorOptions {
  /** Namespace of the auditor's ServiceAccount (bound by the ClusterRoleBinding). @default 'ward-system' */
  readonly namespace?: string;
}

function rules(): { apiGroups: string[]; resources: string[]; verbs: string[] }[] {
  const byGroup = new Map<string, string[]>();
  for (const r of AUDITED_RESOURCES) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.resource]);
  return [...byGroup.entries()].map(([group, resources]) => ({ apiGroups: [group], resources: resources.sort(), verbs: ['get', 'list', 'watch'] }));
}

const labels = { [Labels.managedBy]: Labels.managedByValue, 'app.kubernetes.io/name': AUDITOR_NAME };

/** ClusterRole, ServiceAccount and ClusterRoleBinding of the read-only auditor. */
export function auditorRbac(options: AuditorOptions = {}): KubeObject[] {
  const namespace = options.namespace ?? 'ward-system';
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: AUDITOR_NAME,
        labels,
        annotations: {
          [Annotations.waive]: 'WARD-RBAC-002: the auditor lists Secrets as metadata only (PartialObjectMetadataList) to check references; it never requests values; owner=ward',
        },
      },
      rules: rules(),
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: AUDITOR_NAME, namespace, labels }, automountServiceAccountToken: false },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AUDITOR_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AUDITOR_NAME },
      subjects: [{ kind: 'ServiceAccount', name: AUDITOR_NAME, namespace }],
    },
  ];
}
