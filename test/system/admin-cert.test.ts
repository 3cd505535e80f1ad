import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { missingPrereq } from '../support/prereq.js';

/**
 * The client-certificate round trip for real: `ward admin-cert` makes the CA, alice's key and CSR
 * (key 0600, never printed) and her certificate; a Node https server configured with exactly the CA
 * and the CRL ward produces accepts alice, and after `ward admin-cert revoke` (the CRL taken from the
 * Secret update it prints) refuses her; `openssl verify -crl_check` agrees both times.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
const skip = missingPrereq('openssl on PATH (ward admin-cert drives it)', hasOpenssl);

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }
function ward(cwd: string, args: readonly string[]): Run {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/ward.js'), 'admin-cert', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function verify(dir: string): { code: number; text: string } {
  const r = spawnSync('openssl', ['verify', '-crl_check', '-CAfile', 'ca/ca.crt', '-CRLfile', 'ca/ca.crl', 'alice.crt'], { cwd: dir, encoding: 'utf8' });
  return { code: r.status ?? -1, text: `${r.stdout}${r.stderr}` };
}

/** GET / with alice's certificate: the status code, or the TLS error the server's refusal causes. */
function get(port: number, dir: string, serverCert: string): Promise<string> {
  return new Promise((done) => {
    const req = request({ host: '127.0.0.1', port, path: '/', servername: 'localhost', agent: false, ca: serverCert, key: readFileSync(join(dir, 'alice.key')), cert: readFileSync(join(dir, 'alice.crt')) }, (res) => {
      res.resume();
      res.on('end', () => done(`HTTP ${String(res.statusCode)}`));
    });
    req.on('error', (e: NodeJS.ErrnoException) => done(`refused: ${e.code ?? e.message}`));
    req.end();
  });
}

