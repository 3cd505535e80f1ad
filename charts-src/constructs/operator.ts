import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  IntOrString, KubeClusterRole, KubeClusterRoleBinding, KubeDeployment, KubeNamespace, KubeNetworkPolicy, KubePodDisruptionBudget, KubeRole, KubeRoleBinding, KubeService,
  KubeServiceAccount, Quantity, type PolicyRule,
} from '../imports/k8s.js';
import { API_GROUP } from '../kube.js';
import { OWNED_KINDS, groupOf } from '../../operator/kinds.js';
import { podSecurityLabels } from './namespace.js';

/** The path the operator serves its Prometheus metrics on (operator/metrics-auth.ts reviews who may get it). */
export const METRICS_PATH = '/metrics';
/** Where the metrics TLS Secret is mounted (`--metrics-cert-dir`). */
export const METRICS_TLS_DIR = '/etc/ward/metrics-tls';

/**
 * The operator's install manifests (deploy/ and the Helm chart charts/ward-operator): namespace,
 * ServiceAccount, least-privilege RBAC, a hardened Deployment, its PodDisruptionBudget, its metrics
 * Service and NetworkPolicies. The CRD is generated separately (operator/crd.ts). RBAC is derived
 * from the kinds the operator applies (operator/kinds.ts).
 */

export interface OperatorInstallProps {
  /** @default 'ward-system' */
  readonly namespace?: string;
  /** Image reference; pin a digest (`ward/operator@sha256:...`) in production. @default 'ward/operator:0.1.0' */
  readonly image?: string;
  /** Replicas; with more than one, leader election picks the one that reconciles. @default 2 */
  readonly replicas?: number;
  /**
   * Create the Namespace (labelled Pod Security `restricted`). The Helm chart installs into the
   * release namespace, which Helm creates or the user labels, so it sets this to false.
   * @default true
   */
  readonly createNamespace?: boolean;
  /** Namespaces whose RegistryDeployments the operator watches (`--namespace`). @default [] (all namespaces) */
  readonly watchNamespaces?: readonly string[];
  /** The operator's log level (`--log-level`: trace, debug, info, warn, error). @default 'info' */
  readonly logLevel?: string;
  /**
   * A PodDisruptionBudget (minAvailable 1) so that a node drain never takes every replica at once;
   * only with 2 or more replicas (with one it would block every drain).
   * @default true
   */
  readonly podDisruptionBudget?: boolean;
  /** A Prometheus Operator ServiceMonitor for the metrics Service (needs its CRD). @default false */
  readonly serviceMonitor?: boolean;
  /**
   * A `kubernetes.io/tls` Secret (tls.crt, tls.key, ca.crt; e.g. from cert-manager) in the operator's
   * namespace: /metrics is then served over HTTPS with it, and the ServiceMonitor verifies it with ca.crt.
   * @default none: /metrics over plain HTTP (still behind TokenReview + SubjectAccessReview)
   */
  readonly metricsTlsSecret?: string;
  /**
   * Namespaces allowed to scrape /metrics (port 8080), selected by `kubernetes.io/metadata.name`.
   * @default ['monitoring']
   */
  readonly metricsScrapers?: readonly string[];
}

/** Waivers the install carries, each with its reason (shown in every `ward check` report). */
export const OPERATOR_WAIVERS = {
  apiServerEgress: 'WARD-NET-006: the operator must reach the API server, whose address differs per cluster, and probes key managers over https; egress is limited to ports 443 and 6443',
  serviceAccountToken: 'WARD-POD-017: the operator is a Kubernetes API client and authenticates with its own service account token (RBAC: deploy/operator.yaml)',
  imageDigest: 'WARD-POD-016: no registry digest exists before the image is published; set the image to <repo>@sha256:<digest> when installing (OperatorInstallProps.image; Helm value image)',
} as const;

export const OPERATOR_NAME = 'ward-operator';
export const OPERATOR_LABELS = { 'app.kubernetes.io/name': OPERATOR_NAME, 'app.kubernetes.io/part-of': 'ward', 'app.kubernetes.io/component': 'operator' } as const;
export const OPERATOR_DEFAULT_IMAGE = 'ward/operator:0.1.0';

const CHILD_VERBS = ['get', 'list', 'watch', 'create', 'patch', 'delete'];

