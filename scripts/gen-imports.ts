/**
 * Regenerates charts-src/imports without internet access (`npm run gen:imports`).
 *
 * - k8s.ts: the Kubernetes 1.34 API, from api/openapi-spec/swagger.json of the Go module
 *   k8s.io/kubernetes@v1.34.4 (fetched into the Go module cache with `go mod download`), fed to
 *   cdk8s-cli's own importer (its `download` is redirected to the local file).
 * - k8s-definitions.json: the swagger definitions reachable from the kinds ward emits, for the
 *   schema-validation tests (so they run without Go).
 * - security.istio.io.ts, networking.istio.io.ts: cdk8s-cli's CRD importer over crds/istio.yaml, the
 *   Istio CRDs ward needs, cut from istio/api's customresourcedefinitions.gen.yaml
 *   (`--istio-crds FILE` refreshes that cut from a full copy).
 *
 * Every generated file starts with the sha256 of its inputs; test/unit/synth/imports.test.ts
 * regenerates into a temp dir and compares.
 *
 * Usage: node --import tsx scripts/gen-imports.ts [--out DIR] [--istio-crds FILE] [--swagger FILE]
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

const require = createRequire(import.meta.url);
/** cdk8s-cli exports only ./plugins: reach its importers by file path. */
const CLI_LIB = join(dirname(require.resolve('cdk8s-cli/package.json')), 'lib');
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const K8S_MODULE = 'k8s.io/kubernetes@v1.34.4';
export const K8S_VERSION = '1.34.4';
/** Istio CRDs ward emits objects of (first served version = the generated class). */
export const ISTIO_CRDS = ['authorizationpolicies.security.istio.io', 'peerauthentications.security.istio.io', 'requestauthentications.security.istio.io', 'gateways.networking.istio.io', 'serviceentries.networking.istio.io', 'sidecars.networking.istio.io', 'virtualservices.networking.istio.io'];
/** Kubernetes kinds ward emits; their definitions (and what they reference) go to k8s-definitions.json. */
export const K8S_ROOTS = ['io.k8s.api.core.v1.Namespace', 'io.k8s.api.networking.v1.NetworkPolicy', 'io.k8s.api.core.v1.ServiceAccount', 'io.k8s.api.core.v1.Service', 'io.k8s.api.apps.v1.Deployment', 'io.k8s.api.core.v1.ConfigMap'];

interface Args {
  out: string;
  istioCrds?: string;
  swagger?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { out: join(ROOT, 'charts-src/imports') };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--out' && v) args.out = resolve(v);
    else if (argv[i] === '--istio-crds' && v) args.istioCrds = resolve(v);
    else if (argv[i] === '--swagger' && v) args.swagger = resolve(v);
    else continue;
    i++;
  }
  return args;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The Go toolchain: WARD_GO_BIN, else `go` on PATH, else /usr/local/go/bin/go; undefined when none runs. */
export function goBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const candidate of [env.WARD_GO_BIN, 'go', '/usr/local/go/bin/go']) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Path of swagger.json in the Go module cache (downloads the module when missing). */
export function swaggerPath(): string {
  const go = goBinary();
  if (!go) throw new Error('Go is needed to fetch the Kubernetes OpenAPI (set WARD_GO_BIN or put go on PATH), or pass --swagger FILE');
  const out = execFileSync(go, ['mod', 'download', '-json', K8S_MODULE], {
    cwd: tmpdir(),
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
    maxBuffer: 16 * 1024 * 1024,
  });
  const info = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!info.Dir) throw new Error(`go mod download ${K8S_MODULE} failed: ${info.Error ?? out}`);
  return join(info.Dir, 'api/openapi-spec/swagger.json');
}

const CRD_HEADER = `# Istio CustomResourceDefinitions used by ward: ${ISTIO_CRDS.join(', ')}.
# Cut (content unchanged, re-serialised) from istio/api kubernetes/customresourcedefinitions.gen.yaml, commit
# b8f8791d9653b2edc77a071d48887e582cfe84bf (2026-07-21), also in the Go module istio.io/api.
# Copyright Istio Authors. Licensed under the Apache License, Version 2.0
# (http://www.apache.org/licenses/LICENSE-2.0). Regenerate with:
#   npm run gen:imports -- --istio-crds <path to customresourcedefinitions.gen.yaml>
`;

