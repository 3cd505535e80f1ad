import { describe, expect, it } from 'vitest';
import { exitCodeOf, runCheck } from '../../../policies/engine.js';
import { loadPaths } from '../../../policies/load/index.js';
import { reporters } from '../../../policies/reporters/index.js';
import { NOW } from './helpers.js';

/** What an auditor expects from the OpenG2P Social Registry 1.3.1 shipped defaults (openg2p-stack.md). */
const EXPECTED: [string, string, string][] = [
  ['WARD-MTLS-001', 'Deployment dev/openg2p-odoo', 'accepts non-mTLS traffic (8069 PERMISSIVE); no PeerAuthentication applies'],
  ['WARD-MTLS-001', 'StatefulSet dev/openg2p-postgresql', 'accepts non-mTLS traffic (5432 PERMISSIVE)'],
  ['WARD-NET-001', 'Namespace dev', 'has no default-deny ingress NetworkPolicy'],
  ['WARD-NET-002', 'Namespace dev', 'has no default-deny egress NetworkPolicy'],
  ['WARD-NET-006', 'NetworkPolicy dev/openg2p-postgresql', 'ingress rule 0 (ports 5432) has no "from", so it allows every source'],
  ['WARD-NET-006', 'NetworkPolicy dev/openg2p-odoo', 'ingress rule 0 (ports 8069) has no "from", so it allows every source'],
  ['WARD-KM-001', 'Deployment dev/openg2p-odoo', 'sets KEYMANAGER_AUTH_CLIENT_SECRET as a literal value'],
  ['WARD-KM-002', 'Deployment dev/openg2p-odoo', 'sets KEYMANAGER_API_BASE_URL to plain http'],
  ['WARD-KM-005', 'VirtualService dev/openg2p-keymanager', 'publishes the key manager'],
  ['WARD-SEC-001', 'Deployment dev/openg2p-minio', 'sets MINIO_IDENTITY_OPENID_CLIENT_SECRET to a secret-looking literal value'],
  ['WARD-SEC-002', 'ConfigMap dev/openg2p-softhsm', 'key "SOFTHSM_PIN"'],
  ['WARD-SEC-006', 'Secret dev/openg2p-odoo', 'key "odoo-password" is the documented default admin and master password (admin_passwd = admin) of Odoo'],
  ['WARD-SEC-004', 'Secret dev/openg2p-minio', 'key "root-user" is a well-known default value'],
  ['WARD-AUTHZ-001', 'Namespace dev', 'has no allow-nothing AuthorizationPolicy'],
  ['WARD-AUTHZ-006', 'Gateway dev/openg2p-postgresql', 'publishes port 5432 (TCP) without TLS'],
];

describe('the OpenG2P Social Registry 1.3.1 defaults fixture', () => {
  it.each(EXPECTED)('%s on %s: %s', async (ruleId, object, text) => {
    const loaded = await loadPaths(['test/fixtures/openg2p-defaults']);
    const result = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now: NOW });
    const hit = result.findings.find((f) => f.ruleId === ruleId && f.message.startsWith(object) && f.message.includes(text));
    expect(hit, result.findings.filter((f) => f.ruleId === ruleId).map((f) => f.message).join('\n')).toBeDefined();
  });

  it('does not report hosts "*" on the plain-TCP PostgreSQL gateway server, which Istio matches by port alone', async () => {
    const loaded = await loadPaths(['test/fixtures/openg2p-defaults']);
    const result = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now: NOW });
    expect(result.findings.filter((f) => f.ruleId === 'WARD-AUTHZ-005').map((f) => f.message)).toEqual([]);
  });

  it('fails the check (exit 1) with critical findings for PostgreSQL on the gateway, the literal client secret and Odoo\'s default admin password', async () => {
    const loaded = await loadPaths(['test/fixtures/openg2p-defaults']);
    const result = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now: NOW });
    expect(loaded.errors).toEqual([]);
    expect(exitCodeOf(result)).toBe(1);
    expect(result.findings.filter((f) => f.severity === 'critical').map((f) => f.ruleId).sort()).toEqual(['WARD-AUTHZ-006', 'WARD-KM-001', 'WARD-SEC-006']);
    const km = result.findings.find((f) => f.ruleId === 'WARD-KM-001')!;
    expect(km.location).toEqual({ file: 'test/fixtures/openg2p-defaults/helm-render.yaml', line: 171, column: 15, helmSource: 'openg2p-social-registry/charts/odoo/templates/deployment.yaml' });
  });
});

describe('the auditor\'s text report on the OpenG2P defaults', () => {
  it('matches the golden report (families owned by the checker; regenerate with vitest -u after a deliberate change)', async () => {
    const loaded = await loadPaths(['test/fixtures/openg2p-defaults']);
    const profile = { name: 'checker-families', description: '', include: ['WARD-POD-*', 'WARD-NET-*', 'WARD-MTLS-*', 'WARD-AUTHZ-*', 'WARD-SEC-*', 'WARD-KM-*', 'WARD-RBAC-*', 'WARD-WAIVER-*'], exclude: [], severity: {} };
    const result = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, profile, now: NOW });
    await expect(reporters.text!(result, { color: false, toolVersion: '0.1.0' })).toMatchFileSnapshot('__snapshots__/openg2p-defaults.txt');
  });
});
