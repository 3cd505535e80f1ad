import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { runCheck } from '../../../policies/engine.js';
import { defaultNamespaceOf, ObjectIndex, type NamespaceDefault } from '../../../policies/index/object-index.js';
import { parseText } from '../../../policies/load/parse.js';
import { analyzeInputs, withPlaceholders } from '../../../policies/flows/report.js';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { NOW } from './helpers.js';

const obj = (kind: string, name: string, namespace?: string): KubeObject =>
  ({ apiVersion: 'v1', kind, metadata: { name, ...(namespace !== undefined ? { namespace } : {}) } });

interface Case {
  readonly name: string;
  readonly objects: readonly KubeObject[];
  readonly given?: string;
  readonly want: Pick<NamespaceDefault, 'namespace' | 'source' | 'unnamed'> & { readonly notice?: NamespaceDefault['notice'] };
}

const cases: Case[] = [
  { name: 'nothing to say when every namespaced object names its namespace',
    objects: [obj('ConfigMap', 'a', 'sr'), obj('ConfigMap', 'b', 'kafka')],
    want: { namespace: 'default', source: 'fallback', unnamed: 0 } },
  { name: 'objects that name none take the one namespace the others name, with a notice',
    objects: [obj('ConfigMap', 'a', 'sr'), obj('Service', 'b', 'sr'), obj('ConfigMap', 'c'), obj('Namespace', 'other'), obj('ClusterRole', 'r')],
    want: { namespace: 'sr', source: 'inferred', unnamed: 1, notice: { level: 'notice', message: '1 object(s) name no namespace; every namespaced object that names one names sr, so they are taken to be in sr (--default-namespace NS says otherwise)' } } },
  { name: 'an empty namespace counts as none',
    objects: [obj('ConfigMap', 'a', 'sr'), obj('ConfigMap', 'b', '')],
    want: { namespace: 'sr', source: 'inferred', unnamed: 1, notice: { level: 'notice', message: '1 object(s) name no namespace; every namespaced object that names one names sr, so they are taken to be in sr (--default-namespace NS says otherwise)' } } },
  { name: 'objects that name none go to default with a warning that counts them when the others disagree',
    objects: [obj('ConfigMap', 'a', 'sr'), obj('ConfigMap', 'b', 'sr'), obj('ConfigMap', 'c', 'kafka'), obj('ConfigMap', 'd'), obj('ConfigMap', 'e')],
    want: { namespace: 'default', source: 'fallback', unnamed: 2, notice: { level: 'warning', message: '2 object(s) name no namespace and the others name 2 namespaces: kafka (1), sr (2); they are taken to be in default. Give --default-namespace NS (the -n of helm template) to place them' } } },
  { name: 'a given namespace wins over the inference, silently',
    objects: [obj('ConfigMap', 'a', 'sr'), obj('ConfigMap', 'b')],
    given: 'dev',
    want: { namespace: 'dev', source: 'given', unnamed: 1 } },
  { name: "ward's own objects in the gateway's namespace do not count: a chart render next to ward synth output still infers the release namespace",
    objects: [obj('ConfigMap', 'a', 'sr'), obj('ConfigMap', 'c'), { ...obj('AuthorizationPolicy', 'ward-admin-paths-sr-registry', 'istio-system'), metadata: { name: 'ward-admin-paths-sr-registry', namespace: 'istio-system', labels: { 'app.kubernetes.io/managed-by': 'ward' } } }],
    want: { namespace: 'sr', source: 'inferred', unnamed: 1, notice: { level: 'notice', message: '1 object(s) name no namespace; every namespaced object that names one names sr, so they are taken to be in sr (--default-namespace NS says otherwise)' } } },
  { name: 'objects go to default silently when none names a namespace (nothing to infer from)',
    objects: [obj('ConfigMap', 'a'), obj('Namespace', 'sr')],
    want: { namespace: 'default', source: 'fallback', unnamed: 1 } },
];

