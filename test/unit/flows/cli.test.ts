import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CORPUS, readScenario, scenarioFile } from './helpers.js';

const WARD = join(import.meta.dirname, '../../../bin/ward.js');
const run = promisify(execFile);

async function ward(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [WARD, 'flows', ...args], { env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1795910400' }, maxBuffer: 32 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dir = (name: string): string => join(CORPUS, name);
const SPEC = join(CORPUS, '_specs/openg2p-social-registry-dev.yaml');

// Each run compiles the CLI with tsx (seconds), so few runs here; formats are tested in-process (formats.test.ts).
describe('ward flows (CLI)', { timeout: 90_000 }, () => {
  it('prints the netpol-analyzer connlist with --layer l4', async () => {
    const r = await ward(dir('05-and-vs-or-peers'), '--layer', 'l4');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readScenario('05-and-vs-or-peers', 'expected.connlist'));
  });

  it('--format summary says who reaches each exposed workload (connlist stays the default when piped)', async () => {
    const r = await ward(dir('05-and-vs-or-peers'), '--format', 'summary');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Who reaches what \(NetworkPolicy and Istio\): \d+ of \d+ workloads hold personal data or are exposed/);
    expect(r.stdout).toContain('  reached by: ');
  });

  it('names the rules behind a verdict with --explain', async () => {
    const r = await ward(dir('17-egress-and-ingress-required'), '--layer', 'l4', '--explain', 'p/a', 'p/b', '443');
    expect(r.stdout).toBe([
      'p/a[Pod] => p/b[Pod] : TCP 443 is DENIED',
      '  NetworkPolicy (L4): denied',
      '    - egress of the source: isolated by NetworkPolicy p/a-egress and no rule allows this peer and port',
      '    - ingress of the destination: allowed by NetworkPolicy p/b-ingress ingress rule #1',
      '',
    ].join('\n'));
  });

  it('exits 1 with a spec the effective flows do not match, and says why', async () => {
    const r = await ward(dir('25-openg2p-defaults'), '--spec', SPEC);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/undeclared connection\(s\) allowed, 0 declared flow\(s\) blocked/);
  });

  it('exits 0 on synthesised output whose policies implement the spec, printing only declared flows', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ward-flows-'));
    const synth = await run(process.execPath, [WARD, 'synth', '-f', SPEC]);
    writeFileSync(join(tmp, 'out.yaml'), synth.stdout);
    const r = await ward(join(tmp, 'out.yaml'), '--spec', SPEC);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('effective flows match the declared flows');
    expect(r.stdout).toContain('dev/registry[Deployment] => dev/postgresql[Deployment] : TCP 5432\n');
  });

  it('writes the HTML report with -o', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ward-flows-')), 'r.html');
    const r = await ward(dir('25-openg2p-defaults'), '--spec', SPEC, '--format', 'html', '-o', out);
    expect(r.stdout).toBe('');
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<table id="flow-matrix">');
    expect(html).toContain('2026-11-29T00:00:00.000Z');
    expect(html).toContain(scenarioFile('25-openg2p-defaults', 'input.yaml'));
  });

  it.each([
    [['--layer', 'l7'], '"l7" is not a layer; use l4, mesh or both.'],
    [['--explain', 'p/a', 'nobody', '80'], '--explain destination: no workload "nobody"'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const r = await ward(dir('17-egress-and-ingress-required'), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
