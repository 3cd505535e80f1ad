import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';

/** `ward synth` end to end through bin/ward.js (a child process; exit codes, stdout, stderr). */
function ward(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['bin/ward.js', 'synth', ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
}

const golden = readFileSync(new URL('synth/__golden__/openg2p-social-registry.yaml', import.meta.url), 'utf8');
const example = readFileSync(new URL('../../examples/openg2p-social-registry.yaml', import.meta.url), 'utf8');
const tmp = mkdtempSync(join(tmpdir(), 'ward-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('ward synth', () => {
  it('prints help with the inputs, the output naming and the exit codes', () => {
    const r = ward(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: ward synth [options]');
    expect(r.stdout).toContain('--preset NAME   a known stack: openg2p-social-registry, openg2p-commons');
    expect(r.stdout).toContain('<kind>-<namespace>-<name>.yaml');
    expect(r.stdout).toContain('Exit codes: 0 manifests written; 2 usage error');
  });

  it('synthesises a preset to stdout, byte for byte the golden output, twice the same', () => {
    const a = ward(['--preset', 'openg2p-social-registry', '--namespace', 'dev']);
    const b = ward(['--preset', 'openg2p-social-registry', '--release', 'openg2p', '--namespace', 'dev']);
    expect([a.status, a.stderr]).toEqual([0, '']);
    expect(a.stdout).toBe(golden);
    expect(b.stdout).toBe(a.stdout);
  });

  it('reads a RegistryDeployment from stdin with -f -', () => {
    const fromStdin = ward(['-f', '-'], example);
    const fromFile = ward(['-f', 'examples/openg2p-social-registry.yaml']);
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromStdin.stdout).toContain('kind: AuthorizationPolicy');
    expect(fromStdin.stdout).toContain('ward.g2p.dev/owner: dev.social-registry\n');
    expect(fromStdin.stdout).not.toContain('ward.g2p.dev/owner: dev.openg2p');
  });

  it('prints a JSON array with --format json, equal to synthesize()', () => {
    const r = ward(['-f', 'examples/registry-spec.yaml', '--format', 'json']);
    expect(r.status).toBe(0);
    const spec = parseRegistrySpec(parse(readFileSync('examples/registry-spec.yaml', 'utf8')));
    if (!spec.ok) throw new Error('the example spec is invalid');
    expect(JSON.parse(r.stdout)).toEqual(synthesize(spec.spec));
  });

  it('writes one file per object with -o, named <kind>-<namespace>-<name>', () => {
    const dir = join(tmp, 'out');
    const r = ward(['-f', 'examples/registry-spec.yaml', '-o', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const files = readdirSync(dir).sort();
    expect(files).toContain('namespace-registry.yaml');
    expect(files).toContain('authorizationpolicy-registry-allow-nothing.yaml');
    expect(files).toContain('networkpolicy-registry-default-deny.yaml');
    expect(r.stderr).toBe(`wrote ${files.length} objects to ${dir}\n`);
    expect(readFileSync(join(dir, 'authorizationpolicy-registry-allow-nothing.yaml'), 'utf8')).toBe(
      'apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: ward\n    ward.g2p.dev/owner: registry.demo\n  name: allow-nothing\n  namespace: registry\nspec: {}\n',
    );
  });

  it('exits 2 and lists every issue as `path: message` for an invalid spec', () => {
    const bad = ['namespace: dev', 'components:', '  - {name: a, selector: {app: a}, serviceAccount: a}', 'flows:', '  - {from: a, to: {component: b}, ports: [{port: 80}]}', 'mesh: {mtlsMode: DISABLE}', ''].join('\n');
    const r = ward(['-f', '-'], bad);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        'ward: invalid spec in <stdin> (2 issues):',
        'flows[0].to.component: unknown component "b": must be one of the declared components (a)',
        'mesh.mtlsReason: mtlsMode DISABLE is weaker than STRICT: state why in mesh.mtlsReason, or use STRICT',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 naming file, line and column of a YAML syntax error', () => {
    const r = ward(['-f', '-'], 'namespace: dev\ncomponents: [\nflows: 1\n');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ward: cannot parse YAML\n<stdin>:3:1: /);
  });

  it.each([
    ['no input at all', [], 'ward: give exactly one input: --preset NAME or -f FILE (see ward synth --help)\n'],
    ['both --preset and -f', ['--preset', 'openg2p-commons', '-f', 'x.yaml'], 'ward: give exactly one input: --preset NAME or -f FILE (see ward synth --help)\n'],
    ['--namespace with -f', ['-f', 'examples/registry-spec.yaml', '--namespace', 'x'], 'ward: --release and --namespace go with --preset; with -f set release and namespace in the file\n'],
    ['an unknown preset', ['--preset', 'odoo'], 'ward: invalid spec in --preset odoo (1 issue):\npreset: unknown preset "odoo": must be one of openg2p-social-registry, openg2p-commons\n'],
    ['a missing file', ['-f', 'no/such/spec.yaml'], 'ward: cannot read no/such/spec.yaml: ENOENT\n'],
  ])('exits 2 for %s', (_name, args, stderr) => {
    const r = ward(args);
    expect([r.status, r.stderr]).toEqual([2, stderr]);
  });

  it('exits 2 for an unknown --format', () => {
    const r = ward(['--preset', 'openg2p-commons', '--format', 'xml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("option '--format <format>' argument 'xml' is invalid. Allowed choices are yaml, json.");
  });
});
