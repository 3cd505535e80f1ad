/** Kinds the rules understand, and which of them are cluster-scoped. */
import type { KubeObject } from '../../charts-src/kube.js';

export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Node', 'PersistentVolume',
  'StorageClass', 'PriorityClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'IngressClass',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'APIService', 'RuntimeClass',
  'PodSecurityPolicy', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'FlowSchema', 'PriorityLevelConfiguration', 'CertificateSigningRequest',
]);

export const KNOWN_KINDS: ReadonlySet<string> = new Set([
  'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob',
  'Service', 'Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'NetworkPolicy',
  'PeerAuthentication', 'DestinationRule', 'AuthorizationPolicy', 'Gateway', 'VirtualService', 'Sidecar',
  'RequestAuthentication', 'ServiceEntry',
  'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding', 'RegistryDeployment',
  // Read and found to carry nothing the rules audit (storage requests, disruption budgets): not "unknown".
  'PersistentVolumeClaim', 'PodDisruptionBudget',
  // Read by WARD-REST-001 (the encryption at rest of personal-data volumes).
  'StorageClass',
  // Clients of other operators whose TLS settings WARD-TLS-003 audits: the logging operator's outputs
  // (ssl_verify; SR 1.3.1 templates/logging/opensearch/output.yaml) and prometheus-operator's
  // scrape configurations (tlsConfig.insecureSkipVerify).
  'Output', 'ClusterOutput', 'ServiceMonitor', 'PodMonitor',
]);

/** `Kind.group` (kubectl's notation), or `Kind` for the core group. */
export function kindKey(obj: KubeObject): string {
  const slash = obj.apiVersion.indexOf('/');
  return slash < 0 ? obj.kind : `${obj.kind}.${obj.apiVersion.slice(0, slash)}`;
}
