import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { MTLS_WEAK_POLICY_RULE } from '../../../charts-src/constructs/mesh.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { runCheck } from '../../../policies/engine.js';
import { builtinProfile } from '../../../policies/profiles.js';
import { MTLS_WEAK_POLICY } from '../../../policies/rules/mtls.js';
import { wgSpec } from '../wireguard/fixtures.js';
import { NOW } from './helpers.js';

function spec(input: unknown): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

const wireguard = (wgSpec() as { wireguard: unknown }).wireguard;

const specs: [string, unknown][] = [
  ['preset openg2p-social-registry', { preset: 'openg2p-social-registry', namespace: 'dev' }],
  ['preset openg2p-commons', { preset: 'openg2p-commons', namespace: 'dev' }],
  ['preset openg2p-social-registry with the WireGuard gateway', { preset: 'openg2p-social-registry', namespace: 'dev', wireguard: { ...(wireguard as object), routes: [{ host: 'registry-admin.internal', component: 'registry', port: 8069 }] } }],
  ['examples/registry-spec.yaml', parse(readFileSync('examples/registry-spec.yaml', 'utf8'))],
  ['examples/openg2p-social-registry-wireguard.yaml', parse(readFileSync('examples/openg2p-social-registry-wireguard.yaml', 'utf8'))],
  ['examples/edge.yaml', parse(readFileSync('examples/edge.yaml', 'utf8'))],
  ['the WireGuard unit-test spec', wgSpec()],
];

describe("ward's own output passes the strict profile (DESIGN.md)", () => {
  it.each(specs)('%s: zero unwaived findings; every waiver has a reason', (_name, input) => {
    const objects = synthesize(spec(input));
    const result = runCheck({ objects, profile: builtinProfile('strict'), now: NOW });
    expect(result.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
    for (const f of result.findings) expect(f.suppressed?.reason.length ?? 0).toBeGreaterThan(10);
    expect(result.unknownKinds).toEqual({});
  });

  it('shows mTLS weaker than STRICT as one waived finding carrying the spec\'s reason', () => {
    const reason = 'legacy reporting job without a sidecar until the 2026-12 migration';
    const objects = synthesize(spec({ preset: 'openg2p-social-registry', namespace: 'dev', mesh: { mtlsMode: 'PERMISSIVE', mtlsReason: reason } }));
    const result = runCheck({ objects, profile: builtinProfile('strict'), now: NOW });
    expect(result.findings.filter((f) => !f.suppressed)).toEqual([]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.object.kind, f.object.name, f.suppressed])).toEqual([
      [MTLS_WEAK_POLICY, 'high', 'PeerAuthentication', 'default', { by: 'annotation', reason }],
    ]);
    expect(MTLS_WEAK_POLICY_RULE).toBe(MTLS_WEAK_POLICY);
  });
});
