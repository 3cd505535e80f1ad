/**
 * Operator at scale on the local control plane (kube-apiserver + etcd from `ward dev-cluster`):
 * N RegistryDeployments of the OpenG2P Social Registry preset in N namespaces (default 200; each with
 * its five Secrets), reconciled by one in-process operator. Prints the time until all are Ready
 * (median and p95 per CR, and the total), API requests per CR (reads and writes; writes per applied
 * child as the ratio against the ideal 1.0), peak RSS, and the writes during a steady-state window
 * with periodic resyncs (target 0).
 *   npm run bench -- operator
 *   WARD_BENCH_OPERATOR_N=50 WARD_BENCH_OPERATOR_STEADY_S=20 npm run bench -- operator
 */
import { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { parse } from 'yaml';
import { parseRegistrySpec } from '../charts-src/model/index.js';
import { down, up } from '../dev-cluster/cluster.js';
import { waitForCrdEstablished } from '../dev-cluster/crds.js';
import { serverSideApplyRaw } from '../dev-cluster/raw.js';
import { CRD_NAME, registryDeploymentCrd } from '../operator/crd.js';
import { RestClient, type RequestRecord } from '../operator/kube/rest.js';
import type { RegistryObject } from '../operator/port.js';
import { runOperator } from '../operator/run.js';
import { fmtMs, median } from './measure.js';

const N = Number(process.env.WARD_BENCH_OPERATOR_N ?? 200);
const STEADY_S = Number(process.env.WARD_BENCH_OPERATOR_STEADY_S ?? 60);
const RESYNC_MS = 20_000;
const SECRETS: Record<string, string[]> = {
  'openg2p-postgresql': ['password', 'postgres-password'],
  'openg2p-odoo': ['odoo-password'],
  'openg2p-minio': ['root-password'],
  'openg2p-keymanager': ['p12-keystore-pass'],
  'openg2p-admin-client': ['client_secret'],
};

/** A random 32-byte value, base64: what a good Secret holds. */
function strongValue(): string {
  return randomBytes(32).toString('base64');
}

async function pool<T>(items: readonly T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: size }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  }));
}

const isReady = (rd: RegistryObject): boolean => rd.status?.observedGeneration === rd.metadata.generation && rd.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** Polls until every RegistryDeployment is Ready; returns when each became Ready (by namespace). */
async function waitAllReady(admin: RestClient, t0: number): Promise<Map<string, number>> {
  const readyAt = new Map<string, number>();
  const deadline = performance.now() + 30 * 60_000;
  let lastNotReady = '';
  let lastReport = performance.now();
  while (readyAt.size < N && performance.now() < deadline) {
    const list = await admin.get<{ items: RegistryObject[] }>('/apis/ward.g2p.dev/v1alpha1/registrydeployments');
    const now = performance.now();
    for (const rd of list.items) if (isReady(rd) && !readyAt.has(rd.metadata.namespace)) readyAt.set(rd.metadata.namespace, now);
    const pending = list.items.find((rd) => !isReady(rd));
    lastNotReady = pending ? JSON.stringify(pending.status?.conditions?.filter((c) => c.status !== 'True')) : '';
    if (now - lastReport > 10_000) {
      lastReport = now;
      process.stderr.write(`bench: ${String(readyAt.size)}/${String(N)} Ready after ${fmtMs(now - t0)}\n`);
    }
    if (readyAt.size < N) await sleep(250);
  }
  if (readyAt.size < N) throw new Error(`only ${String(readyAt.size)}/${String(N)} Ready after 30 min; e.g. ${lastNotReady}`);
  return readyAt;
}