/** The cluster-wide rules: exact verbs per resource; Secrets by name only (no list/watch). */
export function operatorClusterRules(): PolicyRule[] {
  const byGroup = new Map<string, { plurals: string[]; release: string[] }>();
  for (const k of OWNED_KINDS) {
    const g = groupOf(k.apiVersion);
    const entry = byGroup.get(g) ?? { plurals: [], release: [] };
    (k.releaseOnly ? entry.release : entry.plurals).push(k.plural);
    byGroup.set(g, entry);
  }
  const rules: PolicyRule[] = [
    { apiGroups: [API_GROUP], resources: ['registrydeployments'], verbs: ['get', 'list', 'watch', 'patch'] },
    { apiGroups: [API_GROUP], resources: ['registrydeployments/status'], verbs: ['get', 'patch', 'update'] },
    { apiGroups: [API_GROUP], resources: ['registrydeployments/finalizers'], verbs: ['update'] },
  ];
  for (const [group, { plurals, release }] of [...byGroup].sort(([a], [b]) => a.localeCompare(b))) {
    if (plurals.length > 0) rules.push({ apiGroups: [group], resources: [...plurals].sort(), verbs: CHILD_VERBS });
    // Namespaces are labelled, never deleted: applying a smaller intent releases ward's labels.
    if (release.length > 0) rules.push({ apiGroups: [group], resources: [...release].sort(), verbs: ['get', 'list', 'watch', 'create', 'patch'] });
  }
  rules.push(
    // Secrets: read by name for the checks; create/delete only the WireGuard server key ward generates.
    { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'delete'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    // /metrics: the scraper's token is reviewed with the API server (operator/metrics-auth.ts).
    { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
    { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
  );
  return rules;
}

/** The ServiceMonitor endpoint's TLS settings: https, verified with the Secret's ca.crt for the Service's DNS name. */
function metricsTlsClient(ns: string, secret: string | undefined): Record<string, unknown> {
  if (!secret) return {};
  return { scheme: 'https', tlsConfig: { serverName: `${OPERATOR_NAME}-metrics.${ns}.svc`, ca: { secret: { name: secret, key: 'ca.crt' } } } };
}

/** The container's arguments: `ward operator` with leader election when there is more than one replica. */
export function operatorArgs(ns: string, props: OperatorInstallProps): string[] {
  return [
    'operator',
    ...((props.replicas ?? 2) > 1 ? ['--leader-elect'] : []),
    `--leader-election-namespace=${ns}`,
    ...(props.watchNamespaces ?? []).map((n) => `--namespace=${n}`),
    '--metrics-addr=:8080', '--health-addr=:8081', '--grace-period=20',
    ...(props.metricsTlsSecret ? [`--metrics-cert-dir=${METRICS_TLS_DIR}`] : []),
    `--log-level=${props.logLevel ?? 'info'}`,
  ];
}

export class OperatorInstall extends Construct {
  constructor(scope: Construct, id: string, props: OperatorInstallProps = {}) {
    super(scope, id);
    const ns = props.namespace ?? 'ward-system';
    const labels = { ...OPERATOR_LABELS };
    if (props.createNamespace ?? true) new KubeNamespace(this, 'namespace', { metadata: { name: ns, labels: { ...podSecurityLabels('restricted'), 'app.kubernetes.io/part-of': 'ward' } } });
    new KubeServiceAccount(this, 'sa', { metadata: { name: OPERATOR_NAME, namespace: ns, labels }, automountServiceAccountToken: true });
    new KubeClusterRole(this, 'cluster-role', { metadata: { name: OPERATOR_NAME, labels }, rules: operatorClusterRules() });
    new KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: OPERATOR_NAME, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: OPERATOR_NAME },
      subjects: [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: ns }],
    });
    new KubeRole(this, 'leader-role', {
      metadata: { name: `${OPERATOR_NAME}-leader-election`, namespace: ns, labels },
      rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }],
    });
    new KubeRoleBinding(this, 'leader-role-binding', {
      metadata: { name: `${OPERATOR_NAME}-leader-election`, namespace: ns, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${OPERATOR_NAME}-leader-election` },
      subjects: [{ kind: 'ServiceAccount', name: OPERATOR_NAME, namespace: ns }],
    });
    // Bound to Prometheus' ServiceAccount by the user: the right to scrape the operator's /metrics.
    new KubeClusterRole(this, 'metrics-reader', {
      metadata: { name: `${OPERATOR_NAME}-metrics-reader`, labels },
      rules: [{ nonResourceUrLs: [METRICS_PATH], verbs: ['get'] }],
    });
    this.deployment(ns, labels, props);
    const replicas = props.replicas ?? 2;
    if ((props.podDisruptionBudget ?? true) && replicas >= 2) {
      new KubePodDisruptionBudget(this, 'pdb', {
        metadata: { name: OPERATOR_NAME, namespace: ns, labels },
        spec: { minAvailable: IntOrString.fromNumber(1), selector: { matchLabels: labels } },
      });
    }
    new KubeService(this, 'metrics', {
      metadata: { name: `${OPERATOR_NAME}-metrics`, namespace: ns, labels },
      spec: { selector: labels, ports: [{ name: 'http-metrics', port: 8080, targetPort: IntOrString.fromString('metrics'), protocol: 'TCP' }] },
    });
    if (props.serviceMonitor === true) {
      new ApiObject(this, 'service-monitor', {
        apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor',
        metadata: { name: OPERATOR_NAME, namespace: ns, labels },
        // Prometheus' own ServiceAccount token, reviewed by the operator (bind ward-operator-metrics-reader to it).
        spec: { selector: { matchLabels: labels }, endpoints: [{ port: 'http-metrics', path: METRICS_PATH, interval: '30s', bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token', ...metricsTlsClient(ns, props.metricsTlsSecret) }] },
      });
    }
    this.networkPolicies(ns, labels, props.metricsScrapers ?? ['monitoring']);
  }

  private deployment(ns: string, labels: Record<string, string>, props: OperatorInstallProps): void {
    const pinned = (props.image ?? OPERATOR_DEFAULT_IMAGE).includes('@sha256:');
    const waivers = [OPERATOR_WAIVERS.serviceAccountToken, ...(pinned ? [] : [OPERATOR_WAIVERS.imageDigest])];
    const tls = props.metricsTlsSecret;
    new KubeDeployment(this, 'deployment', {
      metadata: { name: OPERATOR_NAME, namespace: ns, labels, annotations: { 'ward.g2p.dev/waive': waivers.join('\n') } },
      spec: {
        replicas: props.replicas ?? 2,
        selector: { matchLabels: labels },
        template: {
          // Outside the mesh, said explicitly: the operator talks to the API server (not a mesh
          // service), and Istio's init container would need NET_ADMIN, which Pod Security
          // restricted forbids. Audits then know the pod has no sidecar (no WARD-MTLS-001).
          metadata: { labels: { ...labels, 'sidecar.istio.io/inject': 'false' } },
          spec: {
            serviceAccountName: OPERATOR_NAME,
            automountServiceAccountToken: true,
            terminationGracePeriodSeconds: 30,
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'operator',
              image: props.image ?? OPERATOR_DEFAULT_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: operatorArgs(ns, props),
              ports: [{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }, { name: 'health', containerPort: 8081, protocol: 'TCP' }],
              livenessProbe: { httpGet: { path: '/healthz', port: IntOrString.fromString('health') }, initialDelaySeconds: 5, periodSeconds: 10 },
              readinessProbe: { httpGet: { path: '/readyz', port: IntOrString.fromString('health') }, periodSeconds: 5 },
              resources: {
                requests: { cpu: Quantity.fromString('100m'), memory: Quantity.fromString('128Mi') },
                limits: { cpu: Quantity.fromString('500m'), memory: Quantity.fromString('512Mi') },
              },
              securityContext: {
                allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, privileged: false,
                capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
              },
              env: [{ name: 'NODE_ENV', value: 'production' }],
              // tsx (the TypeScript loader) caches compiled sources in /tmp; the root filesystem is read-only.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...(tls ? [{ name: 'metrics-tls', mountPath: METRICS_TLS_DIR, readOnly: true }] : [])],
            }],
            // The key is readable by the pod's group (fsGroup 65532) only.
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }, ...(tls ? [{ name: 'metrics-tls', secret: { secretName: tls, defaultMode: 0o440 } }] : [])],
          },
        },
      },
    });
  }

  private networkPolicies(ns: string, labels: Record<string, string>, scrapers: readonly string[]): void {
    new KubeNetworkPolicy(this, 'default-deny', { metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    new KubeNetworkPolicy(this, 'operator', {
      metadata: { name: OPERATOR_NAME, namespace: ns, labels, annotations: { 'ward.g2p.dev/waive': OPERATOR_WAIVERS.apiServerEgress } },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress', 'Egress'],
        // Prometheus scrapes /metrics; kubelet probes (8081) come from the node and need no rule.
        ingress: [{
          from: scrapers.map((n) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': n } } })),
          ports: [{ port: IntOrString.fromNumber(8080), protocol: 'TCP' }],
        }],
        egress: [
          // DNS
          { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: IntOrString.fromNumber(53), protocol: 'UDP' }, { port: IntOrString.fromNumber(53), protocol: 'TCP' }] },
          // The API server (its address differs per cluster) and the key-manager/token endpoints probed over https.
          { ports: [{ port: IntOrString.fromNumber(443), protocol: 'TCP' }, { port: IntOrString.fromNumber(6443), protocol: 'TCP' }] },
        ],
      },
    });
  }
}
