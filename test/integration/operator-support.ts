/**
 * Shared by the operator integration tests: install ward's CRD and the operator's shipped RBAC, run
 * the operator in-process as its own ServiceAccount (TokenRequest), count its API requests, capture
 * its logs, and wait for conditions.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { API_VERSION, KIND, type KubeObject } from '../../charts-src/kube.js';
import { serverSideApplyRaw } from '../../dev-cluster/raw.js';
import { CRD_NAME } from '../../operator/crd.js';
import { operatorInstallObjects } from '../../operator/deploy.js';
import { registryDeploymentCrd } from '../../operator/crd.js';
import { RestClient, type RequestRecord } from '../../operator/kube/rest.js';
import { createLogger } from '../../operator/log.js';
import type { Condition } from '../../operator/conditions.js';
import type { RegistryObject } from '../../operator/port.js';
import { runOperator, type OperatorHandle, type OperatorOptions } from '../../operator/run.js';
import { adminKubeConfig, applyAsAdmin, serviceAccountToken, waitForCrdEstablished } from './helpers.js';

export const OPERATOR_NS = 'ward-system';
export const OPERATOR_SA = 'ward-operator';

let installed: Promise<void> | undefined;

/** The generated CRD and the shipped RBAC (deploy/operator.yaml objects), once per test file. */
export function installOperatorPrereqs(): Promise<void> {
  installed ??= (async () => {
    const admin = adminKubeConfig();
    await serverSideApplyRaw(admin, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', registryDeploymentCrd(), 'ward-test');
    await waitForCrdEstablished(CRD_NAME);
    for (const o of operatorInstallObjects()) {
      if (o.kind === 'Deployment' || o.kind === 'Service' || o.kind === 'NetworkPolicy') continue;
      await applyAsAdmin(o as never);
    }
  })();
  return installed;
}

export function adminRest(): RestClient {
  return new RestClient(adminKubeConfig());
}

export async function operatorKubeConfig(): Promise<KubeConfig> {
  return serviceAccountToken(OPERATOR_NS, OPERATOR_SA);
}

export interface RunningOperator {
  readonly handle: OperatorHandle;
  readonly namespaces: readonly string[];
  readonly requests: RequestRecord[];
  readonly logs: string[];
  /** Number of completed reconciles per key. */
  readonly reconciles: Map<string, number>;
  writes(): RequestRecord[];
  /** Waits until `key` has been reconciled `n` more times than now. */
  reconciledAgain(key: string, n?: number, timeoutMs?: number): Promise<void>;
}

export async function startOperator(namespaces: readonly string[], extra: Partial<OperatorOptions> = {}): Promise<RunningOperator> {
  const requests: RequestRecord[] = [];
  const logs: string[] = [];
  const reconciles = new Map<string, number>();
  const destination = new Writable({ write(chunk: Buffer, _enc, cb) { logs.push(chunk.toString('utf8')); cb(); } });
  const handle = await runOperator({
    kubeConfig: await operatorKubeConfig(),
    namespaces,
    log: createLogger({ level: 'debug', destination }),
    resyncMs: 600_000,
    missingCrdRetryMs: 500,
    onRequest: (r) => requests.push(r),
    onReconciled: (key) => reconciles.set(key, (reconciles.get(key) ?? 0) + 1),
    ...extra,
  });
  return {
    handle, requests, logs, reconciles, namespaces,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    async reconciledAgain(key, n = 1, timeoutMs = 30_000) {
      const target = (reconciles.get(key) ?? 0) + n;
      await waitFor(`${String(n)} more reconcile(s) of ${key}`, () => (reconciles.get(key) ?? 0) >= target, timeoutMs);
    },
  };
}

/** Polls `check` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`);
}

export function rdPath(ns: string, name: string): string {
  return `/apis/ward.g2p.dev/v1alpha1/namespaces/${ns}/registrydeployments/${name}`;
}

export async function createRd(ns: string, name: string, spec: unknown): Promise<RegistryObject> {
  return adminRest().apply<RegistryObject>(rdPath(ns, name), { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace: ns }, spec }, 'ward-test');
}

export async function getRd(ns: string, name: string): Promise<RegistryObject> {
  return adminRest().get<RegistryObject>(rdPath(ns, name));
}

export function conditionOf(rd: RegistryObject, type: string): Condition | undefined {
  return rd.status?.conditions?.find((c) => c.type === type);
}

/** Waits until condition `type` has `status` (and `reason`, when given) for the current generation. */
export async function waitForCondition(ns: string, name: string, type: string, status: string, reason?: string): Promise<RegistryObject> {
  const timeoutMs = 30_000;
  return waitFor(`${ns}/${name} ${type}=${status}${reason ? `/${reason}` : ''}`, async () => {
    const rd = await getRd(ns, name);
    const c = conditionOf(rd, type);
    const fresh = rd.status?.observedGeneration === rd.metadata.generation;
    return fresh && c?.status === status && (reason === undefined || c.reason === reason) ? rd : undefined;
  }, timeoutMs);
}

export async function listLabelled(path: string, selector: string): Promise<KubeObject[]> {
  return (await adminRest().get<{ items: KubeObject[] }>(path, { labelSelector: selector })).items;
}

/** A small explicit stack: registry → postgresql 5432 and → minio 9000 (no personal data: no key manager needed). */
export function smallSpec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    components: [
      { name: 'registry', selector: { app: 'odoo' }, serviceAccount: 'odoo', ports: [{ name: 'http', port: 8069 }], personalData: false },
      { name: 'postgresql', selector: { app: 'pg' }, serviceAccount: 'pg', ports: [{ name: 'tcp-pg', port: 5432 }], personalData: false },
      { name: 'minio', selector: { app: 'minio' }, serviceAccount: 'minio', ports: [{ name: 'http-s3', port: 9000 }] },
    ],
    flows: [
      { from: 'registry', to: { component: 'postgresql' }, ports: [{ port: 5432 }] },
      { from: 'registry', to: { component: 'minio' }, ports: [{ port: 9000 }] },
    ],
    ...overrides,
  };
}

