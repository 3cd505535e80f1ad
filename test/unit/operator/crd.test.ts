import { describe, expect, it } from 'vitest';
import { CRD_NAME, MESH_RULES, registryDeploymentCrd, SPEC_RULES, specSchema, toStructural } from '../../../operator/crd.js';

type Json = Record<string, unknown>;

/** Every schema node under `node`, with its path. */
function walk(node: Json, path: string, out: [string, Json][] = []): [string, Json][] {
  out.push([path, node]);
  for (const [k, v] of Object.entries((node.properties ?? {}) as Record<string, Json>)) walk(v, `${path}.${k}`, out);
  if (node.items) walk(node.items as Json, `${path}[]`, out);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties as Json, `${path}{}`, out);
  return out;
}

const crd = registryDeploymentCrd() as unknown as { spec: { names: Json; versions: Json[] } };
const version = crd.spec.versions[0] as { schema: { openAPIV3Schema: Json }; subresources: Json; additionalPrinterColumns: { name: string; jsonPath: string }[] };

describe('the RegistryDeployment CRD', () => {
  it('names the API as DESIGN.md fixes it', () => {
    expect(registryDeploymentCrd().metadata.name).toBe(CRD_NAME);
    expect(crd.spec.names).toEqual({ kind: 'RegistryDeployment', listKind: 'RegistryDeploymentList', plural: 'registrydeployments', singular: 'registrydeployment', shortNames: ['rd'], categories: ['ward'] });
    expect(version.subresources).toEqual({ status: {} });
  });

  it('describes every field of the spec (they feed kubectl explain)', () => {
    const isScalarEntry = (path: string, n: Json): boolean => /(\[\]|\{\})$/.test(path) && n.type !== 'object';
    const missing = walk(specSchema(), 'spec').filter(([p, n]) => !isScalarEntry(p, n) && (typeof n.description !== 'string' || n.description === '')).map(([p]) => p);
    expect(missing).toEqual([]);
  });

  it('is structural: no anyOf/oneOf/$ref/const/additionalProperties:false, every array and string bounded', () => {
    for (const [path, node] of walk(specSchema(), 'spec')) {
      for (const k of ['anyOf', 'oneOf', 'allOf', '$ref', 'const', '$schema', 'propertyNames']) expect(node[k], `${path}.${k}`).toBeUndefined();
      expect(node.additionalProperties === false, path).toBe(false);
      expect(typeof node.type, path).toBe('string');
      if (node.type === 'array') expect(node.maxItems, path).toBeTypeOf('number');
      if (node.type === 'string' && !node.enum) expect(node.maxLength, path).toBeTypeOf('number');
    }
  });

  it('leaves spec.namespace optional (it comes from metadata.namespace) and moves defaults into descriptions', () => {
    const spec = specSchema();
    expect(spec.required).toBeUndefined();
    const release = (spec.properties as Record<string, Json>).release;
    expect(release?.default).toBeUndefined();
    expect(release?.description).toBe('Helm release name of the stack (prefix of its object names). Default: "openg2p".');
  });

  it('carries the CEL rules on the spec, mesh, flow targets and WireGuard peers', () => {
    const spec = specSchema();
    const props = spec.properties as Record<string, Json>;
    expect(spec['x-kubernetes-validations']).toEqual(SPEC_RULES);
    expect(props.mesh?.['x-kubernetes-validations']).toEqual(MESH_RULES);
    const to = ((props.flows?.items as Json).properties as Record<string, Json>).to;
    expect(to?.['x-kubernetes-validations']).toEqual([{ rule: 'has(self.component) != has(self.cidr)', message: 'set exactly one of component or cidr', reason: 'FieldValueInvalid' }]);
    expect((props.wireguard?.['x-kubernetes-validations'] as { message: string }[])[0]?.message).toBe('WireGuard peer addresses must be unique');
    for (const r of SPEC_RULES) expect(r.rule.startsWith('has(self.preset) ||')).toBe(true);
  });

  it('keeps conditions a list-map keyed by type and prints Ready, mTLS, Flows, Secrets, KeyManager and Age', () => {
    const status = (version.schema.openAPIV3Schema.properties as Record<string, Json>).status as Json;
    const conditions = (status.properties as Record<string, Json>).conditions;
    expect(conditions?.['x-kubernetes-list-type']).toBe('map');
    expect(conditions?.['x-kubernetes-list-map-keys']).toEqual(['type']);
    expect(version.additionalPrinterColumns.map((c) => c.name)).toEqual(['Ready', 'mTLS', 'Flows', 'Secrets', 'KeyManager', 'Age', 'Reason']);
  });

  it('refuses to convert a schema that is not structural, naming the field', () => {
    expect(() => toStructural({ type: 'object', properties: { x: { anyOf: [{ type: 'string' }, { type: 'number' }] } } })).toThrow('schema at "x" uses anyOf: not structural; express it with a single type and a CEL rule');
  });
});
