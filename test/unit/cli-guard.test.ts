import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/** `ward guard` end to end through bin/ward.js (a child process; exit codes, stdout, stderr). */
function ward(args: readonly string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['bin/ward.js', 'guard', ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
}

describe('ward guard', () => {
  it('prints help with the modes, the waiver rule and the exit codes', () => {
    const r = ward(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('guard: enforce          validationActions [Deny, Audit]');
    expect(r.stdout).toContain('its expiry is not\nchecked (CEL has no clock)');
    expect(r.stdout).toContain('Exit codes: 0 policies written; 2 usage error');
  });

  it('writes policies and bindings for a RegistryDeployment read from stdin, Deny with guard: enforce', () => {
    const rd = 'apiVersion: ward.g2p.dev/v1alpha1\nkind: RegistryDeployment\nmetadata: {name: sr, namespace: dev}\nspec: {namespace: dev, guard: enforce}\n';
    const r = ward(['-f', '-'], rd);
    expect(r.status).toBe(0);
    const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { validationActions?: string[] } });
    expect(docs.filter((d) => d.kind === 'ValidatingAdmissionPolicy').map((d) => d.metadata.name)).toContain('ward-guard.dev.sr.ward-mtls-006');
    expect(new Set(docs.filter((d) => d.kind === 'ValidatingAdmissionPolicyBinding').map((d) => JSON.stringify(d.spec.validationActions)))).toEqual(new Set(['["Deny","Audit"]']));
    expect(r.stderr).toContain('enforce (Deny + Audit), namespaces dev');
  });

  it('refuses a rule without CEL and an unknown rule with exit 2, naming each', () => {
    const r = ward(['--preset', 'openg2p-social-registry', '--rules', 'WARD-NET-001,WARD-NOPE-001']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('WARD-NET-001 (Namespace without default-deny ingress) has no CEL');
    expect(r.stderr).toContain('WARD-NOPE-001 is not a rule of the catalogue');
  });

  it('refuses a malformed --operator-service-account and an invalid spec with exit 2', () => {
    expect(ward(['--preset', 'openg2p-social-registry', '--operator-service-account', 'nope']).stderr).toContain('expected NAMESPACE/NAME');
    const bad = ward(['-f', '-'], 'namespace: dev\nguard: always\n');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('guard');
  });
});
