/**
 * ward guard on the real API server: the policies `ward guard` writes for a RegistryDeployment with
 * `guard: enforce` refuse weakening changes in its namespace, and with the default (audit) let them
 * in with a Warning naming the rule id. ward's own synthesised output passes its own guard; a waiver
 * with a reason lets an object in; namespaces outside the RegistryDeployment are not judged.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { guardObjects } from '../../policies/guard/generate.js';
import { applyClusterObjects, createVerdict, deleteClusterObjects, ruleIdsIn, type Verdict } from './guard-support.js';
import { adminKubeConfig, describeCluster, freshNamespace } from './helpers.js';

const PERMISSIVE: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default' }, spec: { mtls: { mode: 'PERMISSIVE' } } };
const ALLOW_ALL: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all' }, spec: { podSelector: {}, ingress: [{}] } };

function specFor(namespace: string, guard?: 'enforce'): RegistrySpec {
  const parsed = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace, release: 'sr', ...(guard ? { guard } : {}) });
  if (!parsed.ok) throw new Error(`spec for ${namespace} is invalid`);
  return parsed.spec;
}

describeCluster('ward guard: weakening changes refused (enforce) or warned (audit) at the API server', () => {
  let enforced = '';
  let audited = '';
  let outside = '';
  let policies: KubeObject[] = [];
  const verdict = async (obj: KubeObject, ns: string): Promise<Verdict> => createVerdict(adminKubeConfig(), obj, ns);

  beforeAll(async () => {
    [enforced, audited, outside] = [await freshNamespace('ward-enforce-'), await freshNamespace('ward-audit-'), await freshNamespace('ward-outside-')];
    // The ownership guard has its own suite (guard-ownership.test.ts): here admin is any user.
    policies = [...guardObjects(specFor(enforced, 'enforce'), { ownership: false }), ...guardObjects(specFor(audited), { ownership: false })];
    await applyClusterObjects(adminKubeConfig(), policies);
    // Bounded wait until the API server's informer has the policies (a readiness wait, not an assertion).
    const ready = async (): Promise<boolean> => (await verdict(PERMISSIVE, enforced)).status === 422 && (await verdict(ALLOW_ALL, enforced)).status === 422
      && ruleIdsIn(await verdict(PERMISSIVE, audited)).length > 0 && ruleIdsIn(await verdict(ALLOW_ALL, audited)).length > 0;
    for (let i = 0; i < 100 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 200));
  });

  afterAll(async () => {
    if (policies.length) await deleteClusterObjects(adminKubeConfig(), policies);
  });

  it('refuses a PERMISSIVE PeerAuthentication under enforce, naming WARD-MTLS-006', async () => {
    const v = await verdict(PERMISSIVE, enforced);
    expect(v.status).toBe(422);
    expect(v.message).toContain(`WARD-MTLS-006: PeerAuthentication ${enforced}/default: the PeerAuthentication sets an mTLS mode weaker than STRICT`);
    expect(v.message).toContain(`ValidatingAdmissionPolicy 'ward-guard.${enforced}.sr.ward-mtls-006' with binding 'ward-guard.${enforced}.sr.ward-mtls-006' denied request`);
  });

  it('refuses an allow-all NetworkPolicy under enforce, naming WARD-NET-006', async () => {
    const v = await verdict(ALLOW_ALL, enforced);
    expect(v.status).toBe(422);
    expect(v.message).toContain(`WARD-NET-006: NetworkPolicy ${enforced}/allow-all: a NetworkPolicy rule allows everything`);
  });

  it('lets both in under audit with a Warning naming the rule id', async () => {
    const pa = await verdict(PERMISSIVE, audited);
    const np = await verdict(ALLOW_ALL, audited);
    expect([pa.status, np.status]).toEqual([201, 201]);
    expect(ruleIdsIn(pa)).toEqual(['WARD-MTLS-006']);
    expect(ruleIdsIn(np)).toEqual(['WARD-NET-006']);
    expect(pa.warnings[0]).toContain(`WARD-MTLS-006: PeerAuthentication ${audited}/default`);
  });

  it('changing a stored STRICT PeerAuthentication to PERMISSIVE is refused too (UPDATE)', async () => {
    const strict = { ...PERMISSIVE, metadata: { name: 'strict' }, spec: { mtls: { mode: 'STRICT' } } };
    expect((await createVerdict(adminKubeConfig(), strict, enforced, true)).status).toBe(201);
    const { sendRequest } = await import('../../operator/kube/rest.js');
    const path = `/apis/security.istio.io/v1/namespaces/${enforced}/peerauthentications/strict`;
    const res = await sendRequest(adminKubeConfig(), 'PATCH', path, JSON.stringify({ spec: { mtls: { mode: 'PERMISSIVE' } } }), { contentType: 'application/merge-patch+json' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('WARD-MTLS-006');
  });

  it('admits the object with a waiver that gives a reason, and refuses one whose waiver has none', async () => {
    const waived = (value: string): KubeObject => ({ ...PERMISSIVE, metadata: { name: 'legacy', annotations: { 'ward.g2p.dev/waive': value } } });
    expect((await verdict(waived('WARD-MTLS-006: the SMS gateway speaks plaintext; expires=2026-12-31; owner=ops'), enforced)).status).toBe(201);
    expect((await verdict(waived('WARD-MTLS-006: ; owner=ops'), enforced)).status).toBe(422);
    expect((await verdict(waived('WARD-MTLS-001: another rule'), enforced)).status).toBe(422);
  });

  it('does not judge a namespace the RegistryDeployment does not manage', async () => {
    const v = await verdict(PERMISSIVE, outside);
    expect(v).toEqual({ status: 201, message: '', warnings: [] });
  });

  it("admits ward's own synthesised output for the namespace under enforce, with no warning", async () => {
    const own = synthesize(specFor(enforced, 'enforce')).filter((o) => o.metadata.namespace === enforced && o.kind !== 'Namespace');
    expect(own.length).toBeGreaterThan(5);
    const verdicts = await Promise.all(own.map(async (o) => ({ object: `${o.kind}/${o.metadata.name}`, ...(await verdict(o, enforced)) })));
    expect(verdicts.filter((v) => v.status !== 201 || ruleIdsIn(v).length > 0)).toEqual([]);
  });
});
