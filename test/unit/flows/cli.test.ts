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
    expect(r.stderr).toMatch(/[1-9]\d* undeclared connection\(s\) allowed, \d+ declared flow\(s\) blocked/);
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

  describe('a render whose templates name no namespace, with a spec', () => {
    const deployment = (name: string, label: string, namespace?: string): string => [
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}${namespace ? `, namespace: ${namespace}` : ''}}`,
      'spec:', '  template:', `    metadata: {labels: {app.kubernetes.io/name: ${label}, app.kubernetes.io/instance: sr}}`,
      `    spec: {containers: [{name: main, image: "example/${label}:1"}]}`, ''].join('\n');
    const spec = [
      'namespace: sr', 'release: sr', 'components:',
      '  - {name: keymanager, selector: {app.kubernetes.io/name: keymanager, app.kubernetes.io/instance: sr}, serviceAccount: sr-keymanager, ports: [{name: http, port: 8088}]}',
      '  - {name: softhsm, selector: {app.kubernetes.io/name: softhsm, app.kubernetes.io/instance: sr}, serviceAccount: sr-softhsm, ports: [{name: tcp, port: 5666}]}',
      'flows:', '  - {from: keymanager, to: {component: softhsm}, ports: [{port: 5666}]}', ''].join('\n');
    const tmp = mkdtempSync(join(tmpdir(), 'ward-flows-ns-'));
    writeFileSync(join(tmp, 'spec.yaml'), spec);

    it('keeps --default-namespace with --spec and reports the mislabelled component and its blocked flow', async () => {
      writeFileSync(join(tmp, 'unnamed.yaml'), `${deployment('sr-keymanager', 'keymanager')}---\n${deployment('sr-keymanager-softhsm', 'keymanager-softhsm')}`);
      const r = await ward(join(tmp, 'unnamed.yaml'), '--spec', join(tmp, 'spec.yaml'), '--default-namespace', 'sr');
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('default/');
      expect(r.stdout).toContain('sr/sr-keymanager[Deployment]');
      expect(r.stderr).not.toContain('name no namespace');
      expect(r.stderr).toContain('ward flows: WARD-FLOW-004: Component softhsm of RegistryDeployment sr selects no workload');
      expect(r.stderr).toContain('did you mean app.kubernetes.io/name=keymanager-softhsm,app.kubernetes.io/instance=sr (the pods of sr-keymanager-softhsm[Deployment])?');
      expect(r.stderr).toContain('1 declared flow(s) blocked, 1 component(s) selecting no workload (WARD-FLOW-001/002/004');
    });

    it('infers the namespace the other objects name, and says so once on stderr', async () => {
      writeFileSync(join(tmp, 'mixed.yaml'), `${deployment('sr-keymanager', 'keymanager', 'sr')}---\n${deployment('sr-keymanager-softhsm', 'keymanager-softhsm')}`);
      const r = await ward(join(tmp, 'mixed.yaml'), '--layer', 'l4');
      expect(r.stdout).not.toContain('default/');
      expect(r.stderr).toBe('ward flows: 1 object(s) name no namespace; every namespaced object that names one names sr, so they are taken to be in sr (--default-namespace NS says otherwise)\n');
    });
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
