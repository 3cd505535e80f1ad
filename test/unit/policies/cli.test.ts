import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function ward(args: string[], input?: string) {
  const res = spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

const CLEAN = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: dev}\ndata: {LOG_LEVEL: info}\n';

// Each case spawns the CLI (tsx compiles on start): generous timeouts for a loaded CI machine.
describe('ward policy-check / ward check', { timeout: 120_000 }, () => {
  it('exits 1 on the OpenG2P defaults and writes several formats in one run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-check-'));
    const sarif = join(dir, 'out.sarif');
    const junit = join(dir, 'out.xml');
    const res = ward(['policy-check', 'test/fixtures/openg2p-defaults', '--format', 'sarif', '-o', sarif, '--format', 'junit', '-o', junit, '--format', 'text']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/ward policy-check: \d+ findings \(3 critical/);
    expect(JSON.parse(readFileSync(sarif, 'utf8')).version).toBe('2.1.0');
    expect(readFileSync(junit, 'utf8')).toMatch(/^<\?xml/);
  });

  it('the alias `check` behaves the same; exit 0 below --fail-on', () => {
    const res = ward(['check', '-', '--fail-on', 'critical', '--format', 'json'], CLEAN);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout).schema).toBe('ward.check/v1');
  });

  it('--summary prints only the summary (no wrapping when piped); --group-by takes rule or object', () => {
    const res = ward(['check', 'test/fixtures/openg2p-defaults', '--summary']);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^\d+ findings in \d+ objects: 3 critical, /);
    expect(res.stdout).toMatch(/\n {2}SEVERITY RULE +COUNT {2}TITLE +MOST IN\n {2}critical /);
    expect(res.stdout).not.toContain('CRITICAL (');
    const bad = ward(['check', '-', '--group-by', 'file'], CLEAN);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"file" is not a grouping; use rule or object.');
  });

  it('exits 2 on input errors, naming file:line, and still checks the rest', () => {
    const res = ward(['check', '-'], `${CLEAN}---\nkind: [\n`);
    expect(res.code).toBe(2);
    expect(res.stdout).toContain('INPUT ERROR <stdin>:');
    expect(res.stdout).toContain('1 objects');
  });

  it('--format html carries the flow matrix of the declared components, with the intended flows allowed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-check-html-'));
    const out = join(dir, 'out');
    expect(ward(['synth', '-f', 'examples/openg2p-social-registry.yaml', '-o', out]).code).toBe(0);
    const html = join(dir, 'report.html');
    const res = ward(['check', 'examples/openg2p-social-registry.yaml', out, '--format', 'html', '-o', html]);
    expect(res.code).toBe(0);
    const report = readFileSync(html, 'utf8');
    expect(report).toContain('Flow matrix');
    expect(report).not.toContain('rendered without the objects');
    expect(report).toContain('intended and allowed: TCP 5432');
    expect(report).not.toContain('<span class="tag">⚠ allowed but undeclared');
  });

  it('exits 2 on usage errors', () => {
    expect(ward(['check', '-', '--format', 'pdf'], CLEAN).code).toBe(2);
    expect(ward(['check', '-', '-o', 'x.sarif'], CLEAN).code).toBe(2);
    expect(ward(['check']).code).toBe(2);
    expect(ward(['check', '-', '--profile', 'no-such-profile'], CLEAN).code).toBe(2);
  });

  it('applies a waivers file and ignores it with --no-waivers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-check-'));
    const waivers = join(dir, 'waivers.yaml');
    writeFileSync(waivers, '- rule: WARD-SEC-002\n  kind: ConfigMap\n  name: s\n  reason: test fixture PIN, not a real one\n  owner: qa\n  expires: 2099-01-01\n');
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: s, namespace: dev}\ndata: {SOFTHSM_PIN: "1111"}\n';
    expect(ward(['check', '-', '--waivers', waivers], yaml).code).toBe(0);
    expect(ward(['check', '-', '--waivers', waivers, '--no-waivers'], yaml).code).toBe(1);
  });

  it('reports ward\'s own PERMISSIVE output as a waived WARD-MTLS-006 with the spec\'s reason; --no-waivers fails it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-check-'));
    const specFile = join(dir, 'spec.yaml');
    const reason = 'legacy reporting job without a sidecar until the 2026-12 migration';
    writeFileSync(specFile, `preset: openg2p-social-registry\nnamespace: dev\nmesh: {mtlsMode: PERMISSIVE, mtlsReason: "${reason}"}\n`);
    const synth = ward(['synth', '-f', specFile]);
    expect([synth.code, synth.stderr]).toEqual([0, '']);
    const res = ward(['check', '-', '--profile', 'strict', '--format', 'json'], synth.stdout);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as { findings: { ruleId: string; object: { kind: string; namespace: string; name: string }; suppressed: unknown }[] };
    expect(doc.findings.map((f) => [f.ruleId, f.object, f.suppressed])).toEqual([
      ['WARD-MTLS-006', { kind: 'PeerAuthentication', namespace: 'dev', name: 'default' }, { by: 'annotation', reason }],
    ]);
    expect(ward(['check', '-', '--profile', 'strict', '--no-waivers'], synth.stdout).code).toBe(1);
  });

  it('documents the exit codes in --help', () => {
    const res = ward(['policy-check', '--help']);
    expect(res.stdout).toContain('Exit codes:');
    expect(res.stdout).toContain('2  usage error or input error');
  });
});
