/**
 * The Helm chart charts/ward-operator with the real Helm (scripts/ci-helm.sh) as a platform team runs
 * it: `helm lint` and `helm template` (the default render is deploy/, minus the Namespace Helm does
 * not own), then `helm install` on the dev cluster. The dev cluster has no kubelet, so the installed
 * Deployment's own container arguments are run as a local `ward operator` process with the installed
 * ServiceAccount's token (TokenRequest): the chart's RBAC and arguments must be enough for it to
 * reconcile the shipped example to Ready. `helm upgrade` and `helm uninstall` keep the CRD and the
 * RegistryDeployment.
 */
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_CONTEXT } from '../../dev-cluster/kubeconfig.js';
import type { KubeObject } from '../../charts-src/kube.js';
import { CRD_NAME } from '../../operator/crd.js';
import { operatorInstallObjects } from '../../operator/deploy.js';
import { runCheck } from '../../policies/engine.js';
import { isNotFound } from '../../operator/kube/rest.js';
import { helm, OPERATOR_CHART, REPO_ROOT, requireHelm } from '../support/helm.js';
import { describeCluster, freshNamespace, kubeconfigPath, serviceAccountToken, waitForCrdEstablished } from './helpers.js';
import { adminRest, createExampleSecrets, createRd, getRd, rdPath, waitFor, waitForCondition } from './operator-support.js';

interface Obj { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; uid?: string }; spec?: Record<string, unknown> }

const RELEASE = 'ward-helm-it';
const HELM = requireHelm();
const describeHelm = HELM ? describe : describe.skip;

function docs(text: string): Obj[] {
  return parseAllDocuments(text).map((d) => d.toJS() as Obj | null).filter((o): o is Obj => !!o);
}

const keyOf = (o: Obj): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

function deployDir(file: string): Obj[] {
  return docs(readFileSync(join(REPO_ROOT, 'deploy', file), 'utf8'));
}

