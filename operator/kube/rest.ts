import type { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type RequestOptions } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Raw JSON requests to the API server with the KubeConfig's credentials. Plain JSON on purpose:
 * client-node's typed ObjectSerializer drops fields it does not model (Istio and ward custom
 * resources, `x-kubernetes-*` keys), so everything the operator sends and reads stays a plain object.
 * Honours 429 with Retry-After; every request is reported to `onRequest` (metrics, tests).
 */

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    /** The Status `reason`, e.g. NotFound, Forbidden, Conflict. */
    readonly reason: string,
    readonly detail: string,
    what: string,
  ) {
    super(`${what}: HTTP ${String(statusCode)} ${reason}: ${detail}`);
    this.name = 'KubeApiError';
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 404;
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.statusCode === 409;

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface RestOptions {
  readonly onRequest?: (r: RequestRecord) => void;
  /** Retries of one request answered 429. @default 5 */
  readonly maxThrottleRetries?: number;
  /** Upper bound of one Retry-After wait. @default 10_000 */
  readonly maxRetryAfterMs?: number;
  /** Per-request timeout. @default 30_000 */
  readonly timeoutMs?: number;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export type Query = Readonly<Record<string, string | undefined>>;

export class RestClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 32 });

  constructor(
    readonly kubeConfig: KubeConfig,
    private readonly options: RestOptions = {},
  ) {}

  close(): void {
    this.agent.destroy();
  }

  async get<T>(path: string, query: Query = {}): Promise<T> {
    return this.json<T>('GET', path, query);
  }

  /** Server-side apply (`application/apply-patch+yaml` carrying JSON), field manager and force. */
  async apply<T>(path: string, body: unknown, fieldManager: string): Promise<T> {
    return this.json<T>('PATCH', path, { fieldManager, force: 'true' }, body, 'application/apply-patch+yaml');
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('POST', path, {}, body);
  }

  async delete(path: string, body?: unknown): Promise<void> {
    await this.json('DELETE', path, {}, body);
  }

  async json<T>(method: string, path: string, query: Query = {}, body?: unknown, contentType = 'application/json'): Promise<T> {
    const full = withQuery(path, query);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const max = this.options.maxThrottleRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      const res = await this.send(method, full, payload, contentType);
      this.options.onRequest?.({ method, path, status: res.status });
      if (res.status === 429 && attempt < max) {
        await sleep(retryAfterMs(res.headers['retry-after'], this.options.maxRetryAfterMs ?? 10_000));
        continue;
      }
      if (res.status < 200 || res.status >= 300) throw toError(res, `${method} ${path}`);
      return (res.text ? JSON.parse(res.text) : undefined) as T;
    }
  }

  private async send(method: string, path: string, payload: string | undefined, contentType: string): Promise<RawResponse> {
    return sendRequest(this.kubeConfig, method, path, payload, { contentType, agent: this.agent, timeoutMs: this.options.timeoutMs ?? 30_000 });
  }
}

export interface SendOptions {
  /** Content-Type of the payload. @default 'application/json' */
  readonly contentType?: string;
  /** Connection pool to use; the KubeConfig's (or Node's global) agent when absent. */
  readonly agent?: Agent;
  /** Per-request timeout; none when absent. */
  readonly timeoutMs?: number;
}

/**
 * One HTTPS request to the current cluster's API server with the KubeConfig's credentials. Resolves
 * with whatever status the server answered; rejects only when there was no answer.
 */
export async function sendRequest(kc: KubeConfig, method: string, path: string, payload: string | undefined, options: SendOptions = {}): Promise<RawResponse> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const opts: RequestOptions = { method, headers: { Accept: 'application/json' } };
  if (options.agent) opts.agent = options.agent;
  if (options.timeoutMs !== undefined) opts.timeout = options.timeoutMs;
  await kc.applyToHTTPSOptions(opts);
  if (options.agent) opts.agent = options.agent;
  if (payload !== undefined) opts.headers = { ...opts.headers, 'Content-Type': options.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  const url = new URL(path, cluster.server);
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function withQuery(path: string, query: Query): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  return q.size > 0 ? `${path}?${q.toString()}` : path;
}

/** Retry-After in seconds (or an HTTP date), bounded; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, maxMs: number, now = Date.now): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return Math.min(1000, maxMs);
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.min(Math.max(0, seconds * 1000), maxMs);
  const at = Date.parse(value);
  return Number.isNaN(at) ? Math.min(1000, maxMs) : Math.min(Math.max(0, at - now()), maxMs);
}

function toError(res: RawResponse, what: string): KubeApiError {
  let reason = 'Unknown';
  let detail = res.text.slice(0, 500);
  try {
    const status = JSON.parse(res.text) as { reason?: string; message?: string };
    reason = status.reason ?? reason;
    detail = status.message ?? detail;
  } catch {
    // not a Status object: keep the text
  }
  return new KubeApiError(res.status, reason, detail, what);
}
