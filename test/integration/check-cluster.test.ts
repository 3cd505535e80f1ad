/**
 * `ward policy-check --cluster` against the real API server: the ward-auditor identity reads every
 * audited kind (Istio CRDs included), Secrets arrive as metadata only, and the same rules fire as on
 * files — including the cross-object ones that need a whole namespace.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { beforeAll, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { auditorRbac } from '../../policies/auditor-rbac.js';
import { readCluster } from '../../policies/cluster.js';
import { runCheck } from '../../policies/engine.js';
import { spawnSync } from 'node:child_process';
import { ADMIN_CONTEXT } from '../../dev-cluster/kubeconfig.js';
import { applyAsAdmin, describeCluster, freshNamespace, kubeconfigPath, restrictedKubeConfig, serviceAccountToken } from './helpers.js';

const SECRET_B64 = Buffer.from('admin').toString('base64');
const CLIENT_SECRET = 'Xq7Lr2Vt9Kp4Wm8Zb3Nc6Hd1';

function workloads(ns: string): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: ns }, data: { password: SECRET_B64 } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'registry', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'registry' } },
        template: {
          metadata: { labels: { app: 'registry', 'ward.g2p.dev/personal-data': 'true' } },
          spec: {
            containers: [{
              name: 'odoo', image: 'openg2p/openg2p-social-registry-odoo-package:1.3.1',
              env: [
                { name: 'KEYMANAGER_AUTH_CLIENT_SECRET', value: CLIENT_SECRET },
                { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-typo', key: 'password' } } },
              ],
            }],
          },
        },
      },
    },
    { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns }, spec: { mtls: { mode: 'PERMISSIVE' } } },
    {
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'registry', namespace: ns },
      spec: { selector: { matchLabels: { app: 'registry' } }, rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/ingress-typo`] } }] }] },
    },
  ];
}

describeCluster('ward policy-check --cluster', () => {
  let ns: string;
  let objects: KubeObject[];

  beforeAll(async () => {
    ns = await freshNamespace('ward-check-');
    for (const o of workloads(ns)) await applyAsAdmin(o as unknown as KubernetesObject);
    for (const o of auditorRbac({ namespace: ns })) {
      // A per-run binding name: other suites may bind the shared ClusterRole to their own account.
      const obj = o.kind === 'ClusterRoleBinding' ? { ...o, metadata: { ...o.metadata, name: `ward-auditor-${ns}` } } : o;
      await applyAsAdmin(obj as unknown as KubernetesObject);
    }
    const auditor = await serviceAccountToken(ns, 'ward-auditor');
    objects = await readCluster({ kubeConfig: auditor });
  });

  it('reads the audited kinds with the ward-auditor identity, Istio CRDs included', () => {
    const mine = objects.filter((o) => o.metadata.namespace === ns).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(mine).toEqual(expect.arrayContaining(['AuthorizationPolicy/registry', 'Deployment/registry', 'PeerAuthentication/default', 'Secret/db', 'ServiceAccount/ward-auditor']));
    expect(objects.some((o) => o.kind === 'Namespace' && o.metadata.name === ns)).toBe(true);
  });

  it('never reads Secret values: Secrets arrive as metadata only', () => {
    const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.namespace === ns)!;
    expect(Object.keys(secret).sort()).toEqual(['apiVersion', 'kind', 'metadata']);
    expect(JSON.stringify(objects)).not.toContain(SECRET_B64);
  });

  it('reports the same findings as on files, with cross-object rules enabled by the cluster', () => {
    const result = runCheck({ objects, cluster: true, now: new Date('2026-06-01T00:00:00Z') });
    const mine = result.findings.filter((f) => f.object.namespace === ns || (f.object.kind === 'Namespace' && f.object.name === ns));
    const ids = new Set(mine.map((f) => f.ruleId));
    for (const id of ['WARD-KM-001', 'WARD-MTLS-001', 'WARD-AUTHZ-003', 'WARD-SEC-003', 'WARD-NET-001']) expect(ids, id).toContain(id);
    expect(mine.find((f) => f.ruleId === 'WARD-MTLS-001')!.severity).toBe('critical'); // personal data raises it
    expect(mine.find((f) => f.ruleId === 'WARD-AUTHZ-003')!.message).toContain(`ServiceAccount ${ns}/ingress-typo does not exist`);
    expect(mine.every((f) => f.location === undefined)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(CLIENT_SECRET);
    // The auditor's own ClusterRole is reported, suppressed by its governed waiver.
    const auditorRole = result.findings.find((f) => f.ruleId === 'WARD-RBAC-002' && f.object.name === 'ward-auditor');
    expect(auditorRole?.suppressed?.reason).toMatch(/metadata only/);
  });

  it('runs end to end from the CLI: ward check --cluster --kubeconfig K --context C', () => {
    const res = spawnSync(process.execPath, ['bin/ward.js', 'check', '--cluster', '--kubeconfig', kubeconfigPath!, '--context', ADMIN_CONTEXT, '--format', 'json'], { encoding: 'utf8', timeout: 120_000 });
    expect(res.status, res.stderr).toBe(1);
    const doc = JSON.parse(res.stdout);
    expect(doc.findings.some((f: { ruleId: string; object: { namespace?: string } }) => f.ruleId === 'WARD-KM-001' && f.object.namespace === ns)).toBe(true);
    expect(res.stdout).not.toContain(CLIENT_SECRET);
    expect(res.stdout).not.toContain(SECRET_B64);
  });

  it('fails clearly for an identity without the auditor role', async () => {
    await expect(readCluster({ kubeConfig: restrictedKubeConfig() })).rejects.toThrow(/forbidden to list .*ward-auditor ClusterRole/);
  });
});
