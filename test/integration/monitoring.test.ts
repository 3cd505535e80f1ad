/**
 * spec.monitoring with real tools: the synthesised PrometheusRule passes `promtool check rules`, and
 * `promtool test rules` runs each alert on input series that fire it and series that must not
 * (other namespaces, other codes, rates below the threshold, too short). The Telemetry and
 * PrometheusRule objects are admitted (dry run) by the dev cluster with Istio's and
 * prometheus-operator's real CRDs. promtool comes from scripts/ci-promtool.sh.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { Alerts } from '../../charts-src/constructs/monitoring-alerts.js';
import type { KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { installCrds, readCrds } from '../../dev-cluster/crds.js';
import { REPO_ROOT } from '../../dev-cluster/binaries.js';
import { missingPrereq } from '../support/prereq.js';
import { createVerdict } from './guard-support.js';
import { adminKubeConfig, describeCluster, freshNamespace } from './helpers.js';

function findPromtool(): string | undefined {
  const cache = process.env.WARD_CACHE_DIR ?? join(process.env.HOME ?? '', '.cache', 'ward');
  const candidates = [join(cache, 'bin', 'promtool'), ...(process.env.PATH ?? '').split(':').map((d) => join(d, 'promtool'))];
  return candidates.find((p) => existsSync(p));
}

const promtool = findPromtool();
const skip = missingPrereq('promtool (bash scripts/ci-promtool.sh builds it into $WARD_CACHE_DIR/bin)', promtool !== undefined);

function spec(namespace: string) {
  const parsed = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace, release: 'sr', monitoring: { enabled: true } });
  if (!parsed.ok) throw new Error('invalid spec');
  return parsed.spec;
}

type Rules = { groups: { name: string; rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[] }[] };
const rulesOf = (objects: readonly KubeObject[]): Rules => objects.find((o) => o.kind === 'PrometheusRule')?.spec as Rules;

/** The annotations promtool should expand for `labels` (the rules use `{{ $labels.x }}` only). */
function expanded(rules: Rules, alert: string, labels: Record<string, string>): Record<string, string> {
  const r = rules.groups.flatMap((g) => g.rules).find((x) => x.alert === alert);
  if (!r) throw new Error(`no alert ${alert}`);
  return Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, v.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, l: string) => labels[l] ?? '')]));
}

const req = (labels: string): string => `istio_requests_total{${labels}}`;
const dst = (ns: string, wl: string, extra: string): string => req(`reporter="destination", destination_workload_namespace="${ns}", destination_workload="${wl}", ${extra}`);
const gw = (extra: string): string => req(`reporter="source", source_workload_namespace="istio-system", source_workload="istio-ingressgateway", ${extra}`);

interface Case { readonly alert: string; readonly series: readonly [string, string][]; readonly at: string; readonly fires: readonly Record<string, string>[] }

