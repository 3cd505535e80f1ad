/**
 * The operator's process life on a real API server: `ward operator` as a child process (health,
 * readiness, metrics, JSON logs, SIGTERM within the grace period, Lease released), leader election
 * between two instances, a restart in the middle of a reconcile, and plain-JSON round trips (every
 * field ward applies survives, Istio's included).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { isSubset, objectKey } from '../../operator/diff.js';
import { collectionPath, OWNED_KINDS } from '../../operator/kinds.js';
import type { Lease } from '../../operator/leader.js';
import type { ClusterPort } from '../../operator/port.js';
import { FINALIZER } from '../../operator/reconcile.js';
import { describeCluster, ensureNamespace, freshNamespace, kubeconfigPath, serviceAccountToken } from './helpers.js';
import {
  adminRest, conditionOf, createRd, getRd, installOperatorPrereqs, listLabelled, OPERATOR_NS, operatorKubeConfig, smallSpec, startOperator, stopAndClean, waitFor, waitForCondition,
  type RunningOperator,
} from './operator-support.js';

const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NS}/leases/ward-operator-leader`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function httpGet(port: number, path: string, token?: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${String(port)}${path}`, token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

/** A self-signed P-256 certificate for 127.0.0.1 in DIR/tls.crt and DIR/tls.key. */
function makeCert(dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt'),
    '-days', '1', '-subj', '/CN=ward-operator-metrics', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
}

