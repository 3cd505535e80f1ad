import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAttachments } from '../../operator/datatier/attachments.js';
import { freePort } from '../support/postgres.js';
import { s3Prereq, startS3, type S3Server } from '../support/s3-server.js';

/**
 * The AttachmentsPrivate probe against a real S3 server (versitygw, built from its Go module by
 * scripts/ci-s3.sh) on loopback: a private bucket holding an attachment, a bucket made public with
 * the policy `mc anonymous set download` writes, and a bucket that does not exist.
 */
const skip = s3Prereq();

describe.skipIf(skip !== undefined)('AttachmentsPrivate against a real S3 server', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.createBucket('documents');
    await s3.putObject('documents', 'beneficiary/1/id-card.txt', 'personal data');
    await s3.createBucket('logos');
    await s3.putObject('logos', 'logo.txt', 'public');
    await s3.makePublic('logos');
  }, 60_000);
  afterAll(() => { s3?.stop(); });

  it('is True for the private bucket: the anonymous list and the anonymous read of an attachment are refused (403)', async () => {
    const r = await probeAttachments({ endpoint: s3.endpoint, bucket: 'documents', objectKey: 'beneficiary/1/id-card.txt', timeoutMs: 5000 });
    expect(r).toEqual({ type: 'AttachmentsPrivate', status: 'True', reason: 'AnonymousDenied', message: `S3 ${s3.endpoint} bucket "documents": anonymous list refused (AccessDenied), anonymous read of the object refused (AccessDenied)` });
  });

  it('is False/PubliclyListable for a bucket with an anonymous policy, and never reports object contents', async () => {
    const r = await probeAttachments({ endpoint: s3.endpoint, bucket: 'logos', objectKey: 'logo.txt', timeoutMs: 5000 });
    expect(r.status).toBe('False');
    expect(r.reason).toBe('PubliclyListable');
    expect(r.message).toBe(`S3 ${s3.endpoint} lists bucket "logos" to an anonymous caller (HTTP 200): remove the anonymous policy (mc anonymous set none)`);
  });

  it('tells a bucket that does not exist and an endpoint where nothing listens apart', async () => {
    const missing = await probeAttachments({ endpoint: s3.endpoint, bucket: 'no-such-bucket', timeoutMs: 5000 });
    expect(missing.status).toBe('False');
    expect(missing.reason).toBe('BucketNotFound');
    expect((await probeAttachments({ endpoint: `http://127.0.0.1:${String(await freePort())}`, bucket: 'documents', timeoutMs: 2000 })).reason).toBe('Unreachable');
  });
});