/** "PATCH /apis/.../namespaces/*\/x/* 200 ×3; ..." for writes that should not have happened. */
function writeKinds(writes: readonly RequestRecord[]): string {
  const kinds = new Map<string, number>();
  for (const w of writes) {
    const k = `${w.method} ${w.path.replace(/namespaces\/[^/]+/, 'namespaces/*').replace(/\/[^/]+$/, '/*')} ${String(w.status)}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  return [...kinds].map(([k, n]) => `${k} ×${String(n)}`).join('; ');
}

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ward-bench-op-'));
  const cluster = await up({ dir, env: process.env, progress: (l) => void process.stderr.write(`bench: ${l}\n`), detached: false, ownerPid: process.pid });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.state.kubeconfig);
    kc.setCurrentContext('admin');
    const admin = new RestClient(kc);
    await serverSideApplyRaw(kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', registryDeploymentCrd(), 'ward-bench');
    await waitForCrdEstablished(kc, CRD_NAME);
    const example = parse(readFileSync(new URL('../examples/openg2p-social-registry.yaml', import.meta.url), 'utf8')) as { spec: Record<string, unknown> };
    const parsed = parseRegistrySpec(example);
    if (!parsed.ok) throw new Error(`examples/openg2p-social-registry.yaml is invalid: ${JSON.stringify(parsed.issues[0])}`);
    // The preset's token URL is plain http into another namespace (KeyManagerConfigured=False/InsecureURL): use https.
    const keyManager = { ...parsed.spec.keyManager, tokenUrl: 'https://keycloak.keycloak/realms/openg2p/protocol/openid-connect/token' };
    const namespaces = Array.from({ length: N }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
    const t0Setup = performance.now();
    await pool(namespaces, 16, async (ns) => {
      await admin.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      for (const [name, keys] of Object.entries(SECRETS)) {
        const data = Object.fromEntries(keys.map((k) => [k, Buffer.from(strongValue()).toString('base64')]));
        await admin.post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data });
      }
    });
    process.stdout.write(`setup: ${String(N)} namespaces with ${String(Object.keys(SECRETS).length)} Secrets each in ${fmtMs(performance.now() - t0Setup)}\n`);

    const requests: RequestRecord[] = [];
    let peakRss = process.memoryUsage().rss;
    const rssBefore = peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
    const op = await runOperator({ kubeConfig: kc, log: pino({ level: 'warn' }), resyncMs: RESYNC_MS, onRequest: (r) => requests.push(r), identity: 'bench' });
    const created = new Map<string, number>();
    const t0 = performance.now();
    await pool(namespaces, 16, async (ns) => {
      const spec = { ...example.spec, namespace: ns, keyManager: { ...keyManager, apiBaseUrl: `http://openg2p-keymanager.${ns}/v1/keymanager` } };
      created.set(ns, performance.now());
      await admin.apply(`/apis/ward.g2p.dev/v1alpha1/namespaces/${ns}/registrydeployments/social-registry`, { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'social-registry', namespace: ns }, spec }, 'ward-bench');
    });
    const readyAt = await waitAllReady(admin, t0);
    const allReadyMs = performance.now() - t0;
    const untilReady = [...readyAt].map(([ns, at]) => at - (created.get(ns) ?? t0));
    const sorted = [...untilReady].sort((a, b) => a - b);
    const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
    const rampRequests = [...requests];
    const writes = rampRequests.filter((r) => r.method !== 'GET');
    const childApplies = writes.filter((r) => r.method === 'PATCH' && !r.path.endsWith('/status') && !r.path.includes('/registrydeployments/')).length;
    const children = (await admin.get<{ items: RegistryObject[] }>('/apis/ward.g2p.dev/v1alpha1/registrydeployments')).items.reduce((n, rd) => n + (rd.status?.children ?? 0), 0);

    await sleep(2000); // let the watch deliver the last of the operator's own writes
    const steadyStart = requests.length;
    await sleep(STEADY_S * 1000);
    const steady = requests.slice(steadyStart);
    const steadyWrites = steady.filter((r) => r.method !== 'GET');
    clearInterval(sampler);
    await op.stop(5000);

    const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    const out = [
      `RegistryDeployments: ${String(N)} (preset openg2p-social-registry, ${String(children / N)} children each, ${String(children)} in all)`,
      `all Ready after: ${fmtMs(allReadyMs)} (${(N / (allReadyMs / 1000)).toFixed(1)} CR/s); per CR from create to Ready: median ${fmtMs(median(untilReady))}, p95 ${fmtMs(p95)}`,
      `API requests per CR until Ready: ${(rampRequests.length / N).toFixed(1)} (${((rampRequests.length - writes.length) / N).toFixed(1)} reads: lists and Secret gets; the ~15 long-lived watch streams are not counted, ${(writes.length / N).toFixed(1)} writes)`,
      `child applies per applied child: ${(childApplies / children).toFixed(2)} (ideal 1.00)`,
      `peak RSS: ${mib(peakRss)} (before the operator started: ${mib(rssBefore)}, delta ${mib(peakRss - rssBefore)}; in-process with the bench harness)`,
      `steady state ${String(STEADY_S)} s with resync every ${String(RESYNC_MS / 1000)} s: ${String(steadyWrites.length)} writes (target 0), ${String(steady.length - steadyWrites.length)} reads (${((steady.length - steadyWrites.length) / N / (STEADY_S / (RESYNC_MS / 1000))).toFixed(1)} per CR per resync)`,
    ];
    const byKind = writeKinds(steadyWrites);
    if (byKind) out.push(`steady-state writes by kind: ${byKind}`);
    process.stdout.write(`${out.join('\n')}\n`);
    admin.close();
  } finally {
    await down(dir, { purge: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
