import { describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type KubeObject } from '../../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { buildIndex, runCheck } from '../../../policies/engine.js';
import { editDistance, intentDiff, placeholdersFor, unmatchedComponents } from '../../../policies/flows/intent.js';
import { analyzeInputs, withPlaceholders } from '../../../policies/flows/report.js';
import { FLOW_COMPONENT_SELECTS_NOTHING, FLOW_DECLARED_BLOCKED, flowRules } from '../../../policies/rules/flow.js';

function specOf(input: Record<string, unknown>): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

const helm = (name: string): Record<string, string> => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': 'sr' });

function workload(kind: string, name: string, labels: Record<string, string>): KubeObject {
  const pod = { metadata: { labels }, spec: { serviceAccountName: name, containers: [{ name: 'main', image: 'example/main:1' }] } };
  return kind === 'Pod'
    ? { apiVersion: 'v1', kind, metadata: { name, namespace: 'sr', labels }, spec: pod.spec }
    : { apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'sr' }, spec: { selector: { matchLabels: labels }, template: pod } };
}

/**
 * Shaped like the OpenG2P Social Registry 1.3.1 render (helm template sr -n sr): the SoftHSM
 * subchart labels its pods app.kubernetes.io/name=keymanager-softhsm (chart keymanager/charts/softhsm),
 * its helm test Pod carries the same labels, and sr-mail's pods carry no instance label.
 */
const CHART: readonly KubeObject[] = [
  workload('Deployment', 'sr-keymanager', helm('keymanager')),
  workload('Deployment', 'sr-keymanager-softhsm', helm('keymanager-softhsm')),
  workload('Pod', 'sr-keymanager-softhsm-test-connection', helm('keymanager-softhsm')),
  workload('Deployment', 'sr-minio', helm('minio')),
  workload('Deployment', 'sr-mail', { 'app.kubernetes.io/name': 'sr-mail' }),
];

const component = (name: string, selector: Record<string, string>, port: number, extra: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ name, selector, serviceAccount: `sr-${name}`, ports: [{ name: 'tcp', port }], ...extra });

const INPUT = {
  release: 'sr',
  namespace: 'sr',
  components: [
    component('keymanager', helm('keymanager'), 8088),
    component('softhsm', helm('softhsm'), 5666),
    component('keycloak', { app: 'keycloak' }, 8080, { namespace: 'keycloak' }),
  ],
  flows: [
    { from: 'keymanager', to: { component: 'softhsm' }, ports: [{ port: 5666 }] },
    { from: 'keymanager', to: { component: 'keycloak' }, ports: [{ port: 8080 }] },
    { from: 'softhsm', to: { cidr: '203.0.113.0/24' }, ports: [{ port: 443 }] },
  ],
};
const SPEC = specOf(INPUT);
const RD: KubeObject = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'sr', namespace: 'sr' }, spec: INPUT };
const OBJECTS = [...CHART, ...synthesize(SPEC)];
const NOW = new Date('2026-12-01T00:00:00Z');

const SOFTHSM_MESSAGE = 'Component softhsm of RegistryDeployment sr selects no workload (selector app.kubernetes.io/name=softhsm,app.kubernetes.io/instance=sr); '
  + 'workloads in sr: sr-keymanager[Deployment], sr-keymanager-softhsm[Deployment], sr-keymanager-softhsm-test-connection[Pod], sr-mail[Deployment], sr-minio[Deployment]; '
  + 'did you mean app.kubernetes.io/name=keymanager-softhsm,app.kubernetes.io/instance=sr (the pods of sr-keymanager-softhsm[Deployment])?';

