/**
 * The construct library as a user gets it: `npm run build:lib`, `npm pack`, the tarball installed
 * into a fresh cdk8s app in a temporary directory, a TypeScript program there that imports
 * `ward/constructs`, type-checked against the packed declarations and run, synthesising a chart with
 * MeshSecurity and NetworkIsolation. The app's other dependencies are linked to this checkout's
 * node_modules (`file:` links, `npm install --offline`), so the test needs no registry and the
 * library shares one cdk8s and one constructs with the app, as npm's deduplication gives a user.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helm, REPO_ROOT, requireHelm } from '../support/helm.js';

const PATH = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const MAIN = `import { App, Chart } from 'cdk8s';
import { formatIssues, MeshSecurity, NetworkIsolation, parseRegistrySpec, type RegistrySpecInput } from 'ward/constructs';

const input: RegistrySpecInput = {
  namespace: 'shop',
  release: 'shop',
  components: [
    { name: 'web', selector: { app: 'web' }, serviceAccount: 'web', ports: [{ name: 'http', port: 8080 }] },
    { name: 'db', selector: { app: 'db' }, serviceAccount: 'db', ports: [{ name: 'tcp-pg', port: 5432 }] },
  ],
  flows: [{ from: 'web', to: { component: 'db' }, ports: [{ port: 5432 }] }],
};
const parsed = parseRegistrySpec(input);
if (!parsed.ok) throw new Error(formatIssues(parsed.issues));
const app = new App({ outdir: 'out' });
const chart = new Chart(app, 'shop', { disableResourceNameHashes: true });
new MeshSecurity(chart, 'mesh', { spec: parsed.spec });
new NetworkIsolation(chart, 'network', { spec: parsed.spec });
app.synth();
`;

/** Passes a spec's input where the parsed spec belongs: the packed declarations must refuse it. */
const WRONG = `import { App, Chart } from 'cdk8s';
import { MeshSecurity } from 'ward/constructs';
new MeshSecurity(new Chart(new App(), 'x'), 'mesh', { spec: { namespace: 'shop' } });
`;

const TSCONFIG = { compilerOptions: { target: 'ES2023', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] } };

interface Obj { kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> }

describe('ward/constructs packed and used in a fresh cdk8s app', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-lib-'));
  const app = join(dir, 'app');
  let tarball = '';
  let files: string[] = [];

  beforeAll(async () => {
    await execa(process.execPath, [TSC, '-p', 'tsconfig.lib.json'], { cwd: REPO_ROOT });
    // --ignore-scripts: the test's global setup has built dist/ already; prepare would rebuild it under other tests' feet.
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: REPO_ROOT, env: { PATH } });
    const info = (JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    tarball = join(dir, info.filename);
    files = info.files.map((f) => f.path);
    mkdirSync(app);
    const repoModules = realpathSync(join(REPO_ROOT, 'node_modules'));
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const dependencies: Record<string, string> = { ward: `file:${tarball}` };
    for (const name of Object.keys(pkg.dependencies)) dependencies[name] = `file:${join(repoModules, name)}`;
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-cdk8s-app', private: true, type: 'module', dependencies }, null, 2));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, files: ['main.ts'] }));
    writeFileSync(join(app, 'main.ts'), MAIN);
    await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', '--install-links=false', '--ignore-scripts'], { cwd: app, env: { PATH } });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the tarball holds the built library with its declarations, the CLI with its profiles, the chart and deploy/, and no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['lib/library.js', 'lib/library.d.ts', 'lib/constructs/mesh.d.ts', 'dist/main.js', 'bin/ward.js', 'bin/ward-postrender.js', 'charts/ward-operator/Chart.yaml', 'deploy/crd.yaml', 'policies/profiles/strict.yaml']));
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('charts-src/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('type-checks the app against the packed declarations, and they refuse a wrong prop', async () => {
    const ok = await execa(process.execPath, [TSC, '-p', '.'], { cwd: app, reject: false });
    expect(ok.exitCode, ok.stdout).toBe(0);
    writeFileSync(join(app, 'wrong.ts'), WRONG);
    writeFileSync(join(app, 'tsconfig.wrong.json'), JSON.stringify({ ...TSCONFIG, files: ['wrong.ts'] }));
    const wrong = await execa(process.execPath, [TSC, '-p', 'tsconfig.wrong.json'], { cwd: app, reject: false });
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts\(3,.*error TS2\d+:.*(components|RegistrySpec)/s);
  });

  it('synthesises a chart with MeshSecurity and NetworkIsolation that the packed ward check passes', async () => {
    const run = await execa(process.execPath, ['main.ts'], { cwd: app, reject: false });
    expect(run.exitCode, run.stderr).toBe(0);
    const objects = parseAllDocuments(readFileSync(join(app, 'out', 'shop.k8s.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
    const peer = objects.find((o) => o.kind === 'PeerAuthentication');
    expect(peer?.metadata.namespace).toBe('shop');
    expect(peer?.spec?.mtls).toEqual({ mode: 'STRICT' });
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name);
    expect(policies).toEqual(expect.arrayContaining(['default-deny', 'web', 'db']));
    expect(objects.filter((o) => o.kind === 'AuthorizationPolicy').map((o) => o.metadata.name).sort()).toEqual(['allow-db', 'allow-nothing']);
    const check = await execa(process.execPath, [join(app, 'node_modules', 'ward', 'bin', 'ward.js'), 'check', '--profile', 'strict', 'out/shop.k8s.yaml'], { cwd: app, reject: false });
    expect(check.exitCode, check.stdout).toBe(0);
  });

  it('installs the executable Helm takes: helm template --post-renderer ward-postrender (by name, on PATH) gates a chart', async () => {
    const binary = requireHelm();
    if (!binary) return;
    const chart = join(REPO_ROOT, 'test/fixtures/helm/registry');
    const env = { PATH: `${join(app, 'node_modules', '.bin')}:${PATH}` };
    const gated = await helm(binary, ['template', 'reg', chart, '-n', 'reg', '--post-renderer', 'ward-postrender', '--post-renderer-args', '--default-namespace=reg'], { env });
    expect(gated.exitCode).not.toBe(0);
    expect(gated.stderr).toContain('WARD-MTLS-001');
    const passed = await helm(binary, ['template', 'reg', chart, '-n', 'reg', '--post-renderer', 'ward-postrender', '--post-renderer-args', `--add-hardening=${join(REPO_ROOT, 'test/fixtures/helm/registry-spec.yaml')}`, '--post-renderer-args', '--default-namespace=reg'], { env });
    expect(passed.exitCode, passed.stderr).toBe(0);
    expect(passed.stdout).toContain('kind: PeerAuthentication');
  });
});
