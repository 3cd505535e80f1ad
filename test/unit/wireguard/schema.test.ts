import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../charts-src/kube.js';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { wgSpec } from './fixtures.js';

/**
 * Every object of the WireGuard gateway validates against the schema the API server would use:
 * Kubernetes 1.34 definitions (charts-src/imports/k8s-definitions.json), the Istio CRDs ward imports
 * (AuthorizationPolicy), and for Gateway/VirtualService the full Istio CRD file in shared/crds.
 * Unknown fields fail, as strict field validation would reject them.
 */
type Schema = Record<string, unknown>;
const imports = new URL('../../../charts-src/imports/', import.meta.url);
const SHARED_ISTIO = new URL('../../../../shared/crds/istio/customresourcedefinitions.gen.yaml', import.meta.url);
const X_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type', 'x-kubernetes-embedded-resource', 'x-kubernetes-group-version-kind', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-unions',
];

function strictify(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictify);
  if (node === null || typeof node !== 'object') return node;
  const s: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'enum' || k === 'required' || k === 'example' ? v : strictify(v)]));
  if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') {
    delete s.type;
    delete s.format;
    s.anyOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (s.properties !== undefined && s.additionalProperties === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) s.additionalProperties = false;
  return s;
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
(ajvFormats as unknown as typeof ajvFormats.default)(ajv);
ajv.addFormat('int32', true).addFormat('int64', true).addFormat('double', true).addFormat('byte', true).addFormat('date-time', true);
ajv.addVocabulary(X_KEYWORDS);

const validators = new Map<string, ValidateFunction>();
function addCrds(text: string): void {
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema: Schema } }[] } };
    if (crd.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    for (const v of crd.spec.versions) {
      const key = `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`;
      if (!v.schema || validators.has(key)) continue;
      const schema = strictify(v.schema.openAPIV3Schema) as Schema;
      schema.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(schema.properties as Schema) };
      validators.set(key, ajv.compile(schema));
    }
  }
}
addCrds(readFileSync(new URL('crds/istio.yaml', imports), 'utf8'));
const sharedIstio = existsSync(SHARED_ISTIO);
if (sharedIstio) addCrds(readFileSync(SHARED_ISTIO, 'utf8'));
const { definitions } = JSON.parse(readFileSync(new URL('k8s-definitions.json', imports), 'utf8')) as { definitions: Record<string, Schema> };
ajv.addSchema({ $id: 'k8s', definitions: strictify(definitions) as Record<string, Schema> });
for (const [name, def] of Object.entries(definitions)) {
  for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
    validators.set(`${gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`} ${gvk.kind}`, ajv.compile({ $ref: `k8s#/definitions/${name}` }));
  }
}

function validate(o: KubeObject): string[] {
  const v = validators.get(`${o.apiVersion} ${o.kind}`);
  if (!v) return [`no schema for ${o.apiVersion} ${o.kind}`];
  return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function objects(overrides: Record<string, unknown>): KubeObject[] {
  const r = parseRegistrySpec(wgSpec(overrides));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const wgNamespaces = new Set(['ward-vpn', 'istio-system']);
  return synthesize(r.spec).filter((o) => wgNamespaces.has(o.metadata.namespace ?? o.metadata.name) || o.metadata.name.startsWith('admin-'));
}

const cases: [string, Record<string, unknown>][] = [
  ['the default gateway', {}],
  ['a NodePort gateway with source ranges and HTTPS', { service: { type: 'NodePort', nodePort: 31820 }, sourceRanges: ['198.51.100.0/24'], adminGateway: { address: '10.96.20.10/32', ports: [{ port: 443, targetPort: 8443, credentialName: 'admin-tls' }] } }],
];

describe.each(cases)('every WireGuard object of %s validates against its schema', (_name, overrides) => {
  const all = objects(overrides);
  const checkable = all.filter((o) => sharedIstio || !['Gateway', 'VirtualService'].includes(o.kind));
  it.each(checkable.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const))('%s', (_id, o) => {
    expect(validate(o)).toEqual([]);
  });
});
