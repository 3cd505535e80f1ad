/**
 * Parity of ward guard's CEL and ward check's TypeScript, judged by the real API server: with Warn
 * bindings on a fresh namespace, every object is created (dry run) and the rule ids of the Warning
 * headers must equal the exported rules `ward check` finds on the same object (the findings the
 * rule's CEL `covers`, unsuppressed by a waiver). On each rule's fixture table and on generated
 * objects (fast-check).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { API_VERSION, KIND, type KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../../charts-src/model/index.js';
import { runCheck } from '../../policies/engine.js';
import { exportableRules, guardObjects, type ExportableRule } from '../../policies/guard/generate.js';
import type { Rule } from '../../policies/types.js';
import { FIXTURES, SPEC_GATEWAY, authorizationPolicyArb, gatewayArb, networkPolicyArb, peerAuthenticationArb, serviceArb, workloadArb } from './guard-fixtures.js';
import { applyClusterObjects, createVerdict, deleteClusterObjects, ruleIdsIn } from './guard-support.js';
import { adminKubeConfig, describeCluster, freshNamespace } from './helpers.js';

const NOW = new Date('2026-06-01T00:00:00Z');
const exported: readonly ExportableRule[] = exportableRules();
const registry: ReadonlyMap<string, Rule> = new Map(exported.map((r) => [r.id, r]));

describeCluster('ward guard: CEL verdicts of the API server equal ward check', () => {
  let ns = '';
  let spec: RegistrySpec;
  let policies: KubeObject[] = [];
  let rd: KubeObject;

  /** The exported rules ward check finds on `obj` (alone in its namespace, with the RegistryDeployment). */
  function checkVerdict(obj: KubeObject): string[] {
    const placed = { ...obj, metadata: { ...obj.metadata, namespace: ns } };
    const result = runCheck({ objects: [JSON.parse(JSON.stringify(placed)) as KubeObject, rd], now: NOW, rules: registry, cluster: false });
    const ids = result.findings.filter((f) => !f.suppressed && f.object.kind === obj.kind && f.object.name === obj.metadata.name)
      .filter((f) => registry.has(f.ruleId) && (registry.get(f.ruleId)?.cel?.covers?.(f) ?? true)).map((f) => f.ruleId);
    return [...new Set(ids)].sort();
  }

  async function serverVerdict(obj: KubeObject): Promise<string[]> {
    const v = await createVerdict(adminKubeConfig(), obj, ns);
    if (v.status !== 201) throw new Error(`the API server refused ${obj.kind} ${obj.metadata.name} (HTTP ${String(v.status)}): ${v.message}\n${JSON.stringify(obj)}`);
    // The API server's own warnings (e.g. overlapping ports) are no policy's; a policy's warning must name its rule.
    const unexpected = v.warnings.filter((w) => w.startsWith('Validation failed for ValidatingAdmissionPolicy') && !/WARD-[A-Z]+-\d{3}: /.test(w));
    if (unexpected.length) throw new Error(`warnings that are no rule's verdict (a CEL error?): ${unexpected.join(' | ')}`);
    return ruleIdsIn(v).filter((id) => registry.has(id));
  }

  beforeAll(async () => {
    ns = await freshNamespace('ward-parity-');
    const parsed = parseRegistrySpec({ namespace: ns, release: 'parity', mesh: { ingressGateway: { selector: SPEC_GATEWAY } } });
    if (!parsed.ok) throw new Error('parity spec is invalid');
    spec = parsed.spec;
    rd = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'parity', namespace: ns }, spec: spec };
    policies = guardObjects(spec, { owner: { namespace: ns, name: 'parity' }, ownership: false });
    await applyClusterObjects(adminKubeConfig(), policies);
    // Policies take effect once the API server's informer has them: wait (bounded) until each rule's
    // first finding fixture gets its verdict (a readiness wait, not an assertion).
    for (const rule of exported) {
      const probe = (FIXTURES[rule.id] ?? []).map(([, o]) => o).find((o) => checkVerdict(o).includes(rule.id));
      if (!probe) throw new Error(`${rule.id} has no fixture that ward check finds`);
      for (let i = 0; i < 100 && !(await serverVerdict(probe)).includes(rule.id); i++) await new Promise((r) => setTimeout(r, 200));
    }
  });

  afterAll(async () => {
    if (policies.length) await deleteClusterObjects(adminKubeConfig(), policies);
  });

  it('exports the rules issue 15 names, each with a fixture table', () => {
    expect(exported.map((r) => r.id)).toEqual(expect.arrayContaining(['WARD-POD-001', 'WARD-POD-004', 'WARD-SEC-001', 'WARD-MTLS-006', 'WARD-AUTHZ-002', 'WARD-NET-006', 'WARD-AUTHZ-006', 'WARD-NET-008']));
    expect(Object.keys(FIXTURES).sort()).toEqual(exported.map((r) => r.id).sort());
  });

  for (const rule of exported) {
    it(`${rule.id}: fixture table, each object judged alike, the rule both found and passed`, async () => {
      const cases = FIXTURES[rule.id] ?? [];
      const seen = { found: 0, passed: 0 };
      for (const [name, obj] of cases) {
        const expected = checkVerdict(obj);
        expect({ name, verdict: await serverVerdict(obj) }).toEqual({ name, verdict: expected });
        if (expected.includes(rule.id)) seen.found++;
        else seen.passed++;
      }
      expect(seen.found, `a fixture of ${rule.id} that ward check finds`).toBeGreaterThan(0);
      expect(seen.passed, `a fixture of ${rule.id} that ward check passes`).toBeGreaterThan(0);
    });
  }

  const podRules = exported.filter((r) => r.id.startsWith('WARD-POD-') || r.id === 'WARD-SEC-001').map((r) => r.id);
  const generated: readonly (readonly [string, fc.Arbitrary<KubeObject>, number, readonly string[]])[] = [
    ['workloads', workloadArb, 150, podRules], ['NetworkPolicies', networkPolicyArb, 60, ['WARD-NET-006']],
    ['PeerAuthentications', peerAuthenticationArb, 50, ['WARD-MTLS-006']], ['AuthorizationPolicies', authorizationPolicyArb, 50, ['WARD-AUTHZ-002']],
    ['Gateways', gatewayArb, 40, ['WARD-AUTHZ-006']], ['Services', serviceArb, 30, ['WARD-NET-008']],
  ];
  for (const [what, arb, numRuns, reached] of generated) {
    it(`generated ${what}: the API server's verdict equals ward check's (fast-check, ${String(numRuns)} runs), each rule both found and passed`, async () => {
      const found = new Map<string, number>();
      await fc.assert(fc.asyncProperty(arb, async (obj) => {
        const [server, check] = [await serverVerdict(obj), checkVerdict(obj)];
        for (const id of check) found.set(id, (found.get(id) ?? 0) + 1);
        expect(server).toEqual(check);
      }), { numRuns, seed: 15, endOnFailure: true });
      // The generators reach every branch: each rule is found on some objects and passed on others.
      for (const id of reached) expect({ id, found: (found.get(id) ?? 0) > 0, passed: (found.get(id) ?? 0) < numRuns }).toEqual({ id, found: true, passed: true });
    });
  }
});
