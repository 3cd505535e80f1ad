import type { RegistrySpec } from '../model/index.js';
import { compareStrings } from './common.js';

/** Alert names, exported: docs/monitoring.md has a runbook section for each (a test checks). */
export const Alerts = {
  authorizationDenied: 'WardAuthorizationDenied',
  gatewayAuthFailures: 'WardGatewayAuthFailures',
  loginFailures: 'WardLoginFailures',
  rateLimited: 'WardGatewayRateLimited',
  plaintextInStrict: 'WardPlaintextInStrictNamespace',
  blockedEgress: 'WardBlockedEgress',
  guardDenied: 'WardGuardDenied',
  operatorErrors: 'WardOperatorReconcileErrors',
  driftRepaired: 'WardDriftRepaired',
  auditFailed: 'WardAuditFailed',
  keyManagerUnreachable: 'WardKeyManagerUnreachable',
} as const;

/** Where the runbooks are: docs/monitoring.md of ward (one section per alert, anchored by its name). */
export const RUNBOOK_BASE = 'docs/monitoring.md';

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'critical' | 'warning' };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

/** The namespaces ward puts default-deny and STRICT mTLS into: the stack's and its components'. */
function guardedNamespaces(spec: RegistrySpec): string[] {
  return [...new Set([spec.namespace, ...spec.components.map((c) => c.namespace ?? spec.namespace)])].sort(compareStrings);
}

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\\\$&');

/** An alert: `when` is its `for` duration and severity. */
function rule(alert: string, expr: string, when: readonly [string, AlertRule['labels']['severity']], summary: string, description: string): AlertRule {
  const [forDuration, severity] = when;
  return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description, runbook_url: `${RUNBOOK_BASE}#${alert.toLowerCase()}` } };
}

function meshAlerts(spec: RegistrySpec): AlertRule[] {
  const ns = guardedNamespaces(spec).join('|');
  const dst = `reporter="destination", destination_workload_namespace=~"${ns}"`;
  const src = `reporter="source", source_workload_namespace=~"${ns}", destination_service_name="BlackHoleCluster"`;
  const by = 'destination_workload_namespace, destination_workload';
  return [
    rule(Alerts.authorizationDenied, `sum by (${by}) (increase(istio_requests_total{${dst}, response_code="403"}[5m])) > 0`, ['0m', 'warning'],
      'Requests denied in a default-deny namespace ({{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }})',
      'Every declared flow is allowed, so a 403 at the destination proxy is a caller outside the declared flows (or an application refusing it).'),
    rule(Alerts.plaintextInStrict, `sum by (${by}) (increase(istio_requests_total{${dst}, connection_security_policy="none"}[5m])) > 0 or sum by (${by}) (increase(istio_tcp_connections_opened_total{${dst}, connection_security_policy="none"}[5m])) > 0`, ['0m', 'critical'],
      'Plaintext traffic reached {{ $labels.destination_workload_namespace }}/{{ $labels.destination_workload }} in a STRICT mTLS namespace',
      'The destination proxy recorded connections without mTLS: mTLS was weakened (PeerAuthentication, DestinationRule) or a workload runs outside the mesh.'),
    rule(Alerts.blockedEgress, `sum by (source_workload_namespace, source_workload) (increase(istio_tcp_connections_opened_total{${src}}[5m])) > 0 or sum by (source_workload_namespace, source_workload) (increase(istio_requests_total{${src}}[5m])) > 0`, ['0m', 'warning'],
      '{{ $labels.source_workload_namespace }}/{{ $labels.source_workload }} tried to reach a destination outside the declared flows',
      'The sidecar sent traffic to BlackHoleCluster (REGISTRY_ONLY egress): an undeclared destination, a misconfiguration or a compromised workload calling out.'),
  ];
}

