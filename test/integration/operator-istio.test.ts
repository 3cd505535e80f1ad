/**
 * A cluster without Istio: the operator reports MeshPolicyApplied=False/IstioCRDsMissing, still
 * applies the NetworkPolicies, and converges without a restart once the CRDs are installed. The test
 * deletes the dev cluster's Istio CRDs and re-installs them afterwards (also when it fails), so other
 * suites in the same run find them again.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Labels } from '../../charts-src/kube.js';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { installCrds, istioCrdFile, readCrds } from '../../dev-cluster/crds.js';
import { OWNED_KINDS } from '../../operator/kinds.js';
import { isNotFound } from '../../operator/kube/rest.js';
import { adminKubeConfig, describeCluster, freshNamespace } from './helpers.js';
import { adminRest, conditionOf, createRd, installOperatorPrereqs, listLabelled, smallSpec, startOperator, stopAndClean, waitFor, waitForCondition, type RunningOperator } from './operator-support.js';

const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

describeCluster('operator: Istio CRDs missing', () => {
  let op: RunningOperator | undefined;
  let istio: KubernetesObject[] = [];
  beforeAll(async () => {
    await installOperatorPrereqs();
    // Only the Istio kinds ward applies: enough for IstioCRDsMissing. Deleting the others (e.g.
    // envoyfilters) has taken minutes on this API server after a restart in the same run.
    const applied = new Set(OWNED_KINDS.filter((k) => k.istio).map((k) => `${k.plural}.${k.apiVersion.split('/')[0] ?? ''}`));
    istio = (await readCrds(istioCrdFile(process.env))).filter((crd) => applied.has(crd.metadata?.name ?? ''));
    expect(istio.length).toBe(applied.size);
    for (const crd of istio) await adminRest().delete(`${CRD_PATH}/${crd.metadata?.name ?? ''}`);
    // CRD deletion runs the API server's own finalizer per CRD: wait for them together, with room.
    await Promise.all(istio.map((crd) =>
      waitFor(`CRD ${crd.metadata?.name ?? ''} deleted`, () => adminRest().get<{ status?: { conditions?: unknown } }>(`${CRD_PATH}/${crd.metadata?.name ?? ''}`).then(
        // still there: keep its conditions as the "last error", so a timeout says what the API server is waiting for
        (c) => { throw new Error(`still present, conditions ${JSON.stringify(c.status?.conditions ?? [])}`); },
        (e: unknown) => { if (isNotFound(e)) return true; throw e; },
      ), 240_000),
    ));
  }, 300_000);
  afterAll(async () => {
    await stopAndClean(op);
    await installCrds(adminKubeConfig(), istio);
  });

  it('reports IstioCRDsMissing, still applies NetworkPolicies, and converges once the CRDs are installed', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec());
    const rd = await waitForCondition(ns, 'sr', 'MeshPolicyApplied', 'False', 'IstioCRDsMissing');
    expect(conditionOf(rd, 'MeshPolicyApplied')?.message).toMatch(/^Istio is not installed: PeerAuthentication \(security\.istio\.io\/v1\), AuthorizationPolicy \(security\.istio\.io\/v1\), .* not served; NetworkPolicies are still applied\. Install Istio's CRDs and ward converges\.$/);
    expect(conditionOf(rd, 'NetworkPolicyApplied')).toMatchObject({ status: 'True', reason: 'Applied' });
    expect(conditionOf(rd, 'Ready')).toMatchObject({ status: 'False', reason: 'ChecksFailed' });
    const nps = await listLabelled(`/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, `${Labels.owner}=${ns}.sr`);
    expect(nps.map((n) => n.metadata.name)).toContain('default-deny');
    await installCrds(adminKubeConfig(), istio);
    await waitForCondition(ns, 'sr', 'MeshPolicyApplied', 'True', 'Applied');
    const ready = await waitForCondition(ns, 'sr', 'Ready', 'True');
    const parsed = parseRegistrySpec(ready);
    if (!parsed.ok) throw new Error('spec should be valid');
    expect(ready.status?.children).toBe(synthesize(parsed.spec, { owner: { name: 'sr', namespace: ns, uid: ready.metadata.uid } }).length);
    const pas = await listLabelled(`/apis/security.istio.io/v1/namespaces/${ns}/peerauthentications`, `${Labels.owner}=${ns}.sr`);
    expect(pas).toHaveLength(1);
  });
});