describe.skipIf(skip !== undefined)('ward admin-cert: a real TLS server trusts exactly the CA and CRL ward writes', () => {
  let dir: string;
  let server: Server;
  let port: number;
  let serverCert: string;
  const runs: Run[] = [];
  const run = (args: readonly string[]): Run => {
    const r = ward(dir, args);
    runs.push(r);
    return r;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ward-admin-cert-'));
    expect(run(['init', '--ca-dir', 'ca', '--name', 'sr admin CA']).code).toBe(0);
    expect(run(['request', '--name', 'alice', '-o', 'alice']).code).toBe(0);
    expect(run(['sign', '--ca-dir', 'ca', 'alice.csr', '-o', 'alice.crt']).code).toBe(0);
    // The gateway's own server certificate (tls.crt/tls.key of the Secret): a test-only self-signed one.
    expect(spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.crt', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost'], { cwd: dir }).status).toBe(0);
    serverCert = readFileSync(join(dir, 'server.crt'), 'utf8');
    server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: serverCert, ca: readFileSync(join(dir, 'ca/ca.crt')), crl: readFileSync(join(dir, 'ca/ca.crl')), requestCert: true, rejectUnauthorized: true }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("alice's key is 0600, her CA's key too, and neither ever appears in ward's output", () => {
    expect(statSync(join(dir, 'alice.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca/ca.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca')).mode & 0o777).toBe(0o700);
    const key = readFileSync(join(dir, 'alice.key'), 'utf8').split('\n')[1] ?? '';
    const caKey = readFileSync(join(dir, 'ca/ca.key'), 'utf8').split('\n')[1] ?? '';
    for (const r of runs) for (const text of [r.stdout, r.stderr]) {
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(key);
      expect(text).not.toContain(caKey);
    }
  });

  it('ward check reads the CA and CRL ward wrote as a MUTUAL credential: valid, not expiring, nothing reported', () => {
    const indent = (f: string): string => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n').map((l) => `    ${l}`).join('\n');
    const gateway = 'apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: ward-admin, namespace: istio-system}\nspec:\n  selector: {istio: internal-ingressgateway}\n  servers:\n    - port: {number: 443, name: https, protocol: HTTPS}\n      hosts: [registry-admin.internal]\n      tls: {mode: MUTUAL, credentialName: ward-admin-clients}\n';
    const secret = (crl: string): string => `---\napiVersion: v1\nkind: Secret\nmetadata: {name: ward-admin-clients, namespace: istio-system}\nstringData:\n  ca.crt: |\n${indent('ca/ca.crt')}\n  ca.crl: |\n${crl}\n`;
    const check = (yaml: string): string[] => {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/ward.js'), 'check', '-', '--format', 'json'], { input: yaml, encoding: 'utf8' });
      return (JSON.parse(r.stdout) as { findings: { ruleId: string; message: string }[] }).findings.filter((f) => f.ruleId.startsWith('WARD-EDGE-')).map((f) => `${f.ruleId} ${f.message}`);
    };
    expect(check(gateway + secret(indent('ca/ca.crl')))).toEqual([]);
    expect(check(gateway + secret('    garbage'))).toEqual(['WARD-EDGE-005 Gateway istio-system/ward-admin server 0 verifies client certificates (MUTUAL) against Secret ward-admin-clients, whose ca.crl is not a PEM X.509 CRL: the revocation list cannot be used']);
  });

  it('the server accepts alice, and openssl verify -crl_check agrees', async () => {
    expect(await get(port, dir, serverCert)).toBe('HTTP 200');
    expect(verify(dir)).toEqual({ code: 0, text: 'alice.crt: OK\n' });
  });

  it('after revoke, the CRL from the printed Secret update makes the server refuse alice, and openssl agrees', async () => {
    const r = run(['revoke', '--ca-dir', 'ca', 'alice']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^revoked alice: serial 1000; CRL /);
    const patch = parse(r.stdout) as { data: Record<string, string> };
    expect(Object.keys(patch.data).sort()).toEqual(['ca.crl', 'ca.crt']);
    expect(Buffer.from(patch.data['ca.crl'] ?? '', 'base64').toString()).toBe(readFileSync(join(dir, 'ca/ca.crl'), 'utf8'));
    server.setSecureContext({ key: readFileSync(join(dir, 'server.key')), cert: serverCert, ca: Buffer.from(patch.data['ca.crt'] ?? '', 'base64'), crl: Buffer.from(patch.data['ca.crl'] ?? '', 'base64') });
    expect(await get(port, dir, serverCert)).toMatch(/^refused: /);
    const v = verify(dir);
    expect(v.code).not.toBe(0);
    expect(v.text).toContain('certificate revoked');
  });

  it('refuses what it cannot do, naming it (exit 2)', () => {
    expect(ward(dir, ['revoke', '--ca-dir', 'ca', 'alice'])).toMatchObject({ code: 2, stderr: expect.stringContaining('holds no valid certificate for alice: nothing to revoke') as string });
    expect(ward(dir, ['request', '--name', 'Alice Smith', '-o', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('"Alice Smith" is not an administrator name') as string });
    expect(ward(dir, ['request', '--name', 'alice', '-o', 'alice'])).toMatchObject({ code: 2, stderr: expect.stringContaining('alice.key exists: refusing to overwrite a private key') as string });
    expect(ward(dir, ['sign', '--ca-dir', 'nowhere', 'alice.csr'])).toMatchObject({ code: 2, stderr: expect.stringContaining('nowhere is not a ward admin CA') as string });
    expect(ward(dir, ['init', '--ca-dir', 'ca'])).toMatchObject({ code: 2, stderr: expect.stringContaining('already holds a CA') as string });
  });

  it('--cert-manager-issuer prints a CertificateRequest for the CSR instead of signing', () => {
    const r = ward(dir, ['sign', '--cert-manager-issuer', 'admin-ca', 'alice.csr']);
    expect(r.code).toBe(0);
    const cr = parse(r.stdout) as { kind: string; metadata: { name: string }; spec: { request: string; issuerRef: unknown; usages: string[] } };
    expect([cr.kind, cr.metadata.name, cr.spec.issuerRef, cr.spec.usages]).toEqual(['CertificateRequest', 'admin-alice', { name: 'admin-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' }, ['client auth', 'digital signature']]);
    expect(Buffer.from(cr.spec.request, 'base64').toString()).toBe(readFileSync(join(dir, 'alice.csr'), 'utf8'));
  });
});
