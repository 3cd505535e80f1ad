/**
 * The operator installs ward guard's admission policies for a RegistryDeployment with `spec.guard`
 * (GuardApplied), as its own ServiceAccount with the shipped RBAC; with `guard: enforce` the API
 * server then refuses a PERMISSIVE PeerAuthentication in the namespace and the cluster admin's edit
 * of a ward-owned policy, while the operator itself keeps reconciling. Deleting the
 * RegistryDeployment removes the policies (cluster-scoped: by label, no ownerReference).
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { join } from 'node:path';
import { REPO_ROOT } from '../../dev-cluster/binaries.js';
import { installCrds, readCrds } from '../../dev-cluster/crds.js';
import { sendRequest } from '../../operator/kube/rest.js';
import { createVerdict } from './guard-support.js';
import { adminKubeConfig, describeCluster, freshNamespace } from './helpers.js';
import { adminRest, conditionOf, createRd, installOperatorPrereqs, listLabelled, rdPath, smallSpec, startOperator, stopAndClean, waitFor, waitForCondition, type RunningOperator } from './operator-support.js';

const VAP = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies';
const BINDINGS = '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings';
const PERMISSIVE: KubeObject = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'weak' }, spec: { mtls: { mode: 'PERMISSIVE' } } };

describeCluster('operator: GuardApplied and MonitoringApplied', () => {
  let op: RunningOperator | undefined;
  beforeAll(async () => {
    await installOperatorPrereqs();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
  });

  it('installs the guard, which then refuses weakening and foreign edits; deleting the RegistryDeployment removes it', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec({ guard: 'enforce' }));
    const rd = await waitForCondition(ns, 'sr', 'GuardApplied', 'True', 'Applied');
    expect(conditionOf(rd, 'GuardApplied')?.message).toMatch(new RegExp(`^\\d+ admission policies bound to ${ns} \\(Deny \\+ Audit\\)$`));
    expect(conditionOf(rd, 'Ready')?.status).toBe('True');
    // The conditions are on /metrics too, for the WardAuditFailed and WardKeyManagerUnreachable alerts.
    const gauge = await op.handle.metrics.registry.getSingleMetricAsString('ward_registrydeployment_condition');
    expect(gauge).toContain(`ward_registrydeployment_condition{namespace="${ns}",name="sr",type="GuardApplied"} 1`);
    expect(gauge).toContain(`ward_registrydeployment_condition{namespace="${ns}",name="sr",type="AuditPassed"} 1`);
    const selector = `ward.g2p.dev/owner=${ns}.sr`;
    const policies = await listLabelled(VAP, selector);
    expect(policies.map((p) => p.metadata.name)).toContain(`ward-guard.${ns}.sr.ward-mtls-006`);
    expect((await listLabelled(BINDINGS, selector)).length).toBe(policies.length);

    const refused = await waitFor('the guard to refuse PERMISSIVE', async () => {
      const v = await createVerdict(adminKubeConfig(), PERMISSIVE, ns);
      return v.status === 422 || v.status === 403 ? v : undefined;
    });
    // Two policies refuse it (weaker than STRICT; widening without the owner label): the API server names the first it evaluated.
    expect(refused.message).toMatch(new RegExp(`(WARD-MTLS-006|WARD-GUARD-002): (PeerAuthentication ${ns}/weak|admin creates PeerAuthentication ${ns}/weak)`));

    const ap = `/apis/security.istio.io/v1/namespaces/${ns}/authorizationpolicies/allow-postgresql`;
    const edit = await waitFor('the ownership guard to refuse the admin', async () => {
      // An edit no other rule objects to (an annotation): only the ownership guard refuses it.
      const res = await sendRequest(adminKubeConfig(), 'PATCH', ap, JSON.stringify({ metadata: { annotations: { 'example.org/tweak': 'yes' } } }), { contentType: 'application/merge-patch+json' });
      return res.status === 403 ? res : undefined;
    });
    expect(edit.text).toContain(`WARD-GUARD-001: admin updates AuthorizationPolicy ${ns}/allow-postgresql`);

    await adminRest().delete(rdPath(ns, 'sr'));
    await waitFor('the guard policies to be removed', async () => (await listLabelled(VAP, selector)).length === 0 && (await listLabelled(BINDINGS, selector)).length === 0);
    // Once the RegistryDeployment is gone its condition series leave /metrics (they stayed until a restart, and kept alerts firing).
    await waitFor('the condition series to leave /metrics', async () => !(await op!.handle.metrics.registry.getSingleMetricAsString('ward_registrydeployment_condition')).includes(`namespace="${ns}",name="sr"`));
  });

  it('spec.monitoring: the operator applies the Telemetry and PrometheusRule objects (MonitoringApplied) once the CRD is there', async () => {
    await installCrds(adminKubeConfig(), await readCrds(join(REPO_ROOT, 'dev-cluster', 'crds', 'prometheus-operator.yaml')));
    // The gateway Telemetry goes to the ingress gateway's namespace (istio-system), as on a cluster with Istio.
    await sendRequest(adminKubeConfig(), 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'istio-system' } }));
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec({ monitoring: { enabled: true } }));
    const rd = await waitForCondition(ns, 'sr', 'MonitoringApplied', 'True', 'Applied');
    expect(conditionOf(rd, 'Ready')?.status).toBe('True');
    const rules = await listLabelled(`/apis/monitoring.coreos.com/v1/namespaces/${ns}/prometheusrules`, `ward.g2p.dev/owner=${ns}.sr`);
    expect(rules.map((r) => r.metadata.name)).toEqual(['ward-openg2p-alerts']);
  });

  it('a RegistryDeployment without spec.guard gets no guard and no GuardApplied condition', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec());
    const rd = await waitForCondition(ns, 'sr', 'Ready', 'True');
    expect(conditionOf(rd, 'GuardApplied')).toBeUndefined();
    expect(await listLabelled(VAP, `ward.g2p.dev/owner=${ns}.sr`)).toEqual([]);
  });
});
