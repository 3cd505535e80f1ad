/**
 * A real S3 server for the AttachmentsPrivate tests: versitygw (scripts/ci-s3.sh builds it from its Go
 * module into $WARD_CACHE_DIR) serving a temporary directory on loopback. Buckets, objects and
 * policies are set up with signed requests (AWS Signature Version 4, written out here: the project
 * has no AWS SDK), as the registry's own client would; the probe itself sends none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingPrereq } from './prereq.js';
import { freePort } from './postgres.js';

const VERSION = 'v1.8.0';
const binary = (): string => process.env.WARD_VERSITYGW ?? join(process.env.WARD_CACHE_DIR ?? join(homedir(), '.cache', 'ward'), `versitygw-${VERSION}`, 'versitygw');

export function s3Prereq(): string | undefined {
  return missingPrereq(`versitygw ${VERSION} at ${binary()} (bash scripts/ci-s3.sh)`, existsSync(binary()));
}

const ACCESS = 'wardtestaccess';
const SECRET = 'wardtestsecretZt4Wq9Lm2Vx8Rk5Np7Bc3';
const REGION = 'us-east-1';

const sha256 = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string): Buffer => createHmac('sha256', key).update(s).digest();

/** A SigV4-signed request (path-style, query already encoded), resolved with status and body. */
function signed(port: number, method: string, path: string, query: string, body = ''): Promise<{ status: number; text: string }> {
  const now = new Date();
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const host = `127.0.0.1:${String(port)}`;
  const payloadHash = sha256(body);
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = [method, path, query, ...names.map((n) => `${n}:${headers[n] ?? ''}`), '', names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${SECRET}`, day), REGION), 's3'), 'aws4_request');
  const auth = `AWS4-HMAC-SHA256 Credential=${ACCESS}/${scope}, SignedHeaders=${names.join(';')}, Signature=${createHmac('sha256', key).update(toSign).digest('hex')}`;
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port, method, path: query ? `${path}?${query}` : path, headers: { ...headers, Authorization: auth, 'Content-Length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, text }); });
    });
    r.on('error', reject);
    r.end(body);
  });
}

export interface S3Server {
  readonly endpoint: string;
  createBucket(name: string): Promise<void>;
  putObject(bucket: string, key: string, body: string): Promise<void>;
  /** A bucket policy letting anyone list and read (what `mc anonymous set download` writes). */
  makePublic(bucket: string): Promise<void>;
  stop(): void;
}

async function ok(what: string, p: Promise<{ status: number; text: string }>): Promise<void> {
  const r = await p;
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: HTTP ${String(r.status)} ${r.text.slice(0, 300)}`);
}

async function waitUntilUp(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`versitygw exited: ${log()}`);
    try {
      await signed(port, 'GET', '/', '');
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`versitygw did not start: ${log()}`);
}

export async function startS3(): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'ward-s3-'));
  const port = await freePort();
  let output = '';
  const child = spawn(binary(), ['--access', ACCESS, '--secret', SECRET, '--region', REGION, '--port', `127.0.0.1:${String(port)}`, 'posix', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  await waitUntilUp(port, child, () => output);
  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    createBucket: (name) => ok(`create bucket ${name}`, signed(port, 'PUT', `/${name}`, '')),
    putObject: (bucket, key, body) => ok(`put ${bucket}/${key}`, signed(port, 'PUT', `/${bucket}/${key}`, '', body)),
    makePublic: (bucket) => ok(`policy of ${bucket}`, signed(port, 'PUT', `/${bucket}`, 'policy=', JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] }],
    }))),
    stop() {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
