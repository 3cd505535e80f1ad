import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDatabaseTls, type DatabaseTlsInput } from '../../operator/datatier/database-tls.js';
import { freePort, makeCertificates, postgresPrereq, startPostgres, type PostgresServer } from '../support/postgres.js';

/**
 * The DatabaseTLS probe against real PostgreSQL 15 servers (Debian's postgresql-15) on loopback:
 * TLS on with hostssl only (the hardened layout), TLS on with a host record (plaintext still
 * accepted), TLS off (OpenG2P's shipped layout). Wrong CA, wrong name, nothing listening and a
 * server that never answers each get their own reason.
 */
const skip = postgresPrereq();

describe.skipIf(skip !== undefined)('DatabaseTLS against real PostgreSQL servers', () => {
  let hostssl: PostgresServer;
  let hostPlain: PostgresServer;
  let tlsOff: PostgresServer;
  let silent: Server;
  let otherCa: string;
  let caDir: string;

  beforeAll(async () => {
    hostssl = await startPostgres({ tls: true, hba: 'hostssl all all 127.0.0.1/32 scram-sha-256' });
    hostPlain = await startPostgres({ tls: true, hba: 'host all all 127.0.0.1/32 scram-sha-256' });
    tlsOff = await startPostgres({ tls: false, hba: 'host all all 127.0.0.1/32 scram-sha-256' });
    caDir = mkdtempSync(join(tmpdir(), 'ward-ca-'));
    otherCa = readFileSync(makeCertificates(caDir, ['localhost'], 'other-').ca, 'utf8');
    silent = createServer(() => { /* accepts and never answers */ });
    await new Promise<void>((resolve) => { silent.listen(0, '127.0.0.1', resolve); });
  }, 180_000);

  afterAll(() => {
    for (const s of [hostssl, hostPlain, tlsOff]) s?.stop();
    silent?.close();
    if (caDir) rmSync(caDir, { recursive: true, force: true });
  });

  const input = (s: { port: number; ca: string }, over: Partial<DatabaseTlsInput> = {}): DatabaseTlsInput => ({
    host: '127.0.0.1', port: s.port, user: 'sruser', database: 'socialregistrydb', ca: s.ca, serverName: 'localhost', timeoutMs: 5000, ...over,
  });

  it('is True on TLS with hostssl only: verify-full against the CA, and the plaintext startup refused with SQLSTATE 28000', async () => {
    const r = await probeDatabaseTls(input(hostssl));
    expect(r).toMatchObject({ type: 'DatabaseTLS', status: 'True', reason: 'TLSVerified' });
    expect(r.message).toMatch(new RegExp(`^PostgreSQL 127\\.0\\.0\\.1:${String(hostssl.port)}: TLSv1\\.[23] verified against the CA for "localhost", startup answered with (an authentication request|error 28000); plaintext refused \\(SQLSTATE 28000\\)$`));
  });

  it('is False/PlaintextAccepted when TLS is on but pg_hba.conf still has a host record', async () => {
    const r = await probeDatabaseTls(input(hostPlain));
    expect(r).toMatchObject({ status: 'False', reason: 'PlaintextAccepted' });
    expect(r.message).toBe(`PostgreSQL 127.0.0.1:${String(hostPlain.port)} accepts a plaintext connection for user "sruser" (it asked for authentication without TLS): pg_hba.conf has a host record, make it hostssl`);
  });

  it('is False/DatabaseTLSOff when the server offers no TLS (ssl = off)', async () => {
    const r = await probeDatabaseTls(input(tlsOff));
    expect(r).toEqual({ type: 'DatabaseTLS', status: 'False', reason: 'DatabaseTLSOff', message: `PostgreSQL 127.0.0.1:${String(tlsOff.port)} answered the SSLRequest with "N": the server offers no TLS` });
  });

  it('is False/CertificateInvalid with a CA that did not sign the server certificate', async () => {
    const r = await probeDatabaseTls(input(hostssl, { ca: otherCa }));
    expect(r).toMatchObject({ status: 'False', reason: 'CertificateInvalid' });
    expect(r.message).toContain('the server certificate does not verify against the CA');
  });

  it('is False/CertificateInvalid when the certificate does not name the host (verify-full, not verify-ca)', async () => {
    const r = await probeDatabaseTls(input(hostssl, { serverName: 'sr-postgresql.sr.svc.cluster.local' }));
    expect(r).toMatchObject({ status: 'False', reason: 'CertificateInvalid' });
    expect(r.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
  });

  it('is False/Unreachable when nothing listens, and False/ProbeTimeout when the server never answers', async () => {
    expect(await probeDatabaseTls(input({ port: await freePort(), ca: hostssl.ca }))).toMatchObject({ status: 'False', reason: 'Unreachable' });
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const r = await probeDatabaseTls(input({ port, ca: hostssl.ca }, { timeoutMs: 300 }));
    expect(r).toEqual({ type: 'DatabaseTLS', status: 'False', reason: 'ProbeTimeout', message: `PostgreSQL 127.0.0.1:${String(port)}: no answer within 300 ms` });
  });
});
