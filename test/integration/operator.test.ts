/**
 * The operator against the real API server (no controller-manager: no garbage collection, one
 * namespace per test). The operator runs in-process authenticated as its own ServiceAccount with the
 * shipped RBAC (deploy/operator.yaml), so every test also proves that RBAC suffices.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import { Labels } from '../../charts-src/kube.js';
import { KubeApiError, RestClient } from '../../operator/kube/rest.js';
import { FINALIZER } from '../../operator/reconcile.js';
import { describeCluster, freshNamespace } from './helpers.js';
import {
  adminRest, conditionOf, createRd, getRd, installOperatorPrereqs, listLabelled, operatorKubeConfig, printerTable, rdPath, smallSpec, startOperator, stopAndClean,
  waitFor, waitForCondition, type RunningOperator,
} from './operator-support.js';

const NP = (ns: string): string => `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`;
const ownerSelector = (ns: string, name: string): string => `${Labels.owner}=${ns}.${name}`;

describeCluster('operator: reconcile on a real API server', () => {
  let op: RunningOperator | undefined;
  beforeAll(async () => {
    await installOperatorPrereqs();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
  });

  it('a new RegistryDeployment gets every child applied, Ready=True and filled printer columns', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec());
    const rd = await waitForCondition(ns, 'sr', 'Ready', 'True');
    expect(conditionOf(rd, 'Ready')?.reason).toBe('AllChecksPassed');
    expect(rd.metadata.finalizers).toContain(FINALIZER);
    const nps = await listLabelled(NP(ns), ownerSelector(ns, 'sr'));
    expect(nps.map((n) => n.metadata.name).sort()).toEqual(['allow-dns', 'allow-istiod', 'default-deny', 'minio', 'postgresql', 'registry']);
    for (const np of nps) {
      expect(np.metadata.labels?.[Labels.ownerUid]).toBe(rd.metadata.uid);
      expect((np.metadata as { ownerReferences?: { uid: string }[] }).ownerReferences?.[0]?.uid).toBe(rd.metadata.uid);
    }
    const pas = await listLabelled(`/apis/security.istio.io/v1/namespaces/${ns}/peerauthentications`, ownerSelector(ns, 'sr'));
    expect(pas.map((p) => (p.spec as { mtls?: { mode?: string } }).mtls?.mode)).toEqual(['STRICT']);
    const table = await printerTable(ns, 'sr');
    expect(table.columns).toEqual(['Name', 'Ready', 'mTLS', 'Flows', 'Secrets', 'KeyManager', 'Age', 'Reason']);
    expect(table.cells.slice(1, 6)).toEqual(['True', 'STRICT', 2, 'none', 'None']);
  });

  it('a second reconcile of an unchanged RegistryDeployment makes zero write requests', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec());
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    // Let the watch deliver the operator's own writes, then count from a quiet point.
    await op.reconciledAgain(`${ns}/sr`, 0);
    const running = op;
    await waitFor('the queue to go idle', () => running.handle.controller.queue.depth === 0 && running.handle.controller.queue.inFlight === 0);
    const before = op.writes().length;
    op.handle.controller.queue.add(`${ns}/sr`);
    await op.reconciledAgain(`${ns}/sr`);
    op.handle.controller.queue.add(`${ns}/sr`);
    await op.reconciledAgain(`${ns}/sr`);
    expect(op.writes().slice(before)).toEqual([]);
  });

  it('a periodic relist of every watch keeps the steady state write-free', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns], { relistMs: 300 });
    await createRd(ns, 'sr', smallSpec());
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    const running = op;
    const lists = (): number => running.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/registrydeployments')).length;
    const listsBefore = lists();
    await running.reconciledAgain(`${ns}/sr`, 0);
    // Steady state starts when the queue is idle: a reconcile still in flight may yet write (CI saw one).
    await waitFor('the queue to go idle', () => running.handle.controller.queue.depth === 0 && running.handle.controller.queue.inFlight === 0);
    const before = op.writes().length;
    await waitFor('two more relists of the RegistryDeployments', () => lists() >= listsBefore + 2);
    op.handle.controller.queue.add(`${ns}/sr`);
    await op.reconciledAgain(`${ns}/sr`);
    expect(op.writes().slice(before)).toEqual([]);
  });

  it('dropping a flow and a component prunes exactly their children and leaves similarly named objects alone', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    const admin = adminRest();
    // Unrelated: same-looking names, but no owner labels (or another owner).
    await admin.post(NP(ns), { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'minio-extra' }, spec: { podSelector: {} } });
    await admin.post(NP(ns), { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'minio-other-owner', labels: { [Labels.managedBy]: 'ward', [Labels.owner]: `${ns}.other` } }, spec: { podSelector: {} } });
    await createRd(ns, 'sr', smallSpec());
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    const spec = smallSpec();
    await createRd(ns, 'sr', { ...spec, components: (spec.components as { name: string }[]).filter((c) => c.name !== 'minio'), flows: (spec.flows as unknown[]).slice(0, 1) });
    await waitFor('NetworkPolicy minio pruned', async () => !(await listLabelled(NP(ns), ownerSelector(ns, 'sr'))).some((n) => n.metadata.name === 'minio'));
    const all = (await admin.get<{ items: { metadata: { name: string } }[] }>(NP(ns))).items.map((n) => n.metadata.name).sort();
    expect(all).toEqual(['allow-dns', 'allow-istiod', 'default-deny', 'minio-extra', 'minio-other-owner', 'postgresql', 'registry']);
    const rd = await waitForCondition(ns, 'sr', 'Ready', 'True');
    expect(rd.status?.flows).toBe(1);
  });

  it('a child deleted out of band is restored and a child edited out of band is reverted', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec());
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    const admin = adminRest();
    await admin.delete(`${NP(ns)}/registry`);
    await waitFor('NetworkPolicy registry restored', async () => (await admin.get<{ metadata: { name: string } }>(`${NP(ns)}/registry`)).metadata.name === 'registry');
    const original = await admin.get<{ spec: unknown }>(`${NP(ns)}/postgresql`);
    await admin.json('PATCH', `${NP(ns)}/postgresql`, {}, { spec: { ingress: [{}] } }, 'application/merge-patch+json');
    await waitFor('NetworkPolicy postgresql reverted', async () => JSON.stringify((await admin.get<{ spec: unknown }>(`${NP(ns)}/postgresql`)).spec) === JSON.stringify(original.spec));
    // Both repairs are counted for the WardDriftRepaired alert (docs/monitoring.md).
    // (counted once the apply returned, which may be just after the reverted object is visible)
    const running = op;
    await waitFor('two drift repairs counted', async () => (await running.handle.metrics.registry.getSingleMetricAsString('ward_drift_repairs_total')).includes('ward_drift_repairs_total{kind="NetworkPolicy"} 2'));
  });

  it('deleting the RegistryDeployment removes every child, also in other namespaces, then the finalizer', async () => {
    const ns = await freshNamespace();
    const root = await freshNamespace('ward-it-root-');
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec({ mesh: { meshWide: true, rootNamespace: root } }));
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    const meshWide = await listLabelled(`/apis/security.istio.io/v1/namespaces/${root}/peerauthentications`, ownerSelector(ns, 'sr'));
    expect(meshWide).toHaveLength(1);
    await adminRest().delete(rdPath(ns, 'sr'));
    await waitFor('the RegistryDeployment to disappear', async () => {
      try {
        await getRd(ns, 'sr');
        return false;
      } catch (err) {
        return err instanceof KubeApiError && err.statusCode === 404;
      }
    });
    expect(await listLabelled(NP(ns), ownerSelector(ns, 'sr'))).toEqual([]);
    expect(await listLabelled(`/apis/security.istio.io/v1/namespaces/${root}/peerauthentications`, ownerSelector(ns, 'sr'))).toEqual([]);
    expect(await listLabelled(`/apis/security.istio.io/v1/namespaces/${ns}/authorizationpolicies`, ownerSelector(ns, 'sr'))).toEqual([]);
    const nsLabels = (await adminRest().get<{ metadata: { labels?: Record<string, string> } }>(`/api/v1/namespaces/${ns}`)).metadata.labels ?? {};
    expect(nsLabels[Labels.owner]).toBeUndefined();
  });

  it('a spec the CEL rules reject is refused at admission with the rule message', async () => {
    const ns = await freshNamespace();
    const cases = [
      { spec: smallSpec({ flows: [{ from: 'nobody', to: { component: 'postgresql' }, ports: [{ port: 5432 }] }] }), message: 'every flow.from must name a component declared in spec.components' },
      { spec: smallSpec({ mesh: { mtlsMode: 'PERMISSIVE' } }), message: 'mtlsMode weaker than STRICT needs mtlsReason' },
      { spec: smallSpec({ flows: [{ from: 'registry', to: { component: 'minio', cidr: '10.0.0.0/8' }, ports: [{ port: 1 }] }] }), message: 'set exactly one of component or cidr' },
      { spec: smallSpec({ components: [{ name: 'registry', ports: [] }], flows: [] }), message: 'every component needs selector and serviceAccount' },
      {
        spec: smallSpec({ wireguard: { enabled: true, peers: [
          { name: 'alice', publicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=', address: '10.15.0.2/32' },
          { name: 'bob', publicKey: 'TrMvSoP4jYQlY6RIzBgbssQqY3vxI2Pi+y71lOWWXX0=', address: '10.15.0.2/32' },
        ] } }),
        message: 'WireGuard peer addresses must be unique',
      },
    ];
    for (const c of cases) {
      const err = await createRd(ns, 'bad', c.spec).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(KubeApiError);
      expect((err as KubeApiError).statusCode).toBe(422);
      expect((err as KubeApiError).detail).toContain(c.message);
    }
  });

  it('a spec valid at admission but semantically wrong gets SpecValid=False with every issue and its path', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    const spec = smallSpec();
    const components = spec.components as Record<string, unknown>[];
    await createRd(ns, 'sr', { ...spec, components: [...components, { ...components[0], selector: { app: 'odoo-2' }, serviceAccount: 'odoo-2' }] });
    const rd = await waitForCondition(ns, 'sr', 'SpecValid', 'False', 'InvalidSpec');
    expect(conditionOf(rd, 'SpecValid')?.message).toBe('1 problem: spec.components[3].name: duplicate component name "registry" (first declared at index 0): names must be unique');
    expect(conditionOf(rd, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await listLabelled(NP(ns), ownerSelector(ns, 'sr'))).toEqual([]);
    // Not retried: further reconciles (e.g. a resync) write nothing. Counted once the queue is idle:
    // the Warning Event of the first reconcile may still be in flight when the condition is seen.
    const running = op;
    await waitFor('the queue to go idle', () => running.handle.controller.queue.depth === 0 && running.handle.controller.queue.inFlight === 0);
    const before = op.writes().length;
    op.handle.controller.queue.add(`${ns}/sr`);
    await op.reconciledAgain(`${ns}/sr`);
    expect(op.writes().slice(before)).toEqual([]);
  });

  it('the shipped ClusterRole does not let the operator list Secrets', async () => {
    const rest = new RestClient(await operatorKubeConfig());
    const err = await rest.get('/api/v1/secrets').then(() => undefined, (e: unknown) => e);
    expect((err as KubeApiError).statusCode).toBe(403);
    const ns = await freshNamespace();
    const err2 = await rest.get(`/api/v1/namespaces/${ns}/secrets`).then(() => undefined, (e: unknown) => e);
    expect((err2 as KubeApiError).statusCode).toBe(403);
    rest.close();
  });
});