describeHelm('charts/ward-operator: helm lint and template', () => {
  it('lints clean with --strict, and its values schema refuses a typo\'d key and an empty scraper list', async () => {
    const ok = await helm(HELM, ['lint', OPERATOR_CHART, '--strict']);
    expect(ok.exitCode, ok.stdout + ok.stderr).toBe(0);
    const typo = await helm(HELM, ['lint', OPERATOR_CHART, '--strict', '--set', 'replica=3']);
    expect(typo.exitCode).not.toBe(0);
    expect(typo.stdout + typo.stderr).toContain("additional properties 'replica' not allowed");
    const empty = await helm(HELM, ['template', RELEASE, OPERATOR_CHART, '--set', 'metricsScrapers=null']);
    expect(empty.exitCode).not.toBe(0);
    expect(empty.stderr).toContain("missing property 'metricsScrapers'");
  });

  it('renders with the default values exactly the objects of deploy/ (but the Namespace), object by object', async () => {
    const out = await helm(HELM, ['template', 'ward-operator', OPERATOR_CHART, '--namespace', 'ward-system']);
    expect(out.exitCode, out.stderr).toBe(0);
    const rendered = new Map(docs(out.stdout).map((o) => [keyOf(o), o]));
    const deploy = [...deployDir('operator.yaml'), ...deployDir('ward-auditor.yaml')].filter((o) => o.kind !== 'Namespace');
    expect([...rendered.keys()].sort()).toEqual(deploy.map(keyOf).sort());
    for (const o of deploy) expect(isDeepStrictEqual(rendered.get(keyOf(o)), o), `${keyOf(o)} differs from deploy/`).toBe(true);
  });

  it('with metricsTls.secretName renders what the construct synthesises with metricsTlsSecret (HTTPS /metrics, mounted Secret, verifying ServiceMonitor), and it passes strict', async () => {
    const out = await helm(HELM, ['template', 'ward-operator', OPERATOR_CHART, '-n', 'ward-system', '--set', 'metricsTls.secretName=op-tls', '--set', 'serviceMonitor.enabled=true']);
    expect(out.exitCode, out.stderr).toBe(0);
    const rendered = new Map(docs(out.stdout).map((o) => [keyOf(o), o]));
    const expected = [...operatorInstallObjects({ createNamespace: false, serviceMonitor: true, metricsTlsSecret: 'op-tls' }), ...deployDir('ward-auditor.yaml')] as unknown as Obj[];
    expect([...rendered.keys()].sort()).toEqual(expected.map(keyOf).sort());
    for (const o of expected) expect(isDeepStrictEqual(rendered.get(keyOf(o)), o), `${keyOf(o)} differs from the construct's`).toBe(true);
    const args = (rendered.get('Deployment/ward-system/ward-operator') as unknown as { spec: { template: { spec: { containers: { args: string[] }[] } } } }).spec.template.spec.containers[0]?.args;
    expect(args).toContain('--metrics-cert-dir=/etc/ward/metrics-tls');
    const check = runCheck({ objects: [...rendered.values()] as unknown as KubeObject[], now: new Date('2026-12-03T00:00:00Z') });
    expect(check.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it('passes ward\'s own gate: helm template --post-renderer ward-postrender (strict) lets the render through unchanged', async () => {
    const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const plain = await helm(HELM, ['template', 'ward-operator', OPERATOR_CHART, '-n', 'ward-system']);
    const gated = await helm(HELM, ['template', 'ward-operator', OPERATOR_CHART, '-n', 'ward-system', '--post-renderer', join(REPO_ROOT, 'bin', 'ward-postrender.js'), '--post-renderer-args', '--profile=strict'], { env });
    expect(gated.exitCode, gated.stderr).toBe(0);
    expect(docs(gated.stdout).map(keyOf)).toEqual(docs(plain.stdout).map(keyOf));
  });

  it('with one replica renders no PodDisruptionBudget and no --leader-elect; watched namespaces and log level become arguments', async () => {
    const out = await helm(HELM, ['template', 'r', OPERATOR_CHART, '-n', 'ops', '--set', 'replicas=1', '--set', 'watchNamespaces={sr,dev}', '--set', 'logLevel=debug', '--set', 'auditor.enabled=false']);
    expect(out.exitCode, out.stderr).toBe(0);
    const objects = docs(out.stdout);
    expect(objects.map((o) => o.kind)).not.toContain('PodDisruptionBudget');
    expect(objects.some((o) => o.metadata.name === 'ward-auditor')).toBe(false);
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { replicas: number; template: { spec: { containers: { args: string[] }[]; serviceAccountName: string } } } };
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('r');
    expect(deployment.spec.template.spec.containers[0]?.args).toEqual(['operator', '--leader-election-namespace=ops', '--namespace=sr', '--namespace=dev', '--metrics-addr=:8080', '--health-addr=:8081', '--grace-period=20', '--log-level=debug']);
  });
});

interface Running { readonly process: ResultPromise; output: string }

/** Runs the installed Deployment's container arguments as a local `ward operator` with its ServiceAccount's identity. */
async function runInstalledOperator(ns: string, dir: string): Promise<Running> {
  const deployment = await adminRest().get<{ spec: { template: { spec: { containers: { args: string[] }[]; serviceAccountName: string } } } }>(`/apis/apps/v1/namespaces/${ns}/deployments/${RELEASE}`);
  const pod = deployment.spec.template.spec;
  const kubeconfig = join(dir, 'operator.kubeconfig');
  writeFileSync(kubeconfig, (await serviceAccountToken(ns, pod.serviceAccountName)).exportConfig(), { mode: 0o600 });
  const args = [...(pod.containers[0]?.args ?? [])];
  expect(args[0]).toBe('operator');
  // The pod's listen addresses (:8080, :8081) could be taken on a shared test machine.
  const child = execa(process.execPath, [join(REPO_ROOT, 'bin', 'ward.js'), ...args, '--kubeconfig', kubeconfig, '--metrics-addr=127.0.0.1:0', '--health-addr=127.0.0.1:0'], { reject: false, stdin: 'ignore', all: true });
  const running: Running = { process: child, output: '' };
  child.all?.on('data', (c: Buffer) => { running.output += c.toString('utf8'); });
  return running;
}

async function stop(r: Running | undefined): Promise<void> {
  if (!r || r.process.exitCode !== undefined && r.process.exitCode !== null) return;
  r.process.kill('SIGTERM');
  await r.process;
}

async function gone(path: string): Promise<boolean> {
  try {
    await adminRest().get(path);
    return false;
  } catch (err) {
    if (isNotFound(err)) return true;
    throw err;
  }
}

describeCluster('charts/ward-operator: helm install, upgrade and uninstall on the dev cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-helm-it-'));
  const kube = ['--kubeconfig', kubeconfigPath ?? '', '--kube-context', ADMIN_CONTEXT];
  let ns = '';
  let op: Running | undefined;
  const example = parse(readFileSync(join(REPO_ROOT, 'examples', 'openg2p-social-registry.yaml'), 'utf8')) as { metadata: { name: string; namespace: string }; spec: Record<string, unknown> };
  const exampleNs = example.metadata.namespace;

  beforeAll(async () => {
    if (!HELM) return;
    await waitForCrdEstablished(CRD_NAME);
    ns = await freshNamespace('ward-helm-');
    await adminRest().json('PATCH', `/api/v1/namespaces/${ns}`, {}, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } }, 'application/merge-patch+json');
    await adminRest().apply(`/api/v1/namespaces/${exampleNs}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: exampleNs } }, 'ward-test');
    await createExampleSecrets(exampleNs);
    // Istio's own namespace, as on any cluster with Istio: the preset's admin-path DENY for the public gateway lives there (docs/edge.md).
    await adminRest().apply('/api/v1/namespaces/istio-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }, 'ward-test');
  });

  afterAll(async () => {
    await stop(op);
    const path = rdPath(exampleNs, example.metadata.name);
    await adminRest().json('PATCH', path, {}, { metadata: { finalizers: null } }, 'application/merge-patch+json').catch(() => undefined);
    await adminRest().delete(path).catch(() => undefined);
    if (HELM && ns) await helm(HELM, ['uninstall', RELEASE, '-n', ns, ...kube]);
  });

  it.skipIf(!HELM)('helm install --post-renderer ward-postrender refuses a release that fails the audit: nothing is created', async () => {
    const target = await freshNamespace('ward-gate-');
    const env = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
    const chart = join(REPO_ROOT, 'test', 'fixtures', 'helm', 'registry');
    const r = await helm(HELM, ['install', 'reg', chart, '-n', target, '--post-renderer', join(REPO_ROOT, 'bin', 'ward-postrender.js'), '--post-renderer-args', `--default-namespace=${target}`, ...kube], { env });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('WARD-MTLS-001');
    expect((await helm(HELM, ['status', 'reg', '-n', target, ...kube])).exitCode).not.toBe(0);
    expect(await gone(`/apis/apps/v1/namespaces/${target}/deployments/reg-registry`)).toBe(true);
  });

  it.skipIf(!HELM)('installs; the installed operator reconciles the example to Ready; upgrade and uninstall keep the CRD and the RegistryDeployment', async () => {
    const crdUid = (await adminRest().get<Obj>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`)).metadata.uid;
    const set = ['--set', `watchNamespaces={${exampleNs}}`, '--set', `auditor.name=${RELEASE}-auditor`];
    const install = await helm(HELM, ['install', RELEASE, OPERATOR_CHART, '-n', ns, ...set, ...kube]);
    expect(install.exitCode, install.stderr).toBe(0);
    expect(install.stdout).toContain('STATUS: deployed');
    const manifest = docs((await helm(HELM, ['get', 'manifest', RELEASE, '-n', ns, ...kube])).stdout);
    expect(manifest.map((o) => o.kind)).toEqual(expect.arrayContaining(['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'PodDisruptionBudget', 'Service', 'NetworkPolicy']));
    // Helm does not own the CRD (crds/ is installed, never tracked): uninstall cannot delete it.
    expect(manifest.map((o) => o.kind)).not.toContain('CustomResourceDefinition');

    op = await runInstalledOperator(ns, dir);
    const rd = await createRd(exampleNs, example.metadata.name, example.spec);
    await waitForCondition(exampleNs, example.metadata.name, 'Ready', 'True').catch((err: unknown) => { throw new Error(`${String(err)}\noperator output:\n${op?.output.slice(-3000) ?? ''}`); });

    const upgrade = await helm(HELM, ['upgrade', RELEASE, OPERATOR_CHART, '-n', ns, '--reuse-values', '--set', 'replicas=1', ...kube]);
    expect(upgrade.exitCode, upgrade.stderr).toBe(0);
    const deployment = await adminRest().get<{ spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } } }>(`/apis/apps/v1/namespaces/${ns}/deployments/${RELEASE}`);
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.containers[0]?.args).not.toContain('--leader-elect');
    expect(await gone(`/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${RELEASE}`)).toBe(true);
    expect((await adminRest().get<Obj>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`)).metadata.uid).toBe(crdUid);
    expect((await getRd(exampleNs, example.metadata.name)).metadata.uid).toBe(rd.metadata.uid);

    await stop(op);
    op = undefined;
    const uninstall = await helm(HELM, ['uninstall', RELEASE, '-n', ns, ...kube]);
    expect(uninstall.exitCode, uninstall.stderr).toBe(0);
    expect(await gone(`/apis/apps/v1/namespaces/${ns}/deployments/${RELEASE}`)).toBe(true);
    expect(await gone(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${RELEASE}`)).toBe(true);
    expect((await adminRest().get<Obj>(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CRD_NAME}`)).metadata.uid).toBe(crdUid);
    const kept = await getRd(exampleNs, example.metadata.name);
    expect(kept.metadata.uid).toBe(rd.metadata.uid);
    expect(kept.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');

    // Installed again, the operator finds its RegistryDeployment and cleans up after itself when it is deleted.
    expect((await helm(HELM, ['install', RELEASE, OPERATOR_CHART, '-n', ns, ...set, ...kube])).exitCode).toBe(0);
    op = await runInstalledOperator(ns, dir);
    await adminRest().delete(rdPath(exampleNs, example.metadata.name));
    await waitFor('the reinstalled operator to release its finalizer', async () => gone(rdPath(exampleNs, example.metadata.name)), 30_000);
  });
});
