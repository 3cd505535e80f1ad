/**
 * The ownership guard on the real API server: in a RegistryDeployment's namespaces only the
 * operator's service account may change what carries ward's owner label (WARD-GUARD-001), and no one
 * else may add a policy that widens access without it (WARD-GUARD-002). The "other user" is the
 * cluster admin (system:masters): admission policies bind everyone, RBAC super-users included.
 */
import { RbacAuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../../charts-src/model/index.js';
import { guardObjects } from '../../policies/guard/generate.js';
import { sendRequest } from '../../operator/kube/rest.js';
import { applyClusterObjects, createVerdict, deleteClusterObjects, ruleIdsIn } from './guard-support.js';
import { adminKubeConfig, describeCluster, freshNamespace, serviceAccountToken } from './helpers.js';

const OWNED_AP: KubeObject = {
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy',
  metadata: { name: 'allow-registry', labels: { 'app.kubernetes.io/managed-by': 'ward', 'ward.g2p.dev/owner': 'x.sr' } },
  spec: { selector: { matchLabels: { app: 'registry' } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }] },
};
const UNOWNED_ALLOW: KubeObject = {
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'let-me-in' },
  spec: { podSelector: { matchLabels: { app: 'postgresql' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'debug' } } }] }] },
};
const UNOWNED_DENY: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'extra-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };

function specFor(namespace: string, guard?: 'enforce'): RegistrySpec {
  const parsed = parseRegistrySpec({ namespace, release: 'sr', ...(guard ? { guard } : {}) });
  if (!parsed.ok) throw new Error('invalid spec');
  return parsed.spec;
}

/** A Role letting `sa` manage the policy kinds in `ns` (the operator's rights, narrowed to the test). */
async function grantPolicies(ns: string, sa: string): Promise<void> {
  const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'policies' }, rules: [
    { apiGroups: ['security.istio.io', 'networking.k8s.io'], resources: ['authorizationpolicies', 'peerauthentications', 'networkpolicies'], verbs: ['*'] }] } });
  await rbac.createNamespacedRoleBinding({ namespace: ns, body: { metadata: { name: 'policies' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'policies' },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] } });
}

describeCluster('ward guard: only the operator changes what ward owns', () => {
  let enforced = '';
  let audited = '';
  let operator: KubeConfig;
  let policies: KubeObject[] = [];

  beforeAll(async () => {
    [enforced, audited] = [await freshNamespace('ward-own-'), await freshNamespace('ward-own-audit-')];
    const identity = { namespace: enforced, serviceAccount: 'ward-operator' };
    policies = [...guardObjects(specFor(enforced, 'enforce'), { rules: [], operator: identity }), ...guardObjects(specFor(audited), { rules: [], operator: identity })];
    operator = await serviceAccountToken(enforced, 'ward-operator');
    await grantPolicies(enforced, 'ward-operator');
    // The operator creates its policy (before the guard is there, as on a first reconcile).
    expect((await createVerdict(operator, OWNED_AP, enforced, true)).status).toBe(201);
    await applyClusterObjects(adminKubeConfig(), policies);
    const ready = async (): Promise<boolean> => (await createVerdict(adminKubeConfig(), UNOWNED_ALLOW, enforced)).status === 403
      && ruleIdsIn(await createVerdict(adminKubeConfig(), UNOWNED_ALLOW, audited)).length > 0;
    for (let i = 0; i < 100 && !(await ready()); i++) await new Promise((r) => setTimeout(r, 200));
  });

  afterAll(async () => {
    if (policies.length) await deleteClusterObjects(adminKubeConfig(), policies);
  });

  const patchAp = async (kc: KubeConfig, ns: string): Promise<{ status: number; text: string; warning: string }> => {
    const path = `/apis/security.istio.io/v1/namespaces/${ns}/authorizationpolicies/${OWNED_AP.metadata.name}`;
    const res = await sendRequest(kc, 'PATCH', path, JSON.stringify({ spec: { rules: [{}] } }), { contentType: 'application/merge-patch+json' });
    const w = res.headers.warning;
    return { status: res.status, text: res.text, warning: Array.isArray(w) ? w.join('\n') : w ?? '' };
  };

  it('refuses an edit of a ward-owned AuthorizationPolicy by the cluster admin, naming WARD-GUARD-001 and the user', async () => {
    const res = await patchAp(adminKubeConfig(), enforced);
    expect(res.status).toBe(403);
    expect(res.text).toContain(`WARD-GUARD-001: admin updates AuthorizationPolicy ${enforced}/allow-registry: the object carries ward's owner label`);
  });

  it('refuses deleting it, and lets the operator change it', async () => {
    const path = `/apis/security.istio.io/v1/namespaces/${enforced}/authorizationpolicies/${OWNED_AP.metadata.name}`;
    const del = await sendRequest(adminKubeConfig(), 'DELETE', path, undefined);
    expect(del.status).toBe(403);
    expect(del.text).toContain('WARD-GUARD-001: admin deletes AuthorizationPolicy');
    const patch = JSON.stringify({ metadata: { annotations: { 'ward.g2p.dev/reconciled': 'yes' } } });
    expect((await sendRequest(operator, 'PATCH', path, patch, { contentType: 'application/merge-patch+json' })).status).toBe(200);
  });

  it('refuses an access-widening NetworkPolicy without the owner label (WARD-GUARD-002); a narrowing one is fine', async () => {
    const widen = await createVerdict(adminKubeConfig(), UNOWNED_ALLOW, enforced);
    expect(widen.status).toBe(403);
    expect(widen.message).toContain(`WARD-GUARD-002: admin creates NetworkPolicy ${enforced}/let-me-in: a policy that widens access`);
    expect((await createVerdict(adminKubeConfig(), UNOWNED_DENY, enforced)).status).toBe(201);
    expect((await createVerdict(operator, UNOWNED_ALLOW, enforced)).status).toBe(201);
  });

  it('warns instead under audit', async () => {
    const v = await createVerdict(adminKubeConfig(), UNOWNED_ALLOW, audited);
    expect(v.status).toBe(201);
    expect(ruleIdsIn(v)).toEqual(['WARD-GUARD-002']);
  });
});
