import { describe, expect, it } from 'vitest';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { buildFlowContext } from '../../../policies/flows/analyze.js';
import { OUTSIDE_TEXT, summarizeFlows, toSummary, type FlowSummary } from '../../../policies/flows/format/summary.js';
import { intentDiff } from '../../../policies/flows/intent.js';
import { analyzeInputs, withPlaceholders } from '../../../policies/flows/report.js';
import type { ObjectIndex } from '../../../policies/index/object-index.js';
import { indexOfScenario, indexOfYaml } from './helpers.js';

const workload = (ns: string, name: string, labels = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}${labels ? `, labels: {${labels}}` : ''}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers: [{name: main, image: "x/${name}:1", ports: [{containerPort: 8080}]}]
`;

const published = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: sr}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: sr}
spec:
  hosts: [web.example.org]
  gateways: [istio-system/public]
  http: [{route: [{destination: {host: web}}]}]
`;

/** Only `app` may reach `db` (ingress); everything else is open. */
const dbPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: sr}
spec:
  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: app}}}]}]
`;

/** Namespace sr: db (personal data), web (published), 28 more workloads; namespace ops: two workloads. */
function fixture(...extra: string[]): ObjectIndex {
  const sr = [workload('sr', 'db', 'ward.g2p.dev/personal-data: "true"'), workload('sr', 'web'), workload('sr', 'app'), ...Array.from({ length: 25 }, (_, i) => workload('sr', `w${String(i)}`))];
  return indexOfYaml([...sr, workload('ops', 'backup'), workload('ops', 'metrics'), published, ...extra].join('---\n'));
}

function summaryOf(index: ObjectIndex, spec?: RegistrySpec): FlowSummary {
  const inputs = withPlaceholders(index, spec);
  const ctx = buildFlowContext(inputs.index);
  const analysis = analyzeInputs(inputs, 'both', ctx);
  return summarizeFlows(ctx, analysis, inputs.spec ? intentDiff(inputs.spec, analysis) : undefined);
}

describe('ward flows --format summary', () => {
  it('collapses the sources of an open destination per namespace ("all 27 other workloads in namespace sr")', () => {
    const s = summaryOf(fixture());
    const db = s.destinations.find((d) => d.id === 'sr/db[Deployment]');
    expect(db).toMatchObject({ personalData: true, ports: 'All Connections' });
    expect(db?.from).toEqual([OUTSIDE_TEXT, 'all 2 workloads in namespace ops', 'all 27 other workloads in namespace sr']);
  });

  it('lists the personal-data holders first, then the published ones, with how they are published', () => {
    const s = summaryOf(fixture());
    expect(s.destinations.map((d) => d.id).slice(0, 2)).toEqual(['sr/db[Deployment]', 'sr/web[Deployment]']);
    expect(s.destinations[1]?.published).toEqual(['VirtualService sr/web via gateway istio-system/public (hosts web.example.org)']);
  });

  it('names the few sources a NetworkPolicy leaves', () => {
    const db = summaryOf(fixture(dbPolicy)).destinations.find((d) => d.id === 'sr/db[Deployment]');
    expect(db?.from).toEqual(['1 other workload in namespace sr: app']);
    expect(db?.ports).toBe('All Connections');
  });

  it('prints destinations reached the same way once, together, and says when there is no spec', () => {
    const text = toSummary(summaryOf(fixture()));
    expect(text.split('\n')[0]).toBe('Who reaches what (NetworkPolicy and Istio): 30 of 30 workloads hold personal data or are exposed (1 with personal data)');
    expect(text).toContain('\nsr/db[Deployment]  All Connections  holds personal data\n  reached by: 0.0.0.0/0 (anywhere outside the cluster); all 2 workloads in namespace ops; all 27 other workloads in namespace sr\n');
    expect(text).toMatch(/\n26 destinations reached the same way:\n {2}All Connections: sr\/app\[Deployment\], sr\/w0\[Deployment\], [^\n]*\n {2}reached by: 0\.0\.0\.0\/0 \(anywhere outside the cluster\); all 2 workloads in namespace ops; all 27 other workloads in namespace sr\n/);
    expect(text).toContain('no spec to compare with');
    expect(text.split('\n').length).toBeLessThan(25);
  });

  it('with a spec, gives the undeclared flows with the policy that lets each through', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev' });
    if (!r.ok) throw new Error('preset spec invalid');
    const s = summaryOf(indexOfScenario('25-openg2p-defaults'), r.spec);
    expect(s.undeclared?.length).toBeGreaterThan(0);
    for (const u of s.undeclared ?? []) expect(u.cause).toMatch(/^(TCP|UDP|SCTP) \d+: .*(no NetworkPolicy isolates it|allowed by)/);
    // One entry per destination, however many sources reach it.
    const to = (s.undeclared ?? []).map((u) => u.to);
    expect(new Set(to).size).toBe(to.length);
    const pg = s.undeclared?.find((u) => u.to === 'dev/openg2p-postgresql[StatefulSet]');
    expect(pg?.cause).toContain('TCP 5432: source outside the cluster: no egress policy applies; ingress of the destination: allowed by NetworkPolicy dev/openg2p-postgresql ingress rule #1');
    expect(pg?.from[0]).toBe(OUTSIDE_TEXT);
    const text = toSummary(s);
    expect(text).toMatch(/\nUndeclared flows \(allowed, not declared\): \d+ connections, by destination:\n/);
    expect(text).toMatch(/\nBlocked flows \(declared, denied\)/);
  });
});
