import { stringify } from 'yaml';
import type { KubeObject } from '../charts-src/kube.js';
import { AUDITOR_NAME } from '../policies/auditor-rbac.js';

/**
 * The values of charts/ward-operator: their defaults read from the construct's own objects (so the
 * chart installs exactly deploy/ by default), their documentation, their JSON schema (Helm refuses
 * values that do not fit it, on lint, template, install and upgrade) and the chart README. Pure.
 */

type Rec = Record<string, unknown>;

export interface ChartValues {
  readonly values: Readonly<Rec>;
  /** values.yaml: each key with its documentation as a comment. */
  readonly text: string;
}

/** Each value's documentation, in the order values.yaml lists them. */
export const VALUE_DOCS: readonly (readonly [key: string, doc: string])[] = [
  ['image', 'Operator image. Pin a digest (<repo>@sha256:<digest>) in production: an unpinned image carries the WARD-POD-016 waiver.'],
  ['imagePullPolicy', 'Container image pull policy.'],
  ['replicas', 'Replicas. With more than one, leader election (a Lease in the release namespace) picks the one that reconciles.'],
  ['resources', 'Container resources (requests and limits).'],
  ['watchNamespaces', 'Namespaces whose RegistryDeployments the operator watches; empty: all namespaces.'],
  ['logLevel', 'Log level: trace, debug, info, warn or error.'],
  ['probes', 'Timing of the liveness (/healthz) and readiness (/readyz) probes; the path and port are fixed.'],
  ['metricsScrapers', 'Namespaces allowed to reach /metrics (port 8080) through the operator\'s NetworkPolicy.'],
  ['podDisruptionBudget', 'A PodDisruptionBudget, rendered only with 2 or more replicas (with one it would block every node drain).'],
  ['metricsTls', 'secretName: a kubernetes.io/tls Secret (tls.crt, tls.key, ca.crt; e.g. from cert-manager) in the release namespace: /metrics over HTTPS with it, verified by the ServiceMonitor with ca.crt. Empty: plain HTTP.'],
  ['serviceMonitor', 'A Prometheus Operator ServiceMonitor for the metrics Service (needs the monitoring.coreos.com CRDs).'],
  ['auditor', 'The read-only ward-auditor identity (ClusterRole, ServiceAccount, binding) used by `ward check --cluster`.'],
  ['fullnameOverride', 'Name of the operator\'s objects (ServiceAccount, Deployment, ClusterRole, ...); default: the release name.'],
];

function find(objects: readonly KubeObject[], kind: string): Rec {
  const o = objects.find((x) => x.kind === kind);
  if (!o) throw new Error(`helm chart: the operator install has no ${kind}`);
  return o;
}

function probeTiming(probe: unknown): Rec {
  return Object.fromEntries(Object.entries(probe as Rec).filter(([k]) => k !== 'httpGet'));
}

