import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { registrySpecSchema } from '../../../charts-src/model/index.js';

/** Every field of the spec carries a description: they become `kubectl explain` text of the CRD. */
type JsonSchema = { description?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema; anyOf?: JsonSchema[]; additionalProperties?: JsonSchema | boolean };

function undocumented(schema: JsonSchema, path: string): string[] {
  const out: string[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    const at = path === '' ? name : `${path}.${name}`;
    const options = field.anyOf ?? [field];
    if (field.description === undefined && options.every((o) => o.description === undefined)) out.push(at);
    for (const o of options) {
      out.push(...undocumented(o, at));
      if (o.items) out.push(...undocumented(o.items, `${at}[]`));
    }
  }
  return out;
}

describe('the RegistryDeployment spec schema', () => {
  const json = z.toJSONSchema(registrySpecSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

  it('describes every field', () => {
    expect(undocumented(json, '')).toEqual([]);
  });

  it('walks nested objects and lists (the check can fail)', () => {
    const probe = z.strictObject({ a: z.string().describe('documented'), b: z.array(z.strictObject({ c: z.number() })).describe('list') });
    expect(undocumented(z.toJSONSchema(probe, { io: 'input' }) as JsonSchema, '')).toEqual(['b[].c']);
  });

  it('covers the whole spec (sample of nested fields)', () => {
    const fields = (s: JsonSchema, p: string): string[] =>
      Object.entries(s.properties ?? {}).flatMap(([n, f]) => [`${p}${n}`, ...(f.anyOf ?? [f]).flatMap((o) => [...fields(o, `${p}${n}.`), ...(o.items ? fields(o.items, `${p}${n}[].`) : [])])]);
    expect(fields(json, '')).toEqual(expect.arrayContaining(['components[].exposure.hosts', 'flows[].to.cidr', 'mesh.ingressGateway.selector', 'keyManager.probe.caSecretRef.key', 'secrets[].keys[].maxAgeDays']));
  });

  it('has a description at the top', () => {
    expect(json.description).toBe('A registry stack holding personal data, hardened by ward.');
  });
});
