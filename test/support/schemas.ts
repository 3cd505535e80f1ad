/**
 * Validation of objects against the schemas the API server would use: Istio CRDs' openAPIV3Schema
 * (charts-src/imports/crds/istio.yaml first, then any further CRD files given) and the Kubernetes
 * 1.34 swagger definitions (charts-src/imports/k8s-definitions.json). Unknown fields fail
 * (`additionalProperties: false` wherever the schema lists properties and does not preserve unknown
 * fields), as the API server's strict field validation would reject or prune them. CEL rules in
 * x-kubernetes-validations are not evaluated (the integration tests apply to a real server).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../charts-src/kube.js';

type Schema = Record<string, unknown>;
const IMPORTS = new URL('../../charts-src/imports/', import.meta.url);

const X_KEYWORDS = [
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-validations', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type', 'x-kubernetes-embedded-resource', 'x-kubernetes-group-version-kind', 'x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key', 'x-kubernetes-unions',
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

/** Adds a validator per CRD version in `text`, keyed by "group/version Kind"; the first file to define a key wins. */
function addCrds(ajv: Ajv, validators: Map<string, ValidateFunction>, text: string): void {
  for (const doc of parseAllDocuments(text)) {
    const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema: Schema } }[] } };
    if (crd.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    for (const v of crd.spec.versions) {
      const key = `${crd.spec.group}/${v.name} ${crd.spec.names.kind}`;
      if (!v.schema || validators.has(key)) continue;
      const schema = strictify(v.schema.openAPIV3Schema) as Schema;
      schema.properties = { ...META, ...(schema.properties as Schema) };
      validators.set(key, ajv.compile(schema));
    }
  }
}

/** Adds a validator per Kubernetes kind in k8s-definitions.json, keyed by "apiVersion Kind". */
function addK8sDefinitions(ajv: Ajv, validators: Map<string, ValidateFunction>): void {
  const { definitions } = JSON.parse(readFileSync(new URL('k8s-definitions.json', IMPORTS), 'utf8')) as { definitions: Record<string, Schema> };
  ajv.addSchema({ $id: 'k8s', definitions: strictify(definitions) as Record<string, Schema> });
  for (const [name, def] of Object.entries(definitions)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
      validators.set(`${gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`} ${gvk.kind}`, ajv.compile({ $ref: `k8s#/definitions/${name}` }));
    }
  }
}

/** A validator returning the schema errors of an object (empty when valid); `extraCrds` are CRD files' text. */
export function schemaValidator(extraCrds: readonly string[] = []): (o: KubeObject) => string[] {
  const ajv = newAjv();
  const validators = new Map<string, ValidateFunction>();
  addCrds(ajv, validators, readFileSync(new URL('crds/istio.yaml', IMPORTS), 'utf8'));
  for (const text of extraCrds) addCrds(ajv, validators, text);
  addK8sDefinitions(ajv, validators);
  return (o) => {
    const v = validators.get(`${o.apiVersion} ${o.kind}`);
    if (!v) return [`no schema for ${o.apiVersion} ${o.kind}`];
    return v(o) ? [] : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
  };
}