/** GET over HTTPS, trusting only `ca`. */
function httpsGet(port: number, path: string, ca: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, ca, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A ServiceAccount token of `ns/sa`, the SA bound to the ClusterRole `role` first when one is given. */
async function scraperToken(ns: string, sa: string, role?: string): Promise<string> {
  const kc = await serviceAccountToken(ns, sa);
  if (role) {
    await adminRest().apply(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ns}-${sa}`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${ns}-${sa}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }],
    }, 'ward-test');
  }
  return kc.getCurrentUser()?.token ?? '';
}

/** Every child ward applied for ns/name, by object key. */
async function children(ns: string, name: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const info of OWNED_KINDS) {
    for (const o of await listLabelled(collectionPath(info), `ward.g2p.dev/owner=${ns}.${name}`)) {
      const typed = { ...o, apiVersion: info.apiVersion, kind: info.kind };
      out.set(objectKey(typed), typed);
    }
  }
  return out;
}

describeCluster('operator: process life', () => {
  let op: RunningOperator | undefined;
  let child: ChildProcess | undefined;
  const dirs: string[] = [];
  beforeAll(async () => {
    await installOperatorPrereqs();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
    if (child && child.exitCode === null) child.kill('SIGKILL');
    child = undefined;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('ward operator serves /healthz, /readyz and /metrics (to a token allowed get /metrics only), logs JSON, and on SIGTERM exits 0 and releases its Lease', async () => {
    const ns = await freshNamespace();
    const dir = mkdtempSync(join(tmpdir(), 'ward-op-'));
    dirs.push(dir);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, (await operatorKubeConfig()).exportConfig(), { mode: 0o600 });
    const [metricsPort, healthPort] = [await freePort(), await freePort()];
    const stdout: string[] = [];
    const proc = spawn(process.execPath, ['bin/ward.js', 'operator', '--kubeconfig', kubeconfig, '--namespace', ns, '--metrics-addr', `127.0.0.1:${String(metricsPort)}`,
      '--health-addr', `127.0.0.1:${String(healthPort)}`, '--leader-elect', '--leader-election-namespace', OPERATOR_NS, '--grace-period', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (c: Buffer) => stdout.push(c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
    await waitFor('/healthz', async () => (await httpGet(healthPort, '/healthz')).status === 200);
    await waitFor('/readyz', async () => (await httpGet(healthPort, '/readyz')).status === 200);
    await createRd(ns, 'sr', smallSpec());
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    // /metrics: TokenReview + SubjectAccessReview against the API server, as controller-runtime's secure metrics.
    expect((await httpGet(metricsPort, '/metrics')).status).toBe(401);
    expect((await httpGet(metricsPort, '/metrics', 'not-a-token')).status).toBe(401);
    const denied = await httpGet(metricsPort, '/metrics', await scraperToken(ns, 'curious'));
    expect(denied).toEqual({ status: 403, text: `system:serviceaccount:${ns}:curious may not get /metrics (bind the ClusterRole ward-operator-metrics-reader)\n` });
    const scrape = await httpGet(metricsPort, '/metrics', await scraperToken(ns, 'prometheus', 'ward-operator-metrics-reader'));
    expect(scrape.status).toBe(200);
    const metrics = scrape.text;
    expect(metrics).toContain('controller_runtime_reconcile_total{controller="registrydeployment",result="success"}');
    expect(metrics).toContain('leader_election_master_status{name="ward-operator-leader"} 1');
    expect(metrics).toMatch(/workqueue_adds_total\{name="registrydeployment"\} [1-9]/);
    expect(metrics).toMatch(/rest_client_requests_total\{code="200",method="PATCH",host="127\.0\.0\.1:\d+"\} [1-9]/);
    expect((await adminRest().get<Lease>(LEASE)).spec.holderIdentity).toMatch(/_\d+$/);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect((await adminRest().get<Lease>(LEASE)).spec.holderIdentity).toBe('');
    const lines = stdout.join('').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(JSON.parse(line)).toHaveProperty('level');
    expect(lines.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'stopped')).toBe(true);
    op = await startOperator([ns]); // so afterEach removes the RegistryDeployment this test left
  });

  it('with a certificate serves /metrics over HTTPS only (the scraper verifying it with its CA), still to authorised tokens only, and picks up a renewed certificate', async () => {
    const ns = await freshNamespace();
    const dir = mkdtempSync(join(tmpdir(), 'ward-tls-'));
    dirs.push(dir);
    makeCert(dir);
    const tls = { cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') };
    const readPair = (): Promise<{ cert: string; key: string }> => Promise.resolve({ cert: readFileSync(join(dir, 'tls.crt'), 'utf8'), key: readFileSync(join(dir, 'tls.key'), 'utf8') });
    op = await startOperator([ns], { metricsAddr: '127.0.0.1:0', metricsTls: tls, reloadMetricsTls: readPair, metricsTlsReloadMs: 100 });
    const port = op.handle.metricsPort ?? 0;
    const token = await scraperToken(ns, 'prometheus', 'ward-operator-metrics-reader');
    const scrape = await httpsGet(port, '/metrics', tls.cert, token);
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('controller_runtime_reconcile_total');
    expect((await httpsGet(port, '/metrics', tls.cert)).status).toBe(401);
    await expect(httpGet(port, '/metrics', token)).rejects.toThrow(); // no plain HTTP on the TLS port
    // A renewed certificate in the directory (cert-manager's renewal) is served without a restart.
    makeCert(join(dir, 'renewed'));
    const renewed = readFileSync(join(dir, 'renewed', 'tls.crt'), 'utf8');
    await expect(httpsGet(port, '/metrics', renewed, token)).rejects.toThrow(); // not trusted yet: the old certificate is served
    writeFileSync(join(dir, 'tls.key'), readFileSync(join(dir, 'renewed', 'tls.key')));
    writeFileSync(join(dir, 'tls.crt'), renewed);
    await waitFor('the renewed certificate to be served', async () => (await httpsGet(port, '/metrics', renewed, token)).status === 200);
    // The CLI refuses a directory without a usable pair, naming the file, with exit 2.
    writeFileSync(join(dir, 'tls.key'), 'not a key\n');
    const bad = spawnSync(process.execPath, ['bin/ward.js', 'operator', '--kubeconfig', kubeconfigPath ?? '', '--metrics-cert-dir', dir], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--metrics-cert-dir ${dir}: tls.crt and tls.key are not a usable certificate and key`);
    expect(bad.stderr).not.toContain('not a key');
  });

  it('of two instances with leader election only one reconciles, and the other takes over when the leader stops', async () => {
    const ns = await freshNamespace();
    const timings = { leaderElect: true, leaderNamespace: OPERATOR_NS, leaseDurationSeconds: 3, renewDeadlineMs: 2000, retryPeriodMs: 200 };
    const first = await startOperator([ns], { ...timings, identity: 'first' });
    await waitFor('first to lead', async () => (await adminRest().get<Lease>(LEASE)).spec.holderIdentity === 'first');
    const second = await startOperator([ns], { ...timings, identity: 'second' });
    op = second;
    expect(second.handle.ready()).toBe(true); // a standby is ready: rollouts of several replicas do not wait for it
    await createRd(ns, 'sr', smallSpec());
    await waitForCondition(ns, 'sr', 'Ready', 'True');
    expect(second.reconciles.size).toBe(0);
    await first.handle.stop(5000);
    await waitFor('second to lead', async () => (await adminRest().get<Lease>(LEASE)).spec.holderIdentity === 'second');
    second.handle.controller.queue.add(`${ns}/sr`);
    await second.reconciledAgain(`${ns}/sr`);
    expect(second.writes().filter((w) => !w.path.includes('/leases'))).toEqual([]);
  });

  it('an operator frozen in the middle of a reconcile and replaced converges without duplicates', async () => {
    const ns = await freshNamespace();
    let applies = 0;
    let frozen!: () => void;
    const froze = new Promise<void>((resolve) => (frozen = resolve));
    const freezeAfterThree = (port: ClusterPort): ClusterPort => ({
      getRegistry: (a, b) => port.getRegistry(a, b),
      listOwned: (a, b) => port.listOwned(a, b),
      apply: (o) => {
        applies += 1;
        if (applies <= 3) return port.apply(o);
        frozen();
        return new Promise(() => undefined); // the process "dies" here: nothing after this happens
      },
      delete: (...a) => port.delete(...a),
      setFinalizers: (a, b) => port.setFinalizers(a, b),
      applyStatus: (a, b) => port.applyStatus(a, b),
      getSecret: (a, b) => port.getSecret(a, b),
      createSecret: (a) => port.createSecret(a),
      deleteSecret: (...a) => port.deleteSecret(...a),
      recordEvent: (a, b) => port.recordEvent(a, b),
    });
    const doomed = await startOperator([ns], { wrapPort: freezeAfterThree });
    await createRd(ns, 'sr', smallSpec());
    await froze;
    expect((await children(ns, 'sr')).size).toBe(3);
    expect(conditionOf(await getRd(ns, 'sr'), 'Ready')).toBeUndefined();
    await doomed.handle.stop(100);
    op = await startOperator([ns]);
    const rd = await waitForCondition(ns, 'sr', 'Ready', 'True');
    const parsed = parseRegistrySpec(rd);
    if (!parsed.ok) throw new Error('spec should be valid');
    const desired = synthesize(parsed.spec, { owner: { name: 'sr', namespace: ns, uid: rd.metadata.uid } });
    expect([...(await children(ns, 'sr')).keys()].sort()).toEqual(desired.map(objectKey).sort());
    expect(rd.metadata.finalizers).toEqual([FINALIZER]);
    const types = (rd.status?.conditions ?? []).map((c) => c.type);
    expect(new Set(types).size).toBe(types.length);
  });

  it('every field of every object ward applies survives the round trip to the API server (plain JSON, Istio included)', async () => {
    const ns = await freshNamespace();
    await ensureNamespace('istio-system');
    op = await startOperator([ns]);
    await createRd(ns, 'sr', { preset: 'openg2p-social-registry', mesh: { meshWide: false } });
    const rd = await waitForCondition(ns, 'sr', 'MeshPolicyApplied', 'True');
    const parsed = parseRegistrySpec(rd);
    if (!parsed.ok) throw new Error(`spec should be valid: ${JSON.stringify(parsed.issues)}`);
    const desired = synthesize(parsed.spec, { owner: { name: 'sr', namespace: ns, uid: rd.metadata.uid } });
    const live = await children(ns, 'sr');
    expect(desired.some((o) => o.kind === 'AuthorizationPolicy')).toBe(true);
    for (const d of desired) {
      const l = live.get(objectKey(d));
      expect(l, objectKey(d)).toBeDefined();
      expect(isSubset({ ...d, metadata: { ...d.metadata, ownerReferences: undefined } }, l), objectKey(d)).toBe(true);
    }
  });
});
