/**
 * Local stand-ins for the key manager's dependencies, for the operator's live probe. The real MOSIP
 * key manager needs an HSM (SoftHSM/PKCS#11) and its own PostgreSQL and cannot run here; these
 * servers implement the documented responses instead:
 *  - the OAuth2 token endpoint (Keycloak): form POST `grant_type=client_credentials`, 200
 *    `{access_token, token_type, expires_in}` or 401 `{error: "unauthorized_client"}`;
 *  - `GET /v1/keymanager/getCertificate?applicationId=&referenceId=` with `Cookie: Authorization=<jwt>`,
 *    answering the MOSIP envelope `{id, version, responsetime, response, errors}`.
 * TLS uses a CA generated with openssl at test time, so the probe's certificate verification is real.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

/** A CA and a serving certificate for 127.0.0.1/localhost, made with openssl. */
export function makePki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'ward-km-pki-'));
  const run = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  try {
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=ward test CA');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
    run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext.cnf');
    return { caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'), certPem: readFileSync(join(dir, 'srv.crt'), 'utf8'), keyPem: readFileSync(join(dir, 'srv.key'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface KeyManagerBehaviour {
  /** The client secret the token endpoint accepts. */
  clientSecret: string;
  /** Application ids that have a master key. */
  applicationIds: string[];
  /** Certificate expiry. */
  expiryAt: Date;
}

export interface FakeKeyManager {
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly apiBaseUrl: string;
  readonly behaviour: KeyManagerBehaviour;
  /** Requests seen, as "METHOD path" (no bodies: they hold the secret). */
  readonly seen: string[];
  close(): Promise<void>;
}

const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJvcGVuZzJwLWFkbWluLWNsaWVudCJ9.c2ln';

/** LocalDateTime as the key manager prints it (UTC, no zone). */
const mosipTime = (d: Date): string => d.toISOString().replace('Z', '');

function envelope(response: unknown, errors: unknown): string {
  return JSON.stringify({ id: 'string', version: 'string', responsetime: mosipTime(new Date()), metadata: null, response, errors });
}

export async function startFakeKeyManager(pki: TestPki, behaviour: KeyManagerBehaviour): Promise<FakeKeyManager> {
  const seen: string[] = [];
  const server: Server = createServer({ cert: pki.certPem, key: pki.keyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    seen.push(`${req.method ?? ''} ${url.pathname}`);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (req.method === 'POST' && url.pathname === '/realms/openg2p/protocol/openid-connect/token') {
        const form = new URLSearchParams(body);
        const ok = form.get('grant_type') === 'client_credentials' && form.get('client_id') === 'openg2p-admin-client' && form.get('client_secret') === behaviour.clientSecret;
        res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' });
        res.end(ok ? JSON.stringify({ access_token: TOKEN, token_type: 'Bearer', expires_in: 300 }) : JSON.stringify({ error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' }));
        return;
      }
      if (req.method === 'GET' && url.pathname === '/v1/keymanager/getCertificate') {
        if (req.headers.cookie !== `Authorization=${TOKEN}`) {
          res.writeHead(401, { 'Content-Type': 'application/json' }).end(envelope(null, [{ errorCode: 'KER-ATH-401', message: 'Authentication Failed' }]));
          return;
        }
        const app = url.searchParams.get('applicationId') ?? '';
        res.writeHead(200, { 'Content-Type': 'application/json' });
        if (!behaviour.applicationIds.includes(app)) {
          res.end(envelope(null, [{ errorCode: 'KER-KMS-002', message: 'ApplicationId not found in Key Policy' }]));
          return;
        }
        res.end(envelope({ certificate: '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----', certSignRequest: null, issuedAt: mosipTime(new Date(Date.now() - 86_400_000)), expiryAt: mosipTime(behaviour.expiryAt), timestamp: mosipTime(new Date()) }, null));
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `https://127.0.0.1:${String(port)}`;
  return {
    baseUrl, behaviour, seen,
    tokenUrl: `${baseUrl}/realms/openg2p/protocol/openid-connect/token`,
    apiBaseUrl: `${baseUrl}/v1/keymanager`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