/** Per alert: input series (firing and not) and the alerts expected at `at`. 1-minute samples. */
const CASES: readonly Case[] = [
  { alert: Alerts.authorizationDenied, at: '10m', series: [
    [dst('dev', 'odoo', 'response_code="403"'), '0 0 0 0 0 0 0 0 2 2 2'],
    [dst('dev', 'odoo', 'response_code="200"'), '0+50x10'],
    [dst('monitoring', 'grafana', 'response_code="403"'), '0+5x10'],
  ], fires: [{ destination_workload_namespace: 'dev', destination_workload: 'odoo', severity: 'warning' }] },
  { alert: Alerts.authorizationDenied, at: '10m', series: [[dst('dev', 'odoo', 'response_code="403"'), '3x10']], fires: [] },
  { alert: Alerts.plaintextInStrict, at: '6m', series: [
    [dst('esignet', 'esignet', 'connection_security_policy="none", response_code="200"'), '0 0 0 0 1 2 3'],
    [dst('dev', 'odoo', 'connection_security_policy="mutual_tls", response_code="200"'), '0+10x6'],
  ], fires: [{ destination_workload_namespace: 'esignet', destination_workload: 'esignet', severity: 'critical' }] },
  { alert: Alerts.plaintextInStrict, at: '6m', series: [
    [`istio_tcp_connections_opened_total{reporter="destination", destination_workload_namespace="dev", destination_workload="postgresql", connection_security_policy="none"}`, '0 0 0 0 0 1 1'],
  ], fires: [{ destination_workload_namespace: 'dev', destination_workload: 'postgresql', severity: 'critical' }] },
  { alert: Alerts.blockedEgress, at: '5m', series: [
    [`istio_tcp_connections_opened_total{reporter="source", source_workload_namespace="dev", source_workload="odoo", destination_service_name="BlackHoleCluster"}`, '0 0 0 1 1 1'],
    [`istio_tcp_connections_opened_total{reporter="source", source_workload_namespace="dev", source_workload="odoo", destination_service_name="postgresql"}`, '0+9x5'],
  ], fires: [{ source_workload_namespace: 'dev', source_workload: 'odoo', severity: 'warning' }] },
  // 2 rejections per second for 10 minutes fire; 0.5 per second does not.
  { alert: Alerts.gatewayAuthFailures, at: '12m', series: [[gw('response_code="401"'), '0+120x12']], fires: [{ severity: 'warning' }] },
  { alert: Alerts.gatewayAuthFailures, at: '12m', series: [[gw('response_code="401"'), '0+30x12'], [gw('response_code="200"'), '0+6000x12']], fires: [] },
  // Failed logins: 0.5/s on /web/login fires after 2 minutes; the same rate elsewhere, or for 1 minute only, does not.
  { alert: Alerts.loginFailures, at: '8m', series: [[gw('ward_login="login", response_code="401"'), '0+30x8'], [gw('ward_login="other", response_code="401"'), '0+30x8']], fires: [{ severity: 'critical' }] },
  { alert: Alerts.loginFailures, at: '8m', series: [[gw('ward_login="other", response_code="403"'), '0+60x8']], fires: [] },
  { alert: Alerts.loginFailures, at: '6m', series: [[gw('ward_login="login", response_code="401"'), '0 0 0 0 0 30 60']], fires: [] },
  { alert: Alerts.rateLimited, at: '12m', series: [[gw('response_code="429"'), '0+300x12']], fires: [{ severity: 'warning' }] },
  { alert: Alerts.rateLimited, at: '12m', series: [[gw('response_code="429"'), '0+6x12']], fires: [] },
  { alert: Alerts.guardDenied, at: '10m', series: [
    ['apiserver_validating_admission_policy_check_total{policy="ward-guard.dev.sr.ward-mtls-006", policy_binding="ward-guard.dev.sr.ward-mtls-006", enforcement_action="deny", error_type="no_error"}', '0 0 0 0 0 1 1 1 1 1 1'],
    ['apiserver_validating_admission_policy_check_total{policy="ward-guard.devXsr.ward-net-006", policy_binding="x", enforcement_action="deny", error_type="no_error"}', '0+1x10'],
    ['apiserver_validating_admission_policy_check_total{policy="other-policy", policy_binding="other", enforcement_action="deny", error_type="no_error"}', '0+1x10'],
  ], fires: [{ policy: 'ward-guard.dev.sr.ward-mtls-006', severity: 'warning' }] },
  { alert: Alerts.driftRepaired, at: '10m', series: [['ward_drift_repairs_total{kind="NetworkPolicy"}', '0 0 0 0 0 0 0 1 1 1 1'], ['ward_drift_repairs_total{kind="PeerAuthentication"}', '4x10']],
    fires: [{ kind: 'NetworkPolicy', severity: 'warning' }] },
  { alert: Alerts.auditFailed, at: '30m', series: [
    ['ward_registrydeployment_condition{namespace="dev", name="sr", type="AuditPassed"}', '1x10 0x20'],
    ['ward_registrydeployment_condition{namespace="dev", name="sr", type="SecretsValid"}', '0x30'],
    ['ward_registrydeployment_condition{namespace="other", name="sr", type="AuditPassed"}', '0x30'],
  ], fires: [{ namespace: 'dev', name: 'sr', severity: 'critical' }] },
  { alert: Alerts.auditFailed, at: '30m', series: [['ward_registrydeployment_condition{namespace="dev", name="sr", type="AuditPassed"}', '1x20 0x10']], fires: [] },
  { alert: Alerts.keyManagerUnreachable, at: '30m', series: [['ward_registrydeployment_condition{namespace="dev", name="sr", type="KeyManagerReachable"}', '1x15 0x15']], fires: [{ namespace: 'dev', name: 'sr', severity: 'critical' }] },
  { alert: Alerts.keyManagerUnreachable, at: '30m', series: [['ward_registrydeployment_condition{namespace="dev", name="sr", type="KeyManagerReachable"}', '0x25 1x5']], fires: [] },
  { alert: Alerts.operatorErrors, at: '30m', series: [['controller_runtime_reconcile_errors_total{controller="registrydeployment"}', '0+1x30']], fires: [{ severity: 'warning' }] },
  { alert: Alerts.operatorErrors, at: '30m', series: [['controller_runtime_reconcile_errors_total{controller="registrydeployment"}', '0+1x5 5x25']], fires: [] },
];

