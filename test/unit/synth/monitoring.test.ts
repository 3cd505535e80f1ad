import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Alerts, alertGroups } from '../../../charts-src/constructs/monitoring-alerts.js';
import { loginTag, personalDataNamespaces } from '../../../charts-src/constructs/monitoring.js';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { runCheck } from '../../../policies/engine.js';

function spec(input: Record<string, unknown>): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

const sr = (monitoring?: Record<string, unknown>): RegistrySpec => spec({ preset: 'openg2p-social-registry', namespace: 'dev', release: 'sr', ...(monitoring ? { monitoring } : {}) });

describe('spec.monitoring', () => {
  it('adds nothing when absent or disabled', () => {
    for (const s of [sr(), sr({ enabled: false })]) expect(synthesize(s).filter((o) => ['Telemetry', 'PrometheusRule'].includes(o.kind))).toEqual([]);
  });

  it('emits the gateway Telemetry, access logs in each personal-data namespace and one PrometheusRule', () => {
    const s = sr({});
    const objects = synthesize(s).filter((o) => ['Telemetry', 'PrometheusRule'].includes(o.kind));
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort()).toEqual([
      'PrometheusRule dev/ward-sr-alerts',
      ...personalDataNamespaces(s).map((ns) => `Telemetry ${ns}/ward-access-logs`),
      'Telemetry istio-system/ward-dev-sr-gateway',
    ].sort());
    expect(personalDataNamespaces(s).length).toBeGreaterThan(0);
  });

  it('tags login paths on the gateway request metric with two values only', () => {
    expect(loginTag(['/web/login', '/auth/'])).toBe("(request.url_path.startsWith('/web/login') || request.url_path.startsWith('/auth/')) ? 'login' : 'other'");
    const r = parseRegistrySpec({ namespace: 'dev', monitoring: { loginPaths: ['login'] } });
    expect(r.ok ? [] : r.issues.map((i) => i.path.join('.'))).toEqual(['monitoring.loginPaths.0']);
  });

  it('still passes ward check with zero findings under the strict profile', () => {
    const result = runCheck({ objects: synthesize(sr({})), now: new Date('2026-06-01T00:00:00Z') });
    expect(result.findings.filter((f) => !f.suppressed)).toEqual([]);
  });

  it('every alert has a severity, a summary, a description and a runbook section in docs/monitoring.md', () => {
    const docs = readFileSync(new URL('../../../docs/monitoring.md', import.meta.url), 'utf8');
    const rules = alertGroups(sr({}), { namespace: 'dev', name: 'sr' }).flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual(Object.values(Alerts).sort());
    for (const r of rules) {
      expect(['critical', 'warning']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      expect(r.annotations.runbook_url).toBe(`docs/monitoring.md#${r.alert.toLowerCase()}`);
      expect(docs, r.alert).toContain(`### ${r.alert}\n`);
    }
  });

  it('scopes the mesh alerts to the namespaces of the stack and the guard alert to its own policies', () => {
    const rules = alertGroups(sr({}), { namespace: 'dev', name: 'sr' }).flatMap((g) => g.rules);
    expect(rules.find((r) => r.alert === Alerts.authorizationDenied)?.expr).toContain('destination_workload_namespace=~"dev|esignet|keycloak"');
    expect(rules.find((r) => r.alert === Alerts.guardDenied)?.expr).toContain('policy=~"ward-guard\\\\.dev\\\\.sr\\\\..*"');
  });
});

describe('vendored PrometheusRule CRD (dev-cluster/crds/prometheus-operator.yaml)', () => {
  it('is unchanged below its header: the sha256 it records matches (scripts/sync-prometheus-crd.sh --check compares with the module)', async () => {
    const { createHash } = await import('node:crypto');
    const text = readFileSync(new URL('../../../dev-cluster/crds/prometheus-operator.yaml', import.meta.url), 'utf8');
    const lines = text.split('\n');
    const headerEnd = lines.findIndex((l) => !l.startsWith('#'));
    const recorded = /sha256 of the content below this header: ([0-9a-f]{64})/.exec(text)?.[1];
    expect(createHash('sha256').update(lines.slice(headerEnd).join('\n')).digest('hex')).toBe(recorded);
    expect(text).toContain('kind: PrometheusRule');
  });
});