describe('a component that selects no workload while its namespace holds workloads', () => {
  const findings = runCheck({ objects: [...OBJECTS, RD], now: NOW, rules: new Map(flowRules.map((r) => [r.id, r])) }).findings;

  it('is a high WARD-FLOW-004 finding on the RegistryDeployment that names the workloads and the closest label set', () => {
    const f = findings.filter((x) => x.ruleId === FLOW_COMPONENT_SELECTS_NOTHING);
    expect(f.map((x) => [x.severity, x.message])).toEqual([['high', SOFTHSM_MESSAGE]]);
    expect(f[0]?.object).toEqual({ kind: 'RegistryDeployment', namespace: 'sr', name: 'sr' });
    expect(f[0]?.remediation).toContain('closest label set');
  });

  it('gets no placeholder; only the component whose namespace has no workload does', () => {
    expect(placeholdersFor(SPEC, buildIndex({ objects: OBJECTS })).map((p) => `${p.metadata.namespace ?? ''}/${p.metadata.name}`)).toEqual(['keycloak/keycloak']);
  });

  it('has its declared flows blocked, the cidr flow too, and WARD-FLOW-002 says why', () => {
    expect(findings.filter((x) => x.ruleId === FLOW_DECLARED_BLOCKED).map((x) => x.message)).toEqual([
      'Declared flow keymanager → softhsm is blocked on TCP 5666 by the effective NetworkPolicy/Istio policy (RegistryDeployment sr); component softhsm selects no workload in the input (WARD-FLOW-004)',
      'Declared flow softhsm → 203.0.113.0/24 is blocked on TCP 443 by the effective NetworkPolicy/Istio policy (RegistryDeployment sr); component softhsm selects no workload in the input (WARD-FLOW-004)',
    ]);
  });

  it('makes ward flows --spec count the flow as blocked (not passed against a placeholder)', () => {
    const inputs = withPlaceholders(buildIndex({ objects: OBJECTS }), SPEC);
    const blocked = intentDiff(SPEC, analyzeInputs(inputs, 'both')).blockedFlows.map((b) => `${b.from} → ${b.to}`);
    expect(blocked).toEqual(['keymanager → softhsm', 'softhsm → 203.0.113.0/24']);
  });

  it('is silent once the selector matches the chart\'s labels', () => {
    const fixed = specOf({ ...INPUT, components: INPUT.components.map((c) => (c.name === 'softhsm' ? { ...c, selector: helm('keymanager-softhsm') } : c)) });
    expect(unmatchedComponents(fixed, buildIndex({ objects: OBJECTS }))).toEqual([]);
  });
});

describe('the closest label set', () => {
  const suggest = (selector: Record<string, string>): string | undefined => {
    const spec = specOf({ namespace: 'sr', components: [component('x', selector, 80)] });
    const s = unmatchedComponents(spec, buildIndex({ objects: CHART }))[0]?.suggestion;
    return s && `${Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(',')} (${s.workload.ref.name}[${s.workload.ref.kind}])`;
  };

  it.each([
    ['finds the chart\'s prefixed name and prefers the Deployment to the helm test Pod', helm('softhsm'), 'app.kubernetes.io/name=keymanager-softhsm,app.kubernetes.io/instance=sr (sr-keymanager-softhsm[Deployment])'],
    ['drops the release label most workloads carry when the closest pods lack it', helm('mail'), 'app.kubernetes.io/name=sr-mail (sr-mail[Deployment])'],
    ['maps a different key to the nearest one', { app: 'minio' }, 'app.kubernetes.io/name=minio (sr-minio[Deployment])'],
  ])('%s', (_name, selector, want) => {
    expect(suggest(selector)).toBe(want);
  });
});

describe('edit distance', () => {
  it.each([
    ['counts substitutions, insertions and deletions', 'kitten', 'sitting', false, 3],
    ['is zero for equal strings', 'softhsm', 'softhsm', false, 0],
    ['counts the whole prefix without infix', 'softhsm', 'keymanager-softhsm', false, 11],
    ['is zero to a containing string with infix', 'softhsm', 'keymanager-softhsm', true, 0],
    ['measures to the closest substring with infix', 'kafka', 'reporting-kafla', true, 1],
  ])('%s', (_name, a, b, infix, want) => {
    expect(editDistance(a, b, infix)).toBe(want);
  });
});
