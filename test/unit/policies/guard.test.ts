import { describe, expect, it } from 'vitest';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { exportableRules, guardObjects, managedNamespaces, selectRules } from '../../../policies/guard/generate.js';
import { rules } from '../../../policies/rules/index.js';

function spec(input: Record<string, unknown>): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

describe('ward guard generation', () => {
  const sr = spec({ preset: 'openg2p-social-registry', namespace: 'dev', release: 'sr' });

  it('writes one policy and one binding per exported rule and the two ownership policies, named by owner and rule', () => {
    const objects = guardObjects(sr);
    expect(objects).toHaveLength(2 * (exportableRules().length + 2));
    expect(objects.filter((o) => o.kind === 'ValidatingAdmissionPolicy').slice(-2).map((o) => o.metadata.name)).toEqual(['ward-guard.dev.sr.ward-guard-001', 'ward-guard.dev.sr.ward-guard-002']);
    expect(guardObjects(sr, { ownership: false })).toHaveLength(2 * exportableRules().length);
    expect(objects[0]?.kind).toBe('ValidatingAdmissionPolicy');
    expect(objects[1]?.kind).toBe('ValidatingAdmissionPolicyBinding');
    expect(objects[0]?.metadata.name).toBe('ward-guard.dev.sr.ward-pod-001');
    expect(objects[0]?.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'ward', 'ward.g2p.dev/owner': 'dev.sr' });
  });

  it.each([
    ['audit by default: Warn + Audit', {}, ['Warn', 'Audit']],
    ['guard: enforce: Deny + Audit', { guard: 'enforce' }, ['Deny', 'Audit']],
  ])('%s', (_name, extra, actions) => {
    const binding = guardObjects(spec({ namespace: 'dev', ...extra })).find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect((binding?.spec as { validationActions: string[] }).validationActions).toEqual(actions);
  });

  it('scopes bindings to the namespaces the RegistryDeployment manages', () => {
    expect(managedNamespaces(sr)).toEqual(['dev', 'esignet', 'keycloak']);
    const binding = guardObjects(sr).find((o) => o.kind === 'ValidatingAdmissionPolicyBinding');
    expect(binding?.spec).toMatchObject({ matchResources: { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['dev', 'esignet', 'keycloak'] }] } } });
  });

  it('puts the spec\'s gateway selector and root namespace into the CEL', () => {
    const s = spec({ namespace: 'dev', mesh: { rootNamespace: 'mesh-root', ingressGateway: { selector: { app: 'edge' } } } });
    const expr = (id: string): string => JSON.stringify(guardObjects(s).find((o) => o.metadata.name.endsWith(id.toLowerCase()))?.spec);
    expect(expr('WARD-NET-008')).toContain("object.spec.?selector[?'app'].orValue('') == 'edge'");
    expect(expr('WARD-MTLS-006')).toContain("object.metadata.namespace == 'mesh-root'");
  });

  it('refuses to export a rule without CEL or an unknown rule, naming each', () => {
    const r = selectRules(['WARD-NET-001', 'WARD-MTLS-006', 'WARD-NOPE-001']);
    expect(r.rules.map((x) => x.id)).toEqual(['WARD-MTLS-006']);
    expect(r.issues.map((i) => [i.code, i.ruleId])).toEqual([['no-cel', 'WARD-NET-001'], ['unknown-rule', 'WARD-NOPE-001']]);
    expect(r.issues[0]?.message).toMatch(/^WARD-NET-001 \(Namespace without default-deny ingress\) has no CEL \(docs\/guard.md/);
  });

  it('exports the single-object rules issue 15 lists; every exported message names what is wrong in one line', () => {
    const ids = exportableRules().map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(['WARD-POD-001', 'WARD-POD-004', 'WARD-SEC-001', 'WARD-MTLS-006', 'WARD-AUTHZ-002', 'WARD-NET-006', 'WARD-AUTHZ-006', 'WARD-NET-008']));
    for (const r of exportableRules()) expect(r.cel.message.length, r.id).toBeLessThan(140);
    expect([...rules.values()].filter((r) => r.cel).length).toBe(ids.length);
  });
});
