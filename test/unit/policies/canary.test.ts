import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** A credential-shaped token put in every broken input: it must appear on no stream. */
const CANARY = 'CanaryTok3n-5b1e9c';

function ward(args: string[]) {
  const res = spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', KUBECONFIG: '' }, timeout: 60_000 });
  return { code: res.status, out: `${res.stdout}\n${res.stderr}` };
}

const dir = mkdtempSync(join(tmpdir(), 'ward-canary-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/** Each input breaks the parser on the line that holds the token (a bad escape, a tab, a missing colon). */
const BROKEN_KUBECONFIG = `apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n    token: "${CANARY}\\q"\n`;
const STRUCTURE_KUBECONFIG = `apiVersion: v1\nkind: Config\nusers:\n- user: {token: ${CANARY}}\n`;
const BROKEN_SECRET = `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  token: "${CANARY} \\x"\n`;
const BROKEN_WAIVERS = `- rule: WARD-POD-007\n  reason: "${CANARY}\\q"\n`;
const BROKEN_PROFILE = `name: p\ndescription: ${CANARY}\n\tinclude: ["*"]\n`;
const BROKEN_SPEC = `namespace: dev\ncomponents:\n  - name: "${CANARY}\\q"\n`;
const FOREIGN_JSON = `{"token": "${CANARY}"}`;

// Each case spawns the CLI (tsx compiles on start): generous timeout for a loaded machine.
describe('no credential on any stream: every error path fed a canary token', { timeout: 180_000 }, () => {
  const cm = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n');
  it.each([
    ['check --cluster, kubeconfig with a YAML error', ['check', '--cluster', '--kubeconfig', file('kc-yaml', BROKEN_KUBECONFIG)], 2, /kubeconfig .*kc-yaml:6:\d+: YAML syntax error: invalid escape/],
    ['flows --cluster, kubeconfig with a YAML error', ['flows', '--cluster', '--kubeconfig', file('kc-yaml2', BROKEN_KUBECONFIG)], 2, /kubeconfig .*kc-yaml2:6:\d+: YAML syntax error/],
    ['check --cluster, kubeconfig of the wrong shape', ['check', '--cluster', '--kubeconfig', file('kc-shape', STRUCTURE_KUBECONFIG)], 2, /not a valid kubeconfig: users\[0\]\.name is missing/],
    ['check, a Secret manifest with a YAML error', ['check', file('secret.yaml', BROKEN_SECRET)], 2, /secret\.yaml:5:\d+: YAML syntax error/],
    ['check --waivers, a waivers file with a YAML error', ['check', cm, '--waivers', file('waivers.yaml', BROKEN_WAIVERS)], 2, /waivers\.yaml:2:\d+: YAML syntax error/],
    ['check --profile, a profile with a YAML error', ['check', cm, '--profile', file('profile.yaml', BROKEN_PROFILE)], 2, /profile\.yaml:3:\d+: YAML syntax error/],
    ['synth -f, a spec with a YAML error', ['synth', '-f', file('spec.yaml', BROKEN_SPEC)], 2, /spec\.yaml:3:\d+: invalid escape/],
    ['flows --spec, a spec with a YAML error', ['flows', cm, '--spec', file('spec2.yaml', BROKEN_SPEC)], 2, /spec2\.yaml:3:\d+: invalid escape/],
    ['check, a JSON file that is not a Kubernetes object', ['check', '--allow-empty', file('token.json', FOREIGN_JSON)], 0, /token\.json:1: document 0 has no apiVersion or kind, not a Kubernetes object; skipped/],
  ])('%s', (_name, args, code, says) => {
    const res = ward(args);
    expect(res.out).toMatch(says);
    expect(res.out).not.toContain(CANARY);
    expect(res.out).not.toContain('5b1e9c');
    expect(res.code).toBe(code);
  });
});
