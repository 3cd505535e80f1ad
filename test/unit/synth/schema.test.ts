/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke at untyped documents (manifests) */
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../charts-src/kube.js';
import { formatIssues, parseRegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { wgSpec } from '../wireguard/fixtures.js';

/**
 * Every synthesised object validates against the schema the API server would use: Istio objects
 * against their CRD's openAPIV3Schema (charts-src/imports/crds/istio.yaml), core objects against the
 * Kubernetes 1.34 swagger definitions (charts-src/imports/k8s-definitions.json). Unknown fields fail
 * (`additionalProperties: false` wherever the schema lists properties and does not preserve unknown
 * fields), as the API server's strict field validation would reject or prune them. The CEL rules in
 * x-kubernetes-validations are not evaluated here (the integration tests apply to a real server).
 */
const root = new URL('../../../charts-src/imports/', import.meta.url);
type Schema = Record<string, unknown>;

const X_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-group-version-kind',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-unions',
];

/** Closes every object schema that lists properties (unknown fields fail) and makes int-or-string accept both. */
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

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
  // ajv-formats is CommonJS: its default import is the plugin function itself.
  (ajvFormats as unknown as typeof ajvFormats.default)(ajv);
  ajv.addFormat('int32', true).addFormat('int64', true).addFormat('double', true).addFormat('byte', true).addFormat('date-time', true);
  ajv.addVocabulary(X_KEYWORDS);
  return ajv;
}

const META = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } };

/** Validators for the Istio CRDs, keyed by "group/version Kind". */
function istioValidators(ajv: Ajv): Map<string, ValidateFunction> {
  const out = new Map<string, ValidateFunction>();
  for (const doc of parseAllDocuments(readFileSync(new URL('crds/istio.yaml', root), 'utf8'))) {
    const crd = doc.toJS() as { spec: { group: string; names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
    for (const v of crd.spec.versions) {
      const schema = strictify(v.schema.openAPIV3Schema) as Schema;
      schema.properties = { ...META, ...(schema.properties as Schema) };
      out.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, ajv.compile(schema));
    }
  }
  return out;
}

/** Validators for the Kubernetes kinds in k8s-definitions.json, keyed by "apiVersion Kind". */
function k8sValidators(ajv: Ajv): Map<string, ValidateFunction> {
  const { definitions } = JSON.parse(readFileSync(new URL('k8s-definitions.json', root), 'utf8')) as { definitions: Record<string, Schema> };
  const defs = strictify(definitions) as Record<string, Schema>;
  ajv.addSchema({ $id: 'k8s', definitions: defs });
  const out = new Map<string, ValidateFunction>();
  for (const [name, def] of Object.entries(definitions)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
      const apiVersion = gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`;
      out.set(`${apiVersion} ${gvk.kind}`, ajv.compile({ $ref: `k8s#/definitions/${name}` }));
    }
  }
  return out;
}

const ajv = newAjv();
const validators = new Map([...istioValidators(ajv), ...k8sValidators(ajv)]);

function validate(o: KubeObject): string[] {
  const v = validators.get(`${o.apiVersion} ${o.kind}`);
  if (!v) return [`no schema for ${o.apiVersion} ${o.kind}`];
  if (v(o)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function specFor(input: unknown) {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.spec;
}

const inputs: [string, unknown][] = [
  ['preset openg2p-social-registry', { preset: 'openg2p-social-registry', namespace: 'dev' }],
  ['preset openg2p-commons', { preset: 'openg2p-commons', namespace: 'dev' }],
  ['the bare example spec (UDP, external CIDRs)', parseAllDocuments(readFileSync(new URL('../../../examples/registry-spec.yaml', import.meta.url), 'utf8'))[0]!.toJS()],
  ['a spec with the WireGuard admin gateway', wgSpec()],
  [
    'a mesh-wide, PERMISSIVE spec',
    { preset: 'openg2p-commons', namespace: 'dev', mesh: { mtlsMode: 'PERMISSIVE', mtlsReason: 'migration window', meshWide: true } },
  ],
];

describe.each(inputs)('every object synthesised from %s validates against its schema', (_name, input) => {
  const objects = synthesize(specFor(input));
  it.each(objects.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const))('%s', (_id, o) => {
    expect(validate(o)).toEqual([]);
  });
});

describe('the schema validation itself', () => {
  const ns = synthesize(specFor({ preset: 'openg2p-social-registry', namespace: 'dev' }));
  const find = (kind: string, name: string): KubeObject => ns.find((o) => o.kind === kind && o.metadata.name === name)!;

  it('rejects an unknown field in an Istio object', () => {
    const pa = find('PeerAuthentication', 'default');
    expect(validate({ ...pa, spec: { mtls: { mode: 'STRICT', colour: 'blue' } } })).toEqual([`/spec/mtls must NOT have additional properties {"additionalProperty":"colour"}`]);
  });

  it('rejects a value outside an Istio enum', () => {
    const pa = find('PeerAuthentication', 'default');
    expect(validate({ ...pa, spec: { mtls: { mode: 'STRICTEST' } } })[0]).toMatch(/^\/spec\/mtls\/mode must be equal to one of the allowed values/);
  });

  it('rejects a NetworkPolicy port given as an object', () => {
    const np = find('NetworkPolicy', 'allow-dns');
    const bad = { ...np, spec: { ...(np as any).spec, egress: [{ ports: [{ port: { value: 53 }, protocol: 'UDP' }] }] } };
    expect(validate(bad).length).toBeGreaterThan(0);
  });

  it('rejects an unknown field in a core object', () => {
    const n = find('Namespace', 'dev');
    expect(validate({ ...n, spec: { finalizers: [], colour: 'blue' } })).toEqual([`/spec must NOT have additional properties {"additionalProperty":"colour"}`]);
  });
});