/** The server-side Table rendering (what `kubectl get rd` prints): column names and the first row's cells. */
export async function printerTable(ns: string, name: string): Promise<{ columns: string[]; cells: unknown[] }> {
  const kc = adminKubeConfig();
  const { request } = await import('node:https');
  const opts: import('node:https').RequestOptions = { method: 'GET', headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } };
  await kc.applyToHTTPSOptions(opts);
  const url = new URL(rdPath(ns, name), kc.getCurrentCluster()?.server);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let t = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (t += c));
      res.on('end', () => resolve(t));
    });
    req.on('error', reject);
    req.end();
  });
  const table = JSON.parse(text) as { columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] };
  return { columns: table.columnDefinitions.map((c) => c.name), cells: table.rows[0]?.cells ?? [] };
}

/**
 * Deletes every RegistryDeployment in the operator's namespaces, lets the operator clean up and
 * release its finalizer, then stops it: suites that read the whole cluster (ward flows --cluster)
 * must not find this suite's RegistryDeployments. Anything left (e.g. the operator was stopped
 * earlier) has its finalizer removed by hand.
 */
export async function stopAndClean(op: RunningOperator | undefined): Promise<void> {
  if (!op) return;
  const admin = adminRest();
  const paths = async (): Promise<string[]> => {
    const out: string[] = [];
    for (const ns of op.namespaces) {
      const list = await admin.get<{ items: RegistryObject[] }>(`/apis/ward.g2p.dev/v1alpha1/namespaces/${ns}/registrydeployments`);
      out.push(...list.items.map((rd) => rdPath(ns, rd.metadata.name)));
    }
    return out;
  };
  for (const p of await paths()) await admin.delete(p).catch(() => undefined);
  await waitFor('the operator to remove its RegistryDeployments', async () => (await paths()).length === 0, 20_000).catch(() => undefined);
  await op.handle.stop(5000);
  for (const p of await paths()) await admin.json('PATCH', p, {}, { metadata: { finalizers: null } }, 'application/merge-patch+json').catch(() => undefined);
  admin.close();
}

/** The Secrets examples/openg2p-social-registry.yaml needs to become Ready (strong generated values). */
const EXAMPLE_SECRETS: Record<string, string[]> = {
  'openg2p-postgresql': ['password', 'postgres-password'],
  'openg2p-odoo': ['odoo-password'],
  'openg2p-minio': ['root-password'],
  'openg2p-keymanager-postgresql': ['password', 'postgres-password'],
  'openg2p-keymanager-softhsm': ['security-pin'],
  'openg2p-odk-central-postgresql': ['password', 'postgres-password'],
  // The preset's OIDC client Secret (named after the chart's client id openg2p-sr-<namespace>) and the
  // example's key-manager client Secret.
  'openg2p-sr-dev': ['client_secret'],
  'openg2p-admin-client': ['client_secret'],
};

/** Creates the example's Secrets in `ns` (the namespace must exist). */
export async function createExampleSecrets(ns: string): Promise<void> {
  const admin = adminRest();
  for (const [secret, keys] of Object.entries(EXAMPLE_SECRETS)) {
    const data = Object.fromEntries(keys.map((k, i) => [k, Buffer.from(`Zq${String(i)}x8Vt3Lm9Pw2Rk7Hs4Nd6Fb1Gc5Jy0${k}`).toString('base64')]));
    await admin.apply(`/api/v1/namespaces/${ns}/secrets/${secret}`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret, namespace: ns }, data }, 'ward-test');
  }
}
