/** The resources `ward policy-check --cluster` reads, shared by the reader and the ward-auditor ClusterRole. */

export interface AuditedResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Read as metadata only (Secrets: values are never requested). */
  readonly metadataOnly?: boolean;
}

const r = (group: string, version: string, resource: string, kind: string, flags: { clusterScoped?: boolean; metadataOnly?: boolean } = {}): AuditedResource =>
  ({ group, version, resource, kind, namespaced: !flags.clusterScoped, ...(flags.metadataOnly ? { metadataOnly: true } : {}) });

export const AUDITED_RESOURCES: readonly AuditedResource[] = [
  r('', 'v1', 'namespaces', 'Namespace', { clusterScoped: true }),
  r('', 'v1', 'pods', 'Pod'),
  r('', 'v1', 'services', 'Service'),
  r('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  r('', 'v1', 'configmaps', 'ConfigMap'),
  r('', 'v1', 'secrets', 'Secret', { metadataOnly: true }),
  r('apps', 'v1', 'deployments', 'Deployment'),
  r('apps', 'v1', 'statefulsets', 'StatefulSet'),
  r('apps', 'v1', 'daemonsets', 'DaemonSet'),
  r('apps', 'v1', 'replicasets', 'ReplicaSet'),
  r('batch', 'v1', 'jobs', 'Job'),
  r('batch', 'v1', 'cronjobs', 'CronJob'),
  r('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  r('security.istio.io', 'v1', 'peerauthentications', 'PeerAuthentication'),
  r('security.istio.io', 'v1', 'authorizationpolicies', 'AuthorizationPolicy'),
  r('security.istio.io', 'v1', 'requestauthentications', 'RequestAuthentication'),
  r('networking.istio.io', 'v1', 'destinationrules', 'DestinationRule'),
  r('networking.istio.io', 'v1', 'gateways', 'Gateway'),
  r('networking.istio.io', 'v1', 'virtualservices', 'VirtualService'),
  r('networking.istio.io', 'v1', 'sidecars', 'Sidecar'),
  r('networking.istio.io', 'v1', 'serviceentries', 'ServiceEntry'),
  r('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  r('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', { clusterScoped: true }),
  r('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  r('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { clusterScoped: true }),
  r('ward.g2p.dev', 'v1alpha1', 'registrydeployments', 'RegistryDeployment'),
];
