/**
 * `kubectl apply -f deploy/` as a user would run it, against the real API server: every document of
 * every file in deploy/ (the CRD first) is accepted by server-side apply and reads back; the CRD
 * becomes Established; and Pod Security admission of the `ward-system` namespace (enforce:
 * restricted) admits a pod built from the operator Deployment's template (server dry run).
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { RestClient } from '../../operator/kube/rest.js';
import { adminKubeConfig, describeCluster, waitForCrdEstablished } from './helpers.js';

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } };
}

const CLUSTER_SCOPED = new Set(['CustomResourceDefinition', 'Namespace', 'ClusterRole', 'ClusterRoleBinding']);

function plural(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

function pathOf(o: Obj): string {
  const prefix = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  const ns = CLUSTER_SCOPED.has(o.kind) ? '' : `/namespaces/${o.metadata.namespace ?? 'default'}`;
  return `${prefix}${ns}/${plural(o.kind)}/${o.metadata.name}`;
}

function deployObjects(): Obj[] {
  const dir = new URL('../../deploy/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort((a, b) => (a === 'crd.yaml' ? -1 : b === 'crd.yaml' ? 1 : a.localeCompare(b)));
  return files.flatMap((f) => parseAllDocuments(readFileSync(new URL(f, dir), 'utf8')).map((d) => d.toJS() as Obj | null)).filter((o): o is Obj => !!o);
}

describeCluster('deploy/ on a real API server', () => {
  it('every object applies and reads back, the CRD is Established, and the operator pod passes Pod Security restricted', async () => {
    const rest = new RestClient(adminKubeConfig());
    const objects = deployObjects();
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Deployment']));
    for (const o of objects) {
      const applied = await rest.apply<Obj>(pathOf(o), o, 'ward-install-test');
      expect(applied.metadata.name, `${o.kind} ${o.metadata.name}`).toBe(o.metadata.name);
      if (o.kind === 'CustomResourceDefinition') await waitForCrdEstablished(o.metadata.name);
    }
    for (const o of objects) {
      const back = await rest.get<Obj>(pathOf(o));
      expect(back.kind).toBe(o.kind);
    }
    const ns = await rest.get<{ metadata: { labels?: Record<string, string> } }>('/api/v1/namespaces/ward-system');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment?.metadata.namespace).toBe('ward-system');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ward-operator-admission-probe', namespace: 'ward-system', labels: deployment?.spec?.template?.metadata?.labels ?? {} },
      spec: deployment?.spec?.template?.spec,
    };
    // dryRun=All: admission (Pod Security enforce: restricted on ward-system) runs, nothing is stored.
    const core = adminKubeConfig().makeApiClient(CoreV1Api);
    const admitted = await core.createNamespacedPod({ namespace: 'ward-system', body: pod as V1Pod, dryRun: 'All' });
    expect(admitted.metadata?.name).toBe('ward-operator-admission-probe');
    // The same admission refuses a pod that weakens the template: the check above can fail.
    const weakened = { ...pod, metadata: { ...pod.metadata, name: 'ward-operator-weakened-probe' }, spec: { ...(pod.spec as object), hostNetwork: true } };
    await expect(core.createNamespacedPod({ namespace: 'ward-system', body: weakened as V1Pod, dryRun: 'All' })).rejects.toThrow(/violates PodSecurity/);
  });
});