function cutIstioCrds(source: string): string {
  const docs = parseAllDocuments(readFileSync(source, 'utf8'))
    .map((d) => d.toJS() as { metadata?: { name?: string } } | null)
    .filter((d) => d !== null && ISTIO_CRDS.includes(d.metadata?.name ?? ''));
  docs.sort((a, b) => ISTIO_CRDS.indexOf(a!.metadata!.name!) - ISTIO_CRDS.indexOf(b!.metadata!.name!));
  if (docs.length !== ISTIO_CRDS.length) throw new Error(`expected ${ISTIO_CRDS.length} CRDs in ${source}, found ${docs.length}`);
  return CRD_HEADER + docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

/** Definitions reachable from `roots` through $ref. */
export function reachableDefinitions(defs: Record<string, unknown>, roots: readonly string[]): Record<string, unknown> {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name) || !(name in defs)) continue;
    seen.add(name);
    for (const m of JSON.stringify(defs[name]).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) todo.push(m[1]!);
  }
  return Object.fromEntries([...seen].sort().map((n) => [n, defs[n]]));
}

function header(inputs: Record<string, string>): string {
  const lines = Object.entries(inputs).map(([k, v]) => `// input ${k} sha256 ${v}`);
  return `// GENERATED by scripts/gen-imports.ts (npm run gen:imports). Do not edit.\n${lines.join('\n')}\n`;
}

type Importer = { import(o: { outdir: string; targetLanguage: string }): Promise<void> };

async function importInto(outdir: string, make: () => Importer): Promise<void> {
  const log = console.log;
  console.log = (): void => undefined; // the importers print module names
  try {
    await make().import({ outdir, targetLanguage: 'typescript' });
  } finally {
    console.log = log;
  }
}

/**
 * What cdk8s publishes as `_definitions.json`: the swagger's `definitions` alone (its paths fail the
 * importer's key check), with IntOrString and Quantity as string-or-number unions, so the generated
 * `IntOrString.fromNumber(5432)` renders a number (a string port would be a named port).
 */
function cdk8sDefinitions(swagger: string): Record<string, unknown> {
  const defs = { ...(JSON.parse(swagger) as { definitions: Record<string, { description?: string }> }).definitions };
  for (const name of ['io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.api.resource.Quantity']) {
    defs[name] = { description: defs[name]?.description, oneOf: [{ type: 'string' }, { type: 'number' }] } as { description?: string };
  }
  return defs;
}

export async function genK8s(swagger: string, out: string): Promise<void> {
  const text = readFileSync(swagger, 'utf8');
  const util = require(join(CLI_LIB, 'util.js')) as { download: (url: string) => Promise<string> };
  const original = util.download;
  const definitionsOnly = JSON.stringify({ definitions: cdk8sDefinitions(text) });
  util.download = (): Promise<string> => Promise.resolve(definitionsOnly);
  const stage = mkdtempSync(join(tmpdir(), 'ward-k8s-'));
  try {
    const { ImportKubernetesApi } = require(join(CLI_LIB, 'import/k8s.js')) as { ImportKubernetesApi: new (o: { apiVersion: string }) => Importer };
    await importInto(stage, () => new ImportKubernetesApi({ apiVersion: K8S_VERSION }));
    const code = readFileSync(join(stage, 'k8s.ts'), 'utf8');
    writeFileSync(join(out, 'k8s.ts'), header({ [`${K8S_MODULE}/api/openapi-spec/swagger.json`]: sha256(text) }) + code);
  } finally {
    util.download = original;
    rmSync(stage, { recursive: true, force: true });
  }
  const defs = (JSON.parse(text) as { definitions: Record<string, unknown> }).definitions;
  const subset = { source: `${K8S_MODULE}/api/openapi-spec/swagger.json`, sha256: sha256(text), definitions: reachableDefinitions(defs, K8S_ROOTS) };
  writeFileSync(join(out, 'k8s-definitions.json'), `${JSON.stringify(subset, null, 1)}\n`);
}

export async function genIstio(crdFile: string, out: string): Promise<void> {
  const text = readFileSync(crdFile, 'utf8');
  const stage = mkdtempSync(join(tmpdir(), 'ward-istio-'));
  try {
    const { ImportCustomResourceDefinition } = require(join(CLI_LIB, 'import/crd.js')) as { ImportCustomResourceDefinition: new (m: unknown) => Importer };
    await importInto(stage, () => new ImportCustomResourceDefinition(text));
    for (const group of ['security.istio.io', 'networking.istio.io']) {
      const code = readFileSync(join(stage, `${group}.ts`), 'utf8');
      writeFileSync(join(out, `${group}.ts`), header({ 'charts-src/imports/crds/istio.yaml': sha256(text) }) + code);
    }
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** The committed cut of the Istio CRDs: the input of the Istio imports. */
export const ISTIO_CRD_FILE = join(ROOT, 'charts-src/imports/crds/istio.yaml');

async function generate(args: Args): Promise<void> {
  mkdirSync(args.out, { recursive: true });
  if (args.istioCrds) writeFileSync(ISTIO_CRD_FILE, cutIstioCrds(args.istioCrds));
  await genIstio(ISTIO_CRD_FILE, args.out);
  await genK8s(args.swagger ?? swaggerPath(), args.out);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await generate(parseArgs(process.argv.slice(2)));
}
