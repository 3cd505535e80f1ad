/**
 * `ward helm-postrender` between the real Helm and its output: `helm template … --post-renderer
 * ward-postrender` (bin/ward-postrender.js, the executable Helm 3 takes) on the fixture chart
 * test/fixtures/helm/registry (hardened pods; `insecure=true` makes its pod privileged, the bad
 * chart) and on the real OpenG2P Social Registry chart. Helm runs the wrapper through
 * `/usr/bin/env node`, so the test's own Node.js goes first on its PATH.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isRecord, type KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { helm, REPO_ROOT, requireHelm } from '../support/helm.js';
import { socialRegistryChart, SR_NAMESPACE, SR_RELEASE } from '../support/openg2p-chart.js';

const HELM = requireHelm();
const CHART = join(REPO_ROOT, 'test/fixtures/helm/registry');
const SPEC = join(REPO_ROOT, 'test/fixtures/helm/registry-spec.yaml');
const POSTRENDER = join(REPO_ROOT, 'bin/ward-postrender.js');
const ENV = { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

function objectsOf(text: string): KubeObject[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((o): o is KubeObject => isRecord(o) && typeof o.kind === 'string');
}

const keyOf = (o: KubeObject): string => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** `helm template reg <chart> -n reg [--set …] --post-renderer ward-postrender --post-renderer-args …`. */
async function templateThrough(args: readonly string[], set: readonly string[] = [], chart = CHART, release = ['reg', '-n', 'reg']): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return helm(HELM, ['template', release[0]!, chart, ...release.slice(1), ...set.flatMap((s) => ['--set', s]), '--post-renderer', POSTRENDER, ...args.flatMap((a) => ['--post-renderer-args', a])], { env: ENV });
}

function postrender(args: readonly string[], input: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [POSTRENDER, ...args], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!HELM)('ward helm-postrender with the real Helm on the fixture chart', () => {
  it('gates the chart that lacks mTLS and network isolation: helm fails and shows the report, nothing is rendered', async () => {
    const r = await templateThrough(['--default-namespace=reg']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error while running post render');
    expect(r.stderr).toMatch(/high\s+WARD-MTLS-001\s+1\s+mTLS not STRICT\s+Deployment reg\/reg-registry/);
    expect(r.stderr).toContain('WARD-NET-001');
    expect(r.stderr).toContain('ward helm-postrender: the manifests did not pass (profile strict, --fail-on high); nothing was written to stdout');
  });

  it('--report writes a SARIF report for CI, passed or not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-postrender-'));
    const failed = await templateThrough(['--default-namespace=reg', `--report=${join(dir, 'gate.sarif')}`, '--report-format=sarif']);
    expect(failed.exitCode).not.toBe(0);
    const sarif = JSON.parse(readFileSync(join(dir, 'gate.sarif'), 'utf8')) as { version: string; runs: { results: { ruleId: string }[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]?.results.map((r) => r.ruleId)).toContain('WARD-MTLS-001');
    const passed = await templateThrough([`--add-hardening=${SPEC}`, '--default-namespace=reg', `--report=${join(dir, 'pass.json')}`, '--report-format=json']);
    expect(passed.exitCode, passed.stderr).toBe(0);
    expect((JSON.parse(readFileSync(join(dir, 'pass.json'), 'utf8')) as { summary: { failed: boolean } }).summary.failed).toBe(false);
  });

  it('passes it with --add-hardening: the chart\'s objects and ward\'s synthesised ones, nothing else', async () => {
    const plain = await helm(HELM, ['template', 'reg', CHART, '-n', 'reg']);
    const r = await templateThrough([`--add-hardening=${SPEC}`, '--default-namespace=reg']);
    expect(r.exitCode, r.stderr).toBe(0);
    const spec = parseRegistrySpec(parse(readFileSync(SPEC, 'utf8')));
    if (!spec.ok) throw new Error('the fixture spec is invalid');
    const expected = [...objectsOf(plain.stdout), ...synthesize(spec.spec)].map(keyOf).sort();
    expect(objectsOf(r.stdout).map(keyOf).sort()).toEqual(expected);
    expect(objectsOf(r.stdout).map((o) => o.kind)).toEqual(expect.arrayContaining(['PeerAuthentication', 'NetworkPolicy', 'AuthorizationPolicy']));
  });

  it('still gates the privileged chart with the hardening (critical WARD-POD-001); --fail-on decides what fails', async () => {
    const bad = await templateThrough([`--add-hardening=${SPEC}`, '--default-namespace=reg'], ['insecure=true']);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/critical\s+WARD-POD-001\s+1\s+Privileged container/);
    const lenient = await templateThrough(['--fail-on=critical', '--default-namespace=reg']);
    expect(lenient.exitCode, lenient.stderr).toBe(0);
    expect(objectsOf(lenient.stdout).map((o) => o.kind).sort()).toEqual(['Deployment', 'Service', 'ServiceAccount']);
  });
});

describe.skipIf(!HELM)('ward helm-postrender on stdin', () => {
  it('writes passing manifests to stdout byte for byte, with a summary line on stderr', async () => {
    const render = (await helm(HELM, ['template', 'reg', CHART, '-n', 'reg'])).stdout;
    const r = postrender(['--fail-on=critical'], render);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(render);
    expect(r.stderr).toMatch(/^ward helm-postrender: passed: 3 objects, profile strict, no finding at or above critical \(\d+ below, 0 waived\)\n$/m);
  });

  it('refuses malformed YAML, an invalid hardening spec and an empty render with exit 2 and nothing on stdout', () => {
    const malformed = postrender([], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n');
    expect(malformed.code).toBe(2);
    expect(malformed.stdout).toBe('');
    expect(malformed.stderr).toContain('<stdin>:');
    const spec = postrender([`--add-hardening=${join(REPO_ROOT, 'package.json')}`], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    expect(spec.code).toBe(2);
    expect(spec.stdout).toBe('');
    expect(spec.stderr).toMatch(/invalid spec in .*package\.json/);
    const dash = postrender(['--add-hardening=-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    expect(dash.code).toBe(2);
    expect(dash.stderr).toContain('stdin holds the manifests Helm rendered');
    const empty = postrender([], '');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('no objects in the input');
  });
});

const sr = socialRegistryChart();

describe.skipIf(typeof sr === 'string')('ward helm-postrender on the real OpenG2P Social Registry chart', () => {
  it('gates the default render with the findings ward check reports on it without its hooks (Helm 3 never post-renders hooks)', async () => {
    if (typeof sr === 'string') return;
    const r = await templateThrough(['--profile=openg2p-audit', '--summary'], [], sr.chart, [SR_RELEASE, '-n', SR_NAMESPACE]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout).toBe('');
    const plain = await helm(HELM, ['template', SR_RELEASE, sr.chart, '-n', SR_NAMESPACE]);
    const chunks = plain.stdout.split(/^---\s*$/m);
    const docs = chunks.filter((c) => !/^\s+["']?helm\.sh\/hook["']?:/m.test(c));
    expect(chunks.length - docs.length).toBe(4); // the chart's test Pod and three post-install Jobs
    const check = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/ward.js'), 'check', '--profile', 'openg2p-audit', '--summary', '-'], { input: docs.join('---\n'), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
    const counts = /^\d+ findings in \d+ objects: .*$/m;
    expect(check.status).toBe(1);
    expect(r.stderr.match(counts)?.[0]).toBe(check.stdout.match(counts)?.[0]);
    expect(r.stderr).toMatch(/critical\s+WARD-POD-001\s+\d+\s+Privileged container/);
  });
});
