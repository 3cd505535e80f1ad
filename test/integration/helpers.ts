/**
 * Helpers for integration tests against the real control plane started by global-setup.ts.
 *
 *   import { cluster, describeCluster, freshNamespace } from './helpers.js';
 *   describeCluster('my feature', () => { it('...', async () => { const ns = await freshNamespace(); ... }) });
 *
 * There is no controller-manager: namespaces never finish deleting, owner references are not
 * garbage-collected and ServiceAccounts get no token Secrets. Tests use fresh namespaces and never
 * depend on deletion of a namespace.
 */
import { CoreV1Api, KubeConfig, type KubernetesObject, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, inject } from 'vitest';
import { waitForCrdEstablished as waitEstablished } from '../../dev-cluster/crds.js';
import { ADMIN_CONTEXT, RESTRICTED_CONTEXT } from '../../dev-cluster/kubeconfig.js';

/** The integration cluster's kubeconfig path, or undefined when global setup skipped (no binaries). */
export const kubeconfigPath: string | undefined = inject('wardKubeconfig') || undefined;

/** This run's directory; a test that starts its own cluster puts it below here so teardown stops it. */
export const runDir: string = inject('wardRunDir');

/** `describe` that skips when there is no cluster (global setup already printed the loud reason). */
export const describeCluster = describe.skipIf(!kubeconfigPath);

function requirePath(): string {
  if (!kubeconfigPath) throw new Error('no integration cluster (global setup skipped it); wrap the suite in describeCluster');
  return kubeconfigPath;
}

/** A KubeConfig for one of the two users of the cluster: `admin` (system:masters) or `restricted` (no rights). */
export function kubeConfigFor(context: typeof ADMIN_CONTEXT | typeof RESTRICTED_CONTEXT): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(requirePath());
  kc.setCurrentContext(context);
  return kc;
}

export const adminKubeConfig = (): KubeConfig => kubeConfigFor(ADMIN_CONTEXT);
export const restrictedKubeConfig = (): KubeConfig => kubeConfigFor(RESTRICTED_CONTEXT);

/**
 * Compacts etcd's history up to its current revision (through etcd's JSON gateway), so any watch
 * resuming from an older resourceVersion gets `410 Gone`. ConfigMaps bypass the apiserver's watch
 * cache on this cluster (global-setup.ts), so for them the 410 reaches the client.
 */
export async function compactEtcd(): Promise<string> {
  const state = JSON.parse(await readFile(join(dirname(requirePath()), 'state.json'), 'utf8')) as { etcdClientPort: number };
  const base = `http://127.0.0.1:${String(state.etcdClientPort)}/v3/kv`;
  const post = async (op: string, body: object): Promise<{ header?: { revision?: string } }> => {
    const res = await fetch(`${base}/${op}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${op}: HTTP ${String(res.status)} ${await res.text()}`);
    return (await res.json()) as { header?: { revision?: string } };
  };
  const revision = (await post('range', { key: Buffer.from('/').toString('base64') })).header?.revision;
  if (!revision) throw new Error('etcd returned no revision');
  await post('compaction', { revision, physical: true });
  return revision;
}

/** Creates a namespace with a server-generated unique name (`ward-it-xxxxx`) and returns the name. */
export async function freshNamespace(prefix = 'ward-it-'): Promise<string> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  const ns = await core.createNamespace({ body: { metadata: { generateName: prefix, labels: { 'ward.g2p.dev/test': 'integration' } } } });
  const name = ns.metadata?.name;
  if (!name) throw new Error('the API server returned a namespace without a name');
  return name;
}

/** Creates a namespace unless it exists (istio-system: present on any cluster with Istio; the ingress gateway's admin-path DENY lives there). */
export async function ensureNamespace(name: string): Promise<void> {
  const core = adminKubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name } } }).catch((e: unknown) => {
    if ((e as { code?: number }).code !== 409) throw e;
  });
}

/** Waits until a CRD is Established (served) on the integration cluster. */
export async function waitForCrdEstablished(name: string, timeoutMs = 60_000): Promise<void> {
  await waitEstablished(adminKubeConfig(), name, timeoutMs);
}

/** Server-side applies objects as admin (field manager `ward-test`, force) and returns what the server stored. */
export async function applyAsAdmin<T extends KubernetesObject>(obj: T, fieldManager = 'ward-test'): Promise<T> {
  const client = KubernetesObjectApi.makeApiClient(adminKubeConfig());
  return client.patch(obj, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
}

export interface ServiceAccountTokenOptions {
  /** @default the API server's own audience */
  readonly audiences?: readonly string[];
  /** @default 3600 */
  readonly expirationSeconds?: number;
}

/**
 * Creates ServiceAccount `sa` in `ns` (if missing), requests a token for it with the TokenRequest API
 * and returns a KubeConfig that acts as `system:serviceaccount:<ns>:<sa>` — e.g. the operator's own
 * identity, with exactly the RBAC rights the test granted it.
 */
export async function serviceAccountToken(ns: string, sa: string, options: ServiceAccountTokenOptions = {}): Promise<KubeConfig> {
  const admin = adminKubeConfig();
  const core = admin.makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const request = await core.createNamespacedServiceAccountToken({
    name: sa,
    namespace: ns,
    body: { spec: { audiences: [...(options.audiences ?? [])], expirationSeconds: options.expirationSeconds ?? 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`TokenRequest for ${ns}/${sa} returned no token`);
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('admin kubeconfig has no cluster');
  const user = `system:serviceaccount:${ns}:${sa}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user: user, namespace: ns }],
    currentContext: user,
  });
  return kc;
}
