/**
 * The operator's DatabaseTLS probe (spec.dataTier.probes.database) on a real API server against real
 * PostgreSQL 15 servers on loopback (test/support/postgres.ts): one with TLS on and hostssl only, one
 * with TLS off. The CA comes from a Secret; the probe's result is a condition next to the others,
 * which it never holds up, and nothing but the Secret's name reaches logs, Events or status.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { startOdooDatabaseListDouble, type OdooDouble } from '../support/odoo-database-list-double.js';
import { freePort, postgresPrereq, startPostgres, type PostgresServer } from '../support/postgres.js';
import { s3Prereq, startS3, type S3Server } from '../support/s3-server.js';
import { describeCluster, freshNamespace } from './helpers.js';
import { adminRest, conditionOf, createRd, installOperatorPrereqs, smallSpec, startOperator, stopAndClean, waitForCondition, type RunningOperator } from './operator-support.js';

const skip = postgresPrereq();
const skipS3 = s3Prereq();

async function createSecret(ns: string, name: string, data: Record<string, string>): Promise<void> {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  await adminRest().post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name }, data: encoded });
}

describeCluster('operator: DatabaseTLS against real PostgreSQL', () => {
  let op: RunningOperator | undefined;
  let hostssl: PostgresServer | undefined;
  let tlsOff: PostgresServer | undefined;
  let odoo: OdooDouble | undefined;
  let s3: S3Server | undefined;
  beforeAll(async () => {
    odoo = await startOdooDatabaseListDouble();
    if (!skipS3) {
      s3 = await startS3();
      await s3.createBucket('documents');
      await s3.createBucket('logos');
      await s3.makePublic('logos');
    }
    if (skip) return;
    await installOperatorPrereqs();
    hostssl = await startPostgres({ tls: true, hba: 'hostssl all all 127.0.0.1/32 scram-sha-256' });
    tlsOff = await startPostgres({ tls: false, hba: 'host all all 127.0.0.1/32 scram-sha-256' });
  }, 180_000);
  afterAll(async () => {
    await odoo?.close();
    s3?.stop();
    hostssl?.stop();
    tlsOff?.stop();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
  });

  const spec = (port: number): Record<string, unknown> => smallSpec({
    dataTier: { probes: { intervalSeconds: 30, timeoutSeconds: 3, database: { host: '127.0.0.1', port, database: 'socialregistrydb', user: 'sruser', serverName: 'localhost', caSecretRef: { name: 'sr-postgresql-crt' } } } },
  });

  async function setup(ca: string | undefined): Promise<string> {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    if (ca !== undefined) await createSecret(ns, 'sr-postgresql-crt', { 'ca.crt': ca, 'tls.key': 'not-for-the-probe-Zt4Wq9Lm2Vx8Rk5N' });
    return ns;
  }

  it.skipIf(skip !== undefined)('TLS with hostssl only gives DatabaseTLS=True/TLSVerified next to the other conditions', async () => {
    const ns = await setup(hostssl!.ca);
    await createRd(ns, 'sr', spec(hostssl!.port));
    const rd = await waitForCondition(ns, 'sr', 'DatabaseTLS', 'True', 'TLSVerified');
    expect(conditionOf(rd, 'DatabaseTLS')?.message).toMatch(/verified against the CA for "localhost".*plaintext refused \(SQLSTATE 28000\)$/);
    expect(conditionOf(rd, 'NetworkPolicyApplied')?.status).toBe('True');
    const events = await adminRest().get<{ items: unknown[] }>(`/api/v1/namespaces/${ns}/events`);
    const exposed = [op!.logs.join(''), JSON.stringify(events.items), JSON.stringify(rd.status)].join('\n');
    expect(exposed).not.toContain('Zt4Wq9Lm2Vx8Rk5N');
    expect(exposed).not.toContain('BEGIN CERTIFICATE');
  });

  it.skipIf(skip !== undefined)('a server without TLS gives DatabaseTLSOff and Ready=False naming it, while the policies are still applied', async () => {
    const ns = await setup(tlsOff!.ca);
    await createRd(ns, 'sr', spec(tlsOff!.port));
    const rd = await waitForCondition(ns, 'sr', 'DatabaseTLS', 'False', 'DatabaseTLSOff');
    expect(conditionOf(rd, 'DatabaseTLS')?.message).toBe(`PostgreSQL 127.0.0.1:${String(tlsOff!.port)} answered the SSLRequest with "N": the server offers no TLS`);
    expect(conditionOf(rd, 'MeshPolicyApplied')?.status).toBe('True');
    expect(conditionOf(rd, 'NetworkPolicyApplied')?.status).toBe('True');
    expect(conditionOf(rd, 'Ready')?.message).toContain('DatabaseTLS=False (DatabaseTLSOff)');
  });

  it.skipIf(skip !== undefined)('a missing CA Secret gives SecretMissing and the probe runs once the Secret exists; nothing listening gives Unreachable', async () => {
    const ns = await setup(undefined);
    await createRd(ns, 'sr', spec(hostssl!.port));
    const missing = await waitForCondition(ns, 'sr', 'DatabaseTLS', 'False', 'SecretMissing');
    expect(conditionOf(missing, 'DatabaseTLS')?.message).toBe(`dataTier.probes.database.caSecretRef: Secret "sr-postgresql-crt" key "ca.crt" not found in ${ns}`);
    await createSecret(ns, 'sr-postgresql-crt', { 'ca.crt': hostssl!.ca });
    await waitForCondition(ns, 'sr', 'DatabaseTLS', 'True', 'TLSVerified');
    const ns2 = await freshNamespace();
    await stopAndClean(op);
    op = await startOperator([ns2]);
    await createSecret(ns2, 'sr-postgresql-crt', { 'ca.crt': hostssl!.ca });
    await createRd(ns2, 'sr', spec(await freePort()));
    const rd = await waitForCondition(ns2, 'sr', 'DatabaseTLS', 'False', 'Unreachable');
    expect(conditionOf(rd, 'DatabaseTLS')?.message).toMatch(/^PostgreSQL 127\.0\.0\.1:\d+: ECONNREFUSED$/);
  });

  it('the Odoo probe against the /web/database/list test double: OdooDatabaseManagerDisabled True with list_db off, DatabaseManagerEnabled with it on', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    odoo!.listDb = false;
    await createRd(ns, 'sr', smallSpec({ dataTier: { probes: { intervalSeconds: 30, timeoutSeconds: 3, odoo: { url: odoo!.url } } } }));
    const off = await waitForCondition(ns, 'sr', 'OdooDatabaseManagerDisabled', 'True', 'DatabaseManagerRefused');
    expect(conditionOf(off, 'DatabaseTLS')).toBeUndefined();
    odoo!.listDb = true;
    await createRd(ns, 'sr2', smallSpec({ release: 'sr2', dataTier: { probes: { intervalSeconds: 30, timeoutSeconds: 3, odoo: { url: odoo!.url } } } }));
    const on = await waitForCondition(ns, 'sr2', 'OdooDatabaseManagerDisabled', 'False', 'DatabaseManagerEnabled');
    expect(conditionOf(on, 'Ready')?.message).toContain('OdooDatabaseManagerDisabled=False (DatabaseManagerEnabled)');
    expect(odoo!.requests.every((r) => r.method === 'POST' && r.path === '/web/database/list')).toBe(true);
  });

  it.skipIf(skipS3 !== undefined)('the attachments probe against a real S3 server: AttachmentsPrivate True for the private bucket, PubliclyListable and BucketNotFound otherwise', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    const probe = (bucket: string): Record<string, unknown> => ({ dataTier: { probes: { intervalSeconds: 30, timeoutSeconds: 3, attachments: { endpoint: s3!.endpoint, bucket } } } });
    await createRd(ns, 'sr', smallSpec(probe('documents')));
    await createRd(ns, 'sr2', smallSpec({ release: 'sr2', ...probe('logos') }));
    await createRd(ns, 'sr3', smallSpec({ release: 'sr3', ...probe('no-such-bucket') }));
    const priv = await waitForCondition(ns, 'sr', 'AttachmentsPrivate', 'True', 'AnonymousDenied');
    expect(conditionOf(priv, 'AttachmentsPrivate')?.message).toBe(`S3 ${s3!.endpoint} bucket "documents": anonymous list refused (AccessDenied)`);
    await waitForCondition(ns, 'sr2', 'AttachmentsPrivate', 'False', 'PubliclyListable');
    await waitForCondition(ns, 'sr3', 'AttachmentsPrivate', 'False', 'BucketNotFound');
  });
});