describe('the namespace of objects that name none', () => {
  it.each(cases)('$name', (c) => {
    const d = defaultNamespaceOf(c.objects, c.given);
    expect({ namespace: d.namespace, source: d.source, unnamed: d.unnamed, ...(d.notice ? { notice: d.notice } : {}) }).toEqual(c.want);
  });

  it('writes the namespace into the objects the index holds, and leaves the input objects alone', () => {
    const input = [obj('ConfigMap', 'a', 'sr'), obj('ConfigMap', 'b')];
    const index = ObjectIndex.fromObjects(input);
    expect(index.objects.map((o) => o.metadata.namespace)).toEqual(['sr', 'sr']);
    expect(input[1]?.metadata.namespace).toBeUndefined();
    expect(index.get('ConfigMap', 'sr', 'b')).toBe(index.objects[1]);
  });
});

/**
 * Shaped like `helm template sr <chart> -n sr` of the OpenG2P chart: the Bitnami PostgreSQL names
 * its namespace (`namespace: {{ .Release.Namespace }}`), the OpenG2P templates name none.
 */
const RENDER = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sr-postgresql, namespace: "sr"}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/name: postgresql, app.kubernetes.io/instance: sr}}
    spec: {containers: [{name: postgresql, image: "bitnami/postgresql:16"}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sr-keymanager-softhsm}
spec:
  template:
    metadata: {labels: {app.kubernetes.io/name: keymanager-softhsm, app.kubernetes.io/instance: sr}}
    spec: {containers: [{name: softhsm, image: "openg2p/softhsm:1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: sr-keymanager-softhsm}
spec:
  selector: {app.kubernetes.io/name: keymanager-softhsm, app.kubernetes.io/instance: sr}
  ports: [{port: 5666}]
`;

function check(defaultNamespace?: string): ReturnType<typeof runCheck> {
  const loaded = parseText(RENDER, 'render.yaml');
  return runCheck({ documents: loaded.documents, now: NOW, ...(defaultNamespace !== undefined ? { defaultNamespace } : {}) });
}

const inDefault = (r: ReturnType<typeof runCheck>): string[] =>
  r.findings.filter((f) => f.object.namespace === 'default' || (f.object.kind === 'Namespace' && f.object.name === 'default') || /\bdefault\/|[Nn]amespace default\b/.test(f.message)).map((f) => `${f.ruleId}: ${f.message}`);

describe('a helm template -n sr render whose OpenG2P templates name no namespace', () => {
  it('has no findings about a phantom default namespace', () => {
    const r = check();
    expect(inDefault(r)).toEqual([]);
    expect(r.findings.some((f) => f.object.namespace === 'sr' && f.object.name === 'sr-keymanager-softhsm')).toBe(true);
  });

  it('says once, as data, where the objects were placed', () => {
    expect(check().namespaceDefault.notice).toEqual({ level: 'notice', message: '2 object(s) name no namespace; every namespaced object that names one names sr, so they are taken to be in sr (--default-namespace NS says otherwise)' });
  });

  it('puts them in default when --default-namespace default says so (the check above can fail)', () => {
    expect(inDefault(check('default')).length).toBeGreaterThan(0);
    expect(check('default').namespaceDefault.notice).toBeUndefined();
  });

  it('keeps the given namespace in the flow engine\'s index rebuilt with placeholders (ward flows --spec)', () => {
    const loaded = parseText(RENDER, 'render.yaml');
    const index = ObjectIndex.fromDocuments(loaded.documents, { defaultNamespace: 'sr' });
    const spec = parseRegistrySpec({ namespace: 'sr', components: [{ name: 'keycloak', namespace: 'keycloak', selector: { app: 'keycloak' }, serviceAccount: 'keycloak', ports: [{ name: 'http', port: 8080 }] }] });
    if (!spec.ok) throw new Error('bad spec');
    const inputs = withPlaceholders(index, spec.spec);
    expect(inputs.placeholders).toBe(1);
    const namespaces = new Set(analyzeInputs(inputs, 'both').workloads.map((w) => w.namespace));
    expect([...namespaces].sort()).toEqual(['keycloak', 'sr']);
  });
});
