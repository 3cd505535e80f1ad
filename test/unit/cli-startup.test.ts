/**
 * The built CLI loads only what a command needs (issue #12): each test runs bin/ward.js (the build
 * in dist/, made by the globalSetup test/support/build-cli.ts) with a preload that records every
 * module the process resolves, maps the bundle's files back to their sources through esbuild's
 * metafile (dist/meta.json), and asserts which sources and packages were and were not loaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { commands } from '../../cli/commands/index.js';
import { buildProgram } from '../../cli/program.js';
import { REPO_ROOT } from '../../policies/load/root.js';

const dir = mkdtempSync(join(tmpdir(), 'ward-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const one = join(dir, 'one.yaml');
writeFileSync(one, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: x\ndata:\n  k: v\n');

interface Meta { outputs: Record<string, { inputs: Record<string, unknown> }> }

/** The sources (repository-relative) and packages a `ward` run loaded. */
function loaded(args: readonly string[], env: Record<string, string> = {}): { status: number | null; sources: string[]; packages: Set<string>; stdout: string } {
  const trace = join(dir, 'trace.txt');
  const r = spawnSync(process.execPath, ['--import', join(REPO_ROOT, 'test/support/trace-imports.mjs'), join(REPO_ROOT, 'bin/ward.js'), ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env, WARD_TRACE_IMPORTS: trace } });
  const meta = JSON.parse(readFileSync(join(REPO_ROOT, 'dist/meta.json'), 'utf8')) as Meta;
  const sources = new Set<string>();
  const packages = new Set<string>();
  const packageOf = (p: string): string => {
    const rest = p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]!}/${rest[1]!}` : rest[0]!;
  };
  for (const url of readFileSync(trace, 'utf8').split('\n')) {
    if (!url.startsWith('file:')) continue;
    const file = relative(REPO_ROOT, fileURLToPath(url));
    const inputs = meta.outputs[file] ? Object.keys(meta.outputs[file].inputs) : [file];
    for (const i of inputs) {
      if (i.includes('node_modules/')) packages.add(packageOf(i));
      else sources.add(i);
    }
  }
  return { status: r.status, sources: [...sources], packages, stdout: r.stdout };
}

const HEAVY_PACKAGES = ['cdk8s', 'cdk8s-plus-34', 'constructs', '@kubernetes/client-node', 'zod', 'pino', 'prom-client', 'tsx'];

describe('the built CLI loads only what the command needs', () => {
  it('--version and --help load no command module and no heavy package', () => {
    for (const args of [['--version'], ['--help']]) {
      const r = loaded(args);
      expect(r.status).toBe(0);
      expect(r.sources.filter((s) => !s.startsWith('cli/main.ts') && !s.startsWith('cli/program.ts') && !s.startsWith('cli/commands/index.ts') && !s.startsWith('cli/exit-codes.ts') && !s.startsWith('policies/load/root.ts') && s !== 'bin/ward.js')).toEqual([]);
      expect([...r.packages].sort()).toEqual(['commander']);
    }
  });

  it('check loads the rule engine and yaml, not cdk8s, the generated imports, the spec model or client-node', () => {
    const r = loaded(['check', one]);
    expect(r.status).toBe(0);
    expect(r.sources).toContain('policies/engine.ts');
    expect(r.packages.has('yaml')).toBe(true);
    for (const p of HEAVY_PACKAGES) expect(r.packages.has(p), p).toBe(false);
    expect(r.sources.filter((s) => s.startsWith('charts-src/imports/') || s.startsWith('charts-src/constructs/') || s === 'charts-src/model/schema.ts')).toEqual([]);
  });

  it('check loads the spec model only when the input holds a RegistryDeployment', () => {
    // A bare spec with no workloads: the FLOW rules read its components (exit 1: their findings).
    const r = loaded(['check', join(REPO_ROOT, 'examples/openg2p-social-registry-sr.yaml'), '--fail-on', 'critical']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('(component registry) holds personal data');
    expect(r.packages.has('zod')).toBe(true);
    expect(r.sources).toContain('charts-src/model/schema.ts');
    expect(r.packages.has('cdk8s')).toBe(false);
  });

  it('synth loads cdk8s (the one command that needs it)', () => {
    const r = loaded(['synth', '--preset', 'openg2p-social-registry']);
    expect(r.status).toBe(0);
    expect(r.packages.has('cdk8s')).toBe(true);
    expect(r.stdout).toContain('kind: PeerAuthentication');
  });

  it('runs from the TypeScript sources with WARD_FROM_SOURCE=1 (through tsx)', () => {
    const r = loaded(['--version'], { WARD_FROM_SOURCE: '1' });
    expect(r.status).toBe(0);
    expect(r.packages.has('tsx')).toBe(true);
  });
});

describe('ward --help lists the commands it has not loaded exactly as they register themselves', () => {
  it('name, aliases, usage term and summary of every entry match the loaded command', async () => {
    const all = await buildProgram([], true);
    for (const entry of commands) {
      const cmd = all.commands.find((c) => c.name() === entry.name);
      expect(cmd, entry.name).toBeDefined();
      expect(cmd!.aliases()).toEqual(entry.aliases);
      expect(cmd!.description()).toBe(entry.summary);
      expect(all.createHelp().subcommandTerm(cmd!)).toBe([[entry.name, ...entry.aliases].join('|'), entry.term].filter(Boolean).join(' '));
    }
    expect(all.commands.map((c) => c.name())).toEqual(commands.map((c) => c.name));
  });

  it('the help of an unloaded program equals the help with every command loaded', async () => {
    const lazy = await buildProgram([]);
    const full = await buildProgram([], true);
    expect(lazy.helpInformation()).toBe(full.helpInformation());
  });
});
