import { createHash } from 'node:crypto';
import { METRICS_PATH } from '../charts-src/constructs/operator.js';

/**
 * Authentication and authorisation of `/metrics` scrapes against the API server, as
 * controller-runtime's secure metrics filter does: the bearer token goes to a TokenReview
 * (authentication.k8s.io/v1); the user it names must be allowed `get` on the non-resource URL
 * `/metrics` by a SubjectAccessReview (authorization.k8s.io/v1), which RBAC grants with the
 * ClusterRole `ward-operator-metrics-reader`. Decisions are cached per token (its SHA-256, never
 * the token) for a minute, so a scrape every 15 s costs the API server 2 requests a minute.
 */

export { METRICS_PATH };
/** How long a decision is reused. @default 60 s */
export const DECISION_TTL_MS = 60_000;
const MAX_CACHED = 1024;

export interface Decision {
  /** 200 allowed, 401 no or invalid token, 403 authenticated but not allowed. */
  readonly status: 200 | 401 | 403;
  /** Why, for the response body and the log (never the token). */
  readonly reason: string;
}

export interface ReviewClient {
  post<T>(path: string, body: unknown): Promise<T>;
}

interface TokenReviewStatus { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> }; error?: string }
interface SarStatus { allowed?: boolean; reason?: string }

/** The bearer token of an `Authorization` header, or undefined. Pure. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export class MetricsAuthorizer {
  private readonly cache = new Map<string, { decision: Decision; at: number }>();

  constructor(
    private readonly client: ReviewClient,
    private readonly clock: () => Date,
    private readonly ttlMs = DECISION_TTL_MS,
  ) {}

  async authorize(authorization: string | undefined): Promise<Decision> {
    const token = bearerToken(authorization);
    if (token === undefined) return { status: 401, reason: 'no bearer token: scrape with a ServiceAccount token (Authorization: Bearer …)' };
    const key = createHash('sha256').update(token).digest('hex');
    const now = this.clock().getTime();
    const cached = this.cache.get(key);
    if (cached && now - cached.at < this.ttlMs) return cached.decision;
    const decision = await this.review(token);
    this.cache.delete(key);
    this.cache.set(key, { decision, at: now });
    if (this.cache.size > MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    return decision;
  }

  private async review(token: string): Promise<Decision> {
    const tr = await this.client.post<{ status?: TokenReviewStatus }>('/apis/authentication.k8s.io/v1/tokenreviews', {
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token },
    });
    const user = tr.status?.user;
    if (tr.status?.authenticated !== true || !user?.username) return { status: 401, reason: 'the token is not valid (TokenReview: not authenticated)' };
    const sar = await this.client.post<{ status?: SarStatus }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: {
        user: user.username, groups: user.groups ?? [], ...(user.uid ? { uid: user.uid } : {}), ...(user.extra ? { extra: user.extra } : {}),
        nonResourceAttributes: { path: METRICS_PATH, verb: 'get' },
      },
    });
    if (sar.status?.allowed === true) return { status: 200, reason: `allowed for ${user.username}` };
    return { status: 403, reason: `${user.username} may not get ${METRICS_PATH} (bind the ClusterRole ward-operator-metrics-reader)` };
  }
}
