import { KubeConfig } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeApiError, RestClient, type RequestRecord } from '../../../operator/kube/rest.js';

/** A local HTTPS "API server" that throttles the first requests with 429 and Retry-After. */
describe('RestClient', () => {
  let server: Server;
  let port = 0;
  let throttle = 0;
  const bodies: string[] = [];
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ward-rest-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'k.pem', '-out', 'c.pem', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir, stdio: 'pipe' });
    const tls = { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) };
    rmSync(dir, { recursive: true, force: true });
    server = createServer(tls, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers['content-type'] ?? ''} ${body}`);
        if (throttle > 0) {
          throttle -= 1;
          res.writeHead(429, { 'Retry-After': '0', 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', reason: 'TooManyRequests', message: 'slow down' }));
        } else if (req.url?.startsWith('/missing')) {
          res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'widgets "x" not found' }));
        } else {
          res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok: true }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const a = server.address();
    port = typeof a === 'object' && a ? a.port : 0;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  function client(records: RequestRecord[]): RestClient {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${String(port)}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't0ken' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    return new RestClient(kc, { onRequest: (r) => records.push(r) });
  }

  it('honours 429 Retry-After and retries the same request', async () => {
    const records: RequestRecord[] = [];
    throttle = 2;
    const rest = client(records);
    expect(await rest.get('/api/v1/things')).toEqual({ ok: true });
    expect(records.map((r) => r.status)).toEqual([429, 429, 200]);
    rest.close();
  });

  it('sends server-side apply as plain JSON with the field manager and force', async () => {
    const rest = client([]);
    bodies.length = 0;
    await rest.apply('/apis/security.istio.io/v1/namespaces/n/authorizationpolicies/a', { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'a' }, spec: { action: 'ALLOW', rules: [{ from: [{ source: { principals: ['p'] } }] }] } }, 'ward-operator');
    expect(bodies).toEqual([
      'PATCH /apis/security.istio.io/v1/namespaces/n/authorizationpolicies/a?fieldManager=ward-operator&force=true application/apply-patch+yaml ' +
        '{"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"a"},"spec":{"action":"ALLOW","rules":[{"from":[{"source":{"principals":["p"]}}]}]}}',
    ]);
    rest.close();
  });

  it('turns a Status into a KubeApiError with code, reason and message', async () => {
    const rest = client([]);
    const err = await rest.get('/missing').then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).message).toBe('GET /missing: HTTP 404 NotFound: widgets "x" not found');
    rest.close();
  });
});
