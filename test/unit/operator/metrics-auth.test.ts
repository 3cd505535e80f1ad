import { describe, expect, it } from 'vitest';
import { bearerToken, DECISION_TTL_MS, MetricsAuthorizer, type ReviewClient } from '../../../operator/metrics-auth.js';

/** Answers TokenReviews and SubjectAccessReviews from two tables, counting the calls. */
function reviewer(users: Record<string, string>, allowed: readonly string[]): ReviewClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    post<T>(path: string, body: unknown): Promise<T> {
      const spec = (body as { spec: { token?: string; user?: string; nonResourceAttributes?: { path: string; verb: string } } }).spec;
      if (path.endsWith('/tokenreviews')) {
        calls.push('TokenReview');
        const user = users[spec.token ?? ''];
        return Promise.resolve({ status: user ? { authenticated: true, user: { username: user, groups: ['system:authenticated'] } } : { authenticated: false } } as T);
      }
      calls.push(`SAR ${spec.user ?? ''} ${spec.nonResourceAttributes?.verb ?? ''} ${spec.nonResourceAttributes?.path ?? ''}`);
      return Promise.resolve({ status: { allowed: allowed.includes(spec.user ?? '') } } as T);
    },
  };
}

describe('/metrics authorisation (TokenReview + SubjectAccessReview)', () => {
  it.each([
    ['no header', undefined, undefined],
    ['a bearer token', 'Bearer abc.def', 'abc.def'],
    ['the scheme in any case', 'bearer abc', 'abc'],
    ['basic credentials', 'Basic dXNlcjpwYXNz', undefined],
    ['an empty bearer', 'Bearer ', undefined],
  ] as const)('reads the token of %s', (_n, header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it('401 without or with an unknown token, 403 for a user without the right, 200 for one with it', async () => {
    const client = reviewer({ good: 'system:serviceaccount:monitoring:prometheus', other: 'system:serviceaccount:dev:app' }, ['system:serviceaccount:monitoring:prometheus']);
    const auth = new MetricsAuthorizer(client, () => new Date(0));
    expect((await auth.authorize(undefined)).status).toBe(401);
    expect((await auth.authorize('Bearer forged')).status).toBe(401);
    expect(await auth.authorize('Bearer other')).toEqual({ status: 403, reason: 'system:serviceaccount:dev:app may not get /metrics (bind the ClusterRole ward-operator-metrics-reader)' });
    expect((await auth.authorize('Bearer good')).status).toBe(200);
    expect(client.calls).toContain('SAR system:serviceaccount:monitoring:prometheus get /metrics');
  });

  it('reuses a decision for the TTL, then asks the API server again (a revoked binding stops working)', async () => {
    let now = 0;
    const client = reviewer({ good: 'u' }, ['u']);
    const auth = new MetricsAuthorizer(client, () => new Date(now));
    await auth.authorize('Bearer good');
    now = DECISION_TTL_MS - 1;
    await auth.authorize('Bearer good');
    expect(client.calls).toHaveLength(2);
    now = DECISION_TTL_MS;
    await auth.authorize('Bearer good');
    expect(client.calls).toHaveLength(4);
  });
});