/** The default values, read from the objects the construct synthesised. */
export function chartValues(objects: readonly KubeObject[], image: string): ChartValues {
  const deployment = find(objects, 'Deployment') as { spec: { replicas: number; template: { spec: { containers: Rec[] } } } };
  const container = deployment.spec.template.spec.containers[0] ?? {};
  const policy = objects.find((o) => o.kind === 'NetworkPolicy' && (o as unknown as { spec: { ingress?: unknown[] } }).spec.ingress) as unknown as { spec: { ingress: { from: { namespaceSelector: { matchLabels: Record<string, string> } }[] }[] } };
  const monitor = find(objects, 'ServiceMonitor') as { spec: { endpoints: { interval: string }[] } };
  const pdb = find(objects, 'PodDisruptionBudget') as { spec: { minAvailable: number } };
  const values: Rec = {
    image,
    imagePullPolicy: container.imagePullPolicy,
    replicas: deployment.spec.replicas,
    resources: container.resources,
    watchNamespaces: [],
    logLevel: 'info',
    probes: { liveness: probeTiming(container.livenessProbe), readiness: probeTiming(container.readinessProbe) },
    metricsScrapers: policy.spec.ingress[0]?.from.map((f) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']) ?? [],
    podDisruptionBudget: { enabled: true, minAvailable: pdb.spec.minAvailable },
    metricsTls: { secretName: '' },
    serviceMonitor: { enabled: false, interval: monitor.spec.endpoints[0]?.interval ?? '30s', labels: {} },
    auditor: { enabled: true, name: AUDITOR_NAME },
    fullnameOverride: '',
  };
  const text = VALUE_DOCS.map(([key, doc]) => `# ${doc}\n${stringify({ [key]: values[key] }, { lineWidth: 0 })}`).join('\n');
  return { values, text };
}

const str = { type: 'string' } as const;
const strings = { type: 'array', items: { type: 'string', minLength: 1 } } as const;
const probe = {
  type: 'object', additionalProperties: false,
  properties: Object.fromEntries(['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'successThreshold'].map((k) => [k, { type: 'integer', minimum: 0 }])),
};

/** values.schema.json: a typo'd key or a wrong type fails `helm lint/template/install/upgrade`. */
export function valuesSchema(): Rec {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'ward-operator values',
    type: 'object',
    additionalProperties: false,
    required: ['image', 'replicas', 'metricsScrapers'],
    properties: {
      image: { type: 'string', minLength: 1 },
      imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
      replicas: { type: 'integer', minimum: 1 },
      resources: { type: 'object' },
      watchNamespaces: strings,
      logLevel: { enum: ['trace', 'debug', 'info', 'warn', 'error'] },
      probes: { type: 'object', additionalProperties: false, properties: { liveness: probe, readiness: probe } },
      metricsScrapers: { ...strings, minItems: 1 },
      podDisruptionBudget: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' }, minAvailable: { type: ['integer', 'string'] } } },
      metricsTls: { type: 'object', additionalProperties: false, properties: { secretName: str } },
      serviceMonitor: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' }, interval: str, labels: { type: 'object', additionalProperties: str } } },
      auditor: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' }, name: { type: 'string', minLength: 1 } } },
      fullnameOverride: str,
    },
  };
}

/** The chart's README.md: install, upgrade, uninstall (what stays) and the values table. */
export function chartReadme(defaults: ChartValues): string {
  const rows = VALUE_DOCS.map(([key, doc]) => `| \`${key}\` | \`${JSON.stringify(defaults.values[key])}\` | ${doc.replace(/\|/g, '\\|')} |`);
  return `<!-- Generated by \`npm run gen:chart\` (scripts/gen-chart.ts); do not edit by hand. -->
# ward-operator Helm chart

The ward operator, generated from the same construct as \`deploy/\` (charts-src/constructs/operator.ts):
with the default values it installs exactly what \`kubectl apply -f deploy/\` does, in the release
namespace. More in [docs/helm.md](../../docs/helm.md).

\`\`\`sh
kubectl create namespace ward-system
kubectl label namespace ward-system pod-security.kubernetes.io/enforce=restricted
helm install ward-operator charts/ward-operator -n ward-system
helm upgrade ward-operator charts/ward-operator -n ward-system --set replicas=3
helm uninstall ward-operator -n ward-system
\`\`\`

**The CRD is kept.** \`crds/registrydeployments.ward.g2p.dev.yaml\` is installed by \`helm install\`
when it is missing; \`helm upgrade\` never changes it and \`helm uninstall\` never deletes it, so every
RegistryDeployment (and what the operator applied for it) survives both. Upgrade the CRD with
\`kubectl apply --server-side -f charts/ward-operator/crds/\`; remove it, with every
RegistryDeployment, only by \`kubectl delete crd registrydeployments.ward.g2p.dev\`.

**/metrics is authenticated**: a scrape needs a bearer token that the API server authenticates
(TokenReview) and allows \`get /metrics\` (SubjectAccessReview). Bind the ClusterRole
\`<release>-metrics-reader\` to your Prometheus ServiceAccount; the ServiceMonitor sends its token.

## Values

| key | default | description |
|---|---|---|
${rows.join('\n')}
`;
}