function promtoolTests(rules: Rules): unknown {
  return {
    rule_files: ['rules.yaml'], evaluation_interval: '1m',
    tests: CASES.map((c) => ({
      interval: '1m',
      input_series: c.series.map(([series, values]) => ({ series, values })),
      alert_rule_test: [{ eval_time: c.at, alertname: c.alert, exp_alerts: c.fires.map((labels) => ({ exp_labels: labels, exp_annotations: expanded(rules, c.alert, labels) })) }],
    })),
  };
}

const run = (args: string[], cwd: string): { status: number | null; out: string } => {
  const r = spawnSync(promtool ?? 'promtool', args, { cwd, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

(skip === undefined ? describeCluster : describe.skip)('spec.monitoring: alerts tested by promtool, objects admitted by the real CRDs', () => {
  const objects = synthesize(spec('dev'));
  const rules = rulesOf(objects);
  const dir = mkdtempSync(join(tmpdir(), 'ward-promtool-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify(rules));
  writeFileSync(join(dir, 'tests.yaml'), stringify(promtoolTests(rules)));

  it('promtool check rules accepts every group', () => {
    const r = run(['check', 'rules', 'rules.yaml'], dir);
    expect(r.out).toContain(`SUCCESS: ${String(Object.keys(Alerts).length)} rules found`);
    expect(r.status).toBe(0);
  });

  it('promtool test rules: each alert fires on its series and stays silent on the others', () => {
    const r = run(['test', 'rules', 'tests.yaml'], dir);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
    // exp_alerts is exact: the series of another namespace, code or destination in a firing case must not fire.
    for (const alert of Object.values(Alerts)) expect(CASES.some((c) => c.alert === alert && c.fires.length > 0), `${alert} has a firing case`).toBe(true);
  });

  it('promtool test rules fails when an expectation is wrong (the test can fail)', () => {
    const wrong = promtoolTests(rules) as { tests: { alert_rule_test: { exp_alerts: unknown[] }[] }[] };
    const first = wrong.tests[0]?.alert_rule_test[0];
    if (first) first.exp_alerts = [];
    writeFileSync(join(dir, 'wrong.yaml'), stringify(wrong));
    expect(run(['test', 'rules', 'wrong.yaml'], dir).status).toBe(1);
  });

  describeCluster('on the dev cluster', () => {
    let ns = '';
    beforeAll(async () => {
      await installCrds(adminKubeConfig(), await readCrds(join(REPO_ROOT, 'dev-cluster', 'crds', 'prometheus-operator.yaml')));
      ns = await freshNamespace('ward-monitoring-');
    });

    it('admits the PrometheusRule and the Telemetry objects (Istio and prometheus-operator CRDs)', async () => {
      const mine = synthesize(spec(ns)).filter((o) => o.kind === 'PrometheusRule' || o.kind === 'Telemetry');
      expect(mine.map((o) => o.kind).sort()).toEqual(['PrometheusRule', 'Telemetry', 'Telemetry']);
      for (const o of mine) {
        const target = o.metadata.namespace === ns ? ns : await freshNamespace('ward-gw-');
        const v = await createVerdict(adminKubeConfig(), o, target);
        expect({ kind: o.kind, status: v.status, message: v.message }).toEqual({ kind: o.kind, status: 201, message: '' });
      }
    });

    it('the API server refuses a PrometheusRule the CRD schema rejects (the check is real)', async () => {
      const bad: KubeObject = { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'bad' }, spec: { groups: [{ name: 'g', rules: [{ alert: 'A' }] }] } };
      expect((await createVerdict(adminKubeConfig(), bad, ns)).status).toBe(422);
    });
  });
});

