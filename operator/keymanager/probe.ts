import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConditionType, Reason, type ConditionResult } from '../conditions.js';

/**
 * Live probe of the MOSIP key manager, the way the registry uses it (`g2p_encryption_keymanager`):
 * a client-credentials token from the token URL (form POST), then
 * `GET {apiBaseUrl}/getCertificate?applicationId=&referenceId=` with header
 * `Cookie: Authorization=<jwt>`. TLS is verified (system roots, or the CA from caSecretRef);
 * every request has a bounded timeout. The client secret and the token go nowhere but the two requests.
 */

export interface ProbeInput {
  readonly tokenUrl: string;
  readonly apiBaseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly applicationId: string;
  readonly referenceId: string;
  readonly timeoutMs: number;
  readonly expiryWarningDays: number;
  /** PEM CA bundle; undefined: the system roots. */
  readonly ca?: string;
  readonly now: Date;
}

interface HttpResult {
  readonly status: number;
  readonly body: string;
}

class ProbeError extends Error {
  constructor(readonly reason: Reason, message: string) {
    super(message);
  }
}

const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'EPROTO']);

interface Call {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly what: string;
}

function send({ url, method, headers, body, what }: Call, input: ProbeInput): Promise<HttpResult> {
  const req = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const r = req(url, { method, headers: { ...headers, ...(body ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, timeout: input.timeoutMs, ...(input.ca ? { ca: input.ca } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (text.length < 1_000_000) text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    r.on('timeout', () => r.destroy(Object.assign(new Error(`${what} timed out after ${String(input.timeoutMs)} ms`), { code: 'ETIMEDOUT' })));
    r.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? '';
      if (TLS_CODES.has(code)) reject(new ProbeError(Reason.TLSError, `${what} ${url.origin}: TLS verification failed (${code})`));
      else reject(new ProbeError(Reason.Unreachable, `${what} ${url.origin} unreachable: ${code || err.message}`));
    });
    r.end(body);
  });
}

async function fetchToken(input: ProbeInput): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: input.clientId, client_secret: input.clientSecret }).toString();
  const res = await send({ url: new URL(input.tokenUrl), method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }, body: form, what: 'token endpoint' }, input);
  if (res.status === 401 || res.status === 400 || res.status === 403) {
    let err = '';
    try {
      err = (JSON.parse(res.body) as { error?: string }).error ?? '';
    } catch {
      // not JSON
    }
    throw new ProbeError(Reason.TokenRejected, `token endpoint rejected client "${input.clientId}" (HTTP ${String(res.status)}${err ? ` ${err}` : ''}): check the client secret`);
  }
  if (res.status < 200 || res.status >= 300) throw new ProbeError(Reason.TokenEndpointError, `token endpoint answered HTTP ${String(res.status)}`);
  let token: unknown;
  try {
    token = (JSON.parse(res.body) as { access_token?: unknown }).access_token;
  } catch {
    // handled below
  }
  if (typeof token !== 'string' || token === '') throw new ProbeError(Reason.TokenEndpointError, 'token endpoint answered without an access_token');
  return token;
}

export interface MosipEnvelope {
  readonly response?: { readonly certificate?: string; readonly expiryAt?: string } | null;
  readonly errors?: readonly { readonly errorCode?: string; readonly message?: string }[] | null;
}

/** MOSIP timestamps are UTC LocalDateTime without a zone ("2027-01-01T00:00:00.000"). */
export function parseMosipTime(s: string): Date | undefined {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function expiryProblem(expiry: Date, input: Pick<ProbeInput, 'applicationId' | 'expiryWarningDays' | 'now'>): ConditionResult | undefined {
  const days = Math.floor((expiry.getTime() - input.now.getTime()) / 86_400_000);
  const cert = `certificate for application "${input.applicationId}"`;
  if (expiry.getTime() <= input.now.getTime()) return fail(Reason.CertificateExpiring, `${cert} expired on ${expiry.toISOString()}`);
  if (days < input.expiryWarningDays) return fail(Reason.CertificateExpiring, `${cert} expires on ${expiry.toISOString()}, within ${String(input.expiryWarningDays)} days`);
  return undefined;
}

/** Judges a getCertificate envelope: certificate present and not expiring within the window. */
export function judgeCertificate(env: MosipEnvelope, input: Pick<ProbeInput, 'applicationId' | 'referenceId' | 'expiryWarningDays' | 'now'>): ConditionResult {
  const first = (env.errors ?? [])[0];
  const what = `application "${input.applicationId}", reference "${input.referenceId}"`;
  if (first) return fail(Reason.CertificateNotFound, `no certificate for ${what} (${`${first.errorCode ?? 'error'}: ${first.message ?? ''}`.trim()})`);
  if (!env.response?.certificate) return fail(Reason.CertificateNotFound, `key manager returned no certificate for ${what}`);
  const expiry = env.response.expiryAt ? parseMosipTime(env.response.expiryAt) : undefined;
  const problem = expiry ? expiryProblem(expiry, input) : undefined;
  if (problem) return problem;
  const until = expiry ? `, valid until ${expiry.toISOString()}` : '';
  return { type: ConditionType.KeyManagerReachable, status: 'True', reason: Reason.Reachable, message: `token issued and certificate for ${what} fetched${until}` };
}

async function fetchCertificate(input: ProbeInput, token: string): Promise<ConditionResult> {
  const url = new URL(`${input.apiBaseUrl.replace(/\/+$/, '')}/getCertificate`);
  url.searchParams.set('applicationId', input.applicationId);
  url.searchParams.set('referenceId', input.referenceId);
  const res = await send({ url, method: 'GET', headers: { Cookie: `Authorization=${token}`, Accept: 'application/json' }, what: 'key manager' }, input);
  if (res.status === 401 || res.status === 403) throw new ProbeError(Reason.TokenRejected, `key manager refused the token (HTTP ${String(res.status)}): the client needs role KEYMANAGER_ADMIN and the key manager audience`);
  if (res.status < 200 || res.status >= 300) throw new ProbeError(Reason.KeyManagerError, `key manager answered HTTP ${String(res.status)}`);
  let env: MosipEnvelope;
  try {
    env = JSON.parse(res.body) as MosipEnvelope;
  } catch {
    throw new ProbeError(Reason.KeyManagerError, 'key manager answered with something that is not JSON');
  }
  return judgeCertificate(env, input);
}

function fail(reason: Reason, message: string): ConditionResult {
  return { type: ConditionType.KeyManagerReachable, status: 'False', reason, message };
}

/** Runs the probe; never throws: every failure becomes a KeyManagerReachable=False reason. */
export async function probeKeyManager(input: ProbeInput): Promise<ConditionResult> {
  try {
    const token = await fetchToken(input);
    return await fetchCertificate(input, token);
  } catch (err) {
    if (err instanceof ProbeError) return fail(err.reason, err.message);
    return fail(Reason.Unreachable, `probe failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
