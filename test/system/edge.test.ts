import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_ADMIN_PATHS_PUBLIC } from '../../policies/rules/edge.js';
import { renderSocialRegistry, socialRegistryChart, SR_NAMESPACE, SR_RELEASE, type ChartPrereq } from '../support/openg2p-chart.js';

/**
 * Issue 13's proof on the real OpenG2P Social Registry 1.3.1 render: the chart publishes Odoo's
 * database manager on the same route as the registry (WARD-EDGE-001), ward's preset output denies it
 * there, `ward flows --explain` shows the DENY and its paths from the public gateway and none from the
 * admin gateway, and the key manager's ALLOW names the token condition.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const GATEWAYS = join(ROOT, 'test/fixtures/edge/ingress-gateway.yaml');
const prereq = socialRegistryChart();
const skip = typeof prereq === 'string' ? prereq : undefined;

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }
function ward(args: readonly string[]): Run {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/ward.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface JsonFinding { ruleId: string; severity: string; message: string; object: { kind: string; namespace?: string; name: string } }
const edgeFindings = (r: Run): JsonFinding[] => (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.ruleId.startsWith('WARD-EDGE-'));

describe.skipIf(skip !== undefined)('edge controls on the real SR 1.3.1 render', () => {
  let dir: string;
  const f = { render: '', synth: '', synthWg: '', spec: '', values: '', overlaid: '' };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ward-edge-'));
    f.render = join(dir, 'sr.yaml');
    f.synth = join(dir, 'ward.yaml');
    f.synthWg = join(dir, 'ward-wg.yaml');
    f.spec = join(dir, 'spec.yaml');
    writeFileSync(f.render, renderSocialRegistry(prereq as ChartPrereq));
    f.values = join(dir, 'ward-values.yaml');
    f.overlaid = join(dir, 'sr-ward.yaml');
    const synth = ward(['synth', '--preset', 'openg2p-social-registry', '--release', SR_RELEASE, '--namespace', SR_NAMESPACE, '--helm-values', f.values]);
    expect(synth.code).toBe(0);
    writeFileSync(f.synth, synth.stdout);
    writeFileSync(f.overlaid, renderSocialRegistry(prereq as ChartPrereq, [f.values]));
    writeFileSync(f.spec, JSON.stringify({
      preset: 'openg2p-social-registry', release: SR_RELEASE, namespace: SR_NAMESPACE,
      wireguard: { enabled: true, peers: [], routes: [{ host: 'registry-admin.internal', component: 'registry', port: 8069, service: 'sr-odoo', servicePort: 80 }] },
    }));
    const wg = ward(['synth', '-f', f.spec]);
    expect(wg.stderr).toBe('');
    writeFileSync(f.synthWg, wg.stdout);
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('WARD-EDGE-001 fires on the chart\'s registry route: Odoo\'s admin paths are as public as the registry', () => {
    const r = ward(['check', f.render, '--format', 'json']);
    expect(r.code).toBe(1);
    expect(edgeFindings(r).map((x) => [x.ruleId, x.severity, x.object.kind, x.object.name])).toEqual([[EDGE_ADMIN_PATHS_PUBLIC, 'high', 'VirtualService', 'sr-openg2p-social-registry']]);
    expect(edgeFindings(r)[0]?.message).toBe("VirtualService sr/sr-openg2p-social-registry http[1] sends Odoo's admin paths (/web/database/manager, /web/database/selector, /web/database/list, /web/database/create and 7 more) from gateway sr/internal (not in the input), which requires no client certificate, to Deployment sr/sr-odoo; no DENY AuthorizationPolicy refuses them");
  });

  it('with ward\'s preset output applied next to the chart, no edge finding is left', () => {
    expect(edgeFindings(ward(['check', f.render, f.synth, '--format', 'json']))).toEqual([]);
  });

  it('with the values overlay ward owns the registry\'s public route: the chart\'s is gone, ward\'s answers ?debug= and the admin paths 403', () => {
    const names = (text: string): string[] => text.split('\n---\n').filter((d) => /^kind: VirtualService$/m.test(d)).map((d) => /^ {2}name: (\S+)$/m.exec(d)?.[1] ?? '');
    expect(names(readFileSync(f.overlaid, 'utf8'))).not.toContain('sr-openg2p-social-registry');
    const r = ward(['synth', '--preset', 'openg2p-social-registry', '--release', SR_RELEASE, '--namespace', SR_NAMESPACE, '--format', 'json']);
    const vs = (JSON.parse(r.stdout) as { kind: string; metadata: { name: string }; spec: { gateways: string[]; hosts: string[]; http: { name: string; directResponse?: unknown }[] } }[]).find((o) => o.kind === 'VirtualService' && o.metadata.name === 'public-registry');
    expect([vs?.spec.gateways, vs?.spec.hosts, vs?.spec.http.map((h) => [h.name, h.directResponse])]).toEqual([['internal'], ['socialregistry.openg2p.sandbox.net'], [['admin-query', { status: 403 }], ['admin-paths', { status: 403 }], ['root', undefined], ['public', undefined]]]);
    expect(edgeFindings(ward(['check', f.overlaid, f.synth, '--format', 'json']))).toEqual([]);
  });

  it('with the admin gateway, the admin route to Odoo is the one exception, shown as waived (WireGuard only, no client certificates yet)', () => {
    const r = ward(['check', f.render, f.synthWg, GATEWAYS, '--format', 'json']);
    const all = (JSON.parse(r.stdout) as { findings: (JsonFinding & { suppressed?: { reason: string } })[] }).findings.filter((x) => x.ruleId === EDGE_ADMIN_PATHS_PUBLIC);
    expect(all.map((x) => [x.object.name, x.suppressed?.reason.startsWith('admin route on the internal admin gateway, reachable only through the WireGuard tunnel')])).toEqual([['admin-registry-admin-internal', true]]);
  });

  it('flows --explain: from the public gateway the admin paths are denied (the DENY and its paths are named)', () => {
    const r = ward(['flows', f.render, f.synthWg, GATEWAYS, '--default-namespace', SR_NAMESPACE, '--explain', 'istio-system/istio-ingressgateway', 'sr/sr-odoo', '8069']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('is PARTIALLY ALLOWED');
    expect(r.stdout).toContain('- DENY AuthorizationPolicy sr/admin-paths-registry: denies requests meeting L7 conditions: paths /web/database/*, /xmlrpc/2/db, /xmlrpc/db, /web/become');
  });

  it('flows --explain: from the admin gateway no DENY applies (the admin paths are allowed there)', () => {
    const r = ward(['flows', f.render, f.synthWg, GATEWAYS, '--default-namespace', SR_NAMESPACE, '--explain', 'istio-system/istio-internal-ingressgateway', 'sr/sr-odoo', '8069']);
    expect(r.stdout).toMatch(/=> sr\/sr-odoo\[Deployment\] : TCP 8069 is ALLOWED/);
    expect(r.stdout).not.toContain('admin-paths-registry');
    expect(r.stdout).toContain('- ALLOW AuthorizationPolicy sr/admin-access-registry: allows');
  });

  it('flows --explain: the registry reaches the key manager only with a Keycloak token carrying KEYMANAGER_ADMIN', () => {
    const r = ward(['flows', f.render, f.synth, '--default-namespace', SR_NAMESPACE, '--explain', 'sr/sr-odoo', 'sr/sr-keymanager', '8088']);
    expect(r.stdout).toContain('- ALLOW AuthorizationPolicy sr/allow-keymanager: allows only requests meeting L7 conditions: a valid token from issuer https://keycloak.openg2p.sandbox.net/realms/master and claim realm_access.roles one of KEYMANAGER_ADMIN');
  });
});