function gatewayAlerts(spec: RegistrySpec): AlertRule[] {
  const gw = `reporter="source", source_workload_namespace="${spec.mesh.ingressGateway.namespace}"`;
  return [
    rule(Alerts.gatewayAuthFailures, `sum(rate(istio_requests_total{${gw}, response_code=~"401|403"}[5m])) > 1`, ['5m', 'warning'],
      'A burst of 401/403 answers on the public gateway',
      'More than one rejected request per second for 5 minutes: credential stuffing, a scanner, or a broken client.'),
    rule(Alerts.loginFailures, `sum(rate(istio_requests_total{${gw}, ward_login="login", response_code=~"401|403"}[5m])) > 0.2`, ['2m', 'critical'],
      'Failed logins on the public gateway',
      'Login paths (monitoring.loginPaths) answer 401/403 more than once every 5 seconds for 2 minutes: a password-guessing attempt against the registry.'),
    rule(Alerts.rateLimited, `sum(rate(istio_requests_total{${gw}, response_code="429"}[5m])) > 1`, ['5m', 'warning'],
      'The public gateway is rate-limiting clients',
      'More than one 429 per second for 5 minutes: a client is hammering the registry.'),
  ];
}

function operatorAlerts(owner: { readonly namespace: string; readonly name: string }): AlertRule[] {
  const policy = regexEscape(`ward-guard.${owner.namespace}.${owner.name}.`);
  return [
    rule(Alerts.guardDenied, `sum by (policy) (increase(apiserver_validating_admission_policy_check_total{policy=~"${policy}.*", enforcement_action=~"deny|warn"}[10m])) > 0`, ['0m', 'warning'],
      'ward guard refused or warned about a change ({{ $labels.policy }})',
      'Someone tried to weaken the hardening of the registry (the policy names the rule); the API server audit log has who.'),
    rule(Alerts.driftRepaired, 'sum by (kind) (increase(ward_drift_repairs_total[10m])) > 0', ['0m', 'warning'],
      'Someone changed or deleted a {{ $labels.kind }} that ward manages; the operator put it back',
      'A hardening object was changed out of band: the operator repaired it, but whoever changed it may try again (the API server audit log has who).'),
    rule(Alerts.auditFailed, `max by (namespace, name) (ward_registrydeployment_condition{type="AuditPassed", namespace="${owner.namespace}", name="${owner.name}"}) == 0`, ['15m', 'critical'],
      'ward check finds weaknesses in the live objects of {{ $labels.namespace }}/{{ $labels.name }}',
      'The AuditPassed condition has been False for 15 minutes: the live hardening no longer passes the strict rules (kubectl get rd shows the worst finding).'),
    rule(Alerts.keyManagerUnreachable, `max by (namespace, name) (ward_registrydeployment_condition{type="KeyManagerReachable", namespace="${owner.namespace}", name="${owner.name}"}) == 0`, ['10m', 'critical'],
      'The key manager of {{ $labels.namespace }}/{{ $labels.name }} fails its probe',
      'KeyManagerReachable has been False for 10 minutes: personal data cannot be encrypted, or the key manager is being tampered with (token rejected, certificate missing or expiring).'),
    rule(Alerts.operatorErrors, 'sum(rate(controller_runtime_reconcile_errors_total{controller="registrydeployment"}[10m])) > 0', ['15m', 'warning'],
      'The ward operator keeps failing to reconcile',
      'Reconcile errors for 15 minutes: the hardening is not being applied or repaired; read the RegistryDeployment conditions and the operator log.'),
  ];
}

/** The PrometheusRule groups of a spec. */
export function alertGroups(spec: RegistrySpec, owner: { readonly namespace: string; readonly name: string }): { name: string; rules: AlertRule[] }[] {
  return [
    { name: 'ward-mesh', rules: meshAlerts(spec) },
    { name: 'ward-gateway', rules: gatewayAlerts(spec) },
    { name: 'ward-operator', rules: operatorAlerts(owner) },
  ];
}
