import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { RegistrySpec } from '../model/index.js';
import { compareStrings } from './common.js';
import { alertGroups } from './monitoring-alerts.js';

export interface MonitoringProps {
  readonly spec: RegistrySpec;
  /** `<namespace>.<name>` of the owner (the guard's policy names start with it). */
  readonly owner: { readonly namespace: string; readonly name: string };
}

/** Namespaces holding a component with personal data, sorted. */
export function personalDataNamespaces(spec: RegistrySpec): string[] {
  return [...new Set(spec.components.filter((c) => c.personalData).map((c) => c.namespace ?? spec.namespace))].sort(compareStrings);
}

/** Istio's CEL for the `ward_login` tag: `login` when the path starts with one of the prefixes. */
export function loginTag(prefixes: readonly string[]): string {
  const test = prefixes.map((p) => `request.url_path.startsWith('${p}')`).join(' || ');
  return `(${test}) ? 'login' : 'other'`;
}

/**
 * `spec.monitoring`: Istio Telemetry — access logs and the `ward_login` request tag on the ingress
 * gateway, access logs in every namespace holding personal data — and one PrometheusRule with the
 * pre-warning alerts (docs/monitoring.md has a runbook section per alert).
 */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { spec } = props;
    const gw = spec.mesh.ingressGateway;
    const loginPaths = spec.monitoring?.loginPaths ?? [];
    new ApiObject(this, 'gateway-telemetry', {
      apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry',
      metadata: { name: `ward-${spec.namespace}-${spec.release}-gateway`, namespace: gw.namespace },
      spec: {
        selector: { matchLabels: { ...gw.selector } },
        accessLogging: [{ providers: [{ name: 'envoy' }] }],
        metrics: [{ providers: [{ name: 'prometheus' }], overrides: [{ match: { metric: 'REQUEST_COUNT', mode: 'CLIENT_AND_SERVER' }, tagOverrides: { ward_login: { operation: 'UPSERT', value: loginTag(loginPaths) } } }] }],
      },
    });
    for (const ns of personalDataNamespaces(spec)) {
      new ApiObject(this, `access-logs-${ns}`, {
        apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry',
        metadata: { name: 'ward-access-logs', namespace: ns },
        spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] },
      });
    }
    new ApiObject(this, 'alerts', {
      apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule',
      metadata: { name: `ward-${spec.release}-alerts`, namespace: spec.namespace },
      spec: { groups: alertGroups(spec, props.owner) },
    });
  }
}
