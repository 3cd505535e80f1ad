import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { ConditionType, Reason, type ConditionResult } from '../../../operator/conditions.js';
import type { DatabaseTlsInput } from '../../../operator/datatier/database-tls.js';
import { dataTierConditions, FIRST_RETRY_MS, probeKey, waitAfter, type ProbeCacheEntry } from '../../../operator/datatier/probes.js';
import type { SecretFacts } from '../../../operator/secrets.js';

const spec = (database: Record<string, unknown> | null = { host: 'sr-postgresql.sr.svc', database: 'socialregistrydb', user: 'sruser', caSecretRef: { name: 'sr-postgresql-crt' } }) => {
  const r = parseRegistrySpec({ namespace: 'sr', dataTier: { probes: { intervalSeconds: 300, ...(database ? { database } : {}) } } });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
};
const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const secrets = (ca = CA): Map<string, SecretFacts> => new Map([['sr-postgresql-crt', { name: 'sr-postgresql-crt', found: true, data: { 'ca.crt': Buffer.from(ca) }, annotations: {} }]]);
const outcome = (ok: boolean): ConditionResult => ({ type: ConditionType.DatabaseTLS, status: ok ? 'True' : 'False', reason: ok ? Reason.TLSVerified : Reason.Unreachable, message: 'm' });

describe('data-tier probes in a reconcile', () => {
  it('backs off 10 s, 20 s, 40 s … after consecutive failures, capped at the interval; a pass waits the interval', () => {
    expect([1, 2, 3, 4, 10].map((failures) => waitAfter({ failures }, 300_000))).toEqual([FIRST_RETRY_MS, 20_000, 40_000, 80_000, 300_000]);
    expect(waitAfter({ failures: 0 }, 300_000)).toBe(300_000);
  });

  it('probes with the spec and the CA, caches the result, and counts failures only while the inputs stay the same', async () => {
    const calls: DatabaseTlsInput[] = [];
    let ok = false;
    const cache = new Map<string, ProbeCacheEntry>();
    const probes = { database: (i: DatabaseTlsInput) => { calls.push(i); return Promise.resolve(outcome(ok)); } };
    const at = (ms: number) => ({ probes, cache, now: new Date(1_000_000 + ms) });
    const first = await dataTierConditions(at(0), 'sr/sr', spec(), secrets());
    expect(first).toEqual({ conditions: [outcome(false)], requeueAfterMs: FIRST_RETRY_MS });
    expect(calls[0]).toEqual({ host: 'sr-postgresql.sr.svc', port: 5432, user: 'sruser', database: 'socialregistrydb', ca: CA, serverName: 'sr-postgresql.sr.svc', timeoutMs: 10_000 });
    expect((await dataTierConditions(at(5_000), 'sr/sr', spec(), secrets())).requeueAfterMs).toBe(5_000);
    expect(calls).toHaveLength(1);
    expect((await dataTierConditions(at(10_000), 'sr/sr', spec(), secrets())).requeueAfterMs).toBe(20_000);
    expect(cache.get(probeKey('sr/sr', 'database'))?.failures).toBe(2);
    ok = true;
    // A new CA is a new input: probed at once, the failure count starts again.
    expect(await dataTierConditions(at(11_000), 'sr/sr', spec(), secrets(`${CA}\n`))).toEqual({ conditions: [outcome(true)], requeueAfterMs: 300_000 });
    expect(calls).toHaveLength(3);
  });

  it('reports a missing CA Secret (and retries soon), a probe-less operator, and drops the cache when the probe leaves the spec', async () => {
    const cache = new Map<string, ProbeCacheEntry>([[probeKey('sr/sr', 'database'), { at: 0, inputs: 'x', result: outcome(true) }]]);
    const missing = await dataTierConditions({ probes: { database: () => Promise.resolve(outcome(true)) }, cache, now: new Date() }, 'sr/sr', spec(), new Map());
    expect(missing).toEqual({ conditions: [{ type: 'DatabaseTLS', status: 'False', reason: 'SecretMissing', message: 'dataTier.probes.database.caSecretRef: Secret "sr-postgresql-crt" key "ca.crt" not found in sr' }], requeueAfterMs: FIRST_RETRY_MS });
    expect((await dataTierConditions({ cache, now: new Date() }, 'sr/sr', spec(), secrets())).conditions[0]?.reason).toBe('ProbeDisabled');
    expect(await dataTierConditions({ cache, now: new Date() }, 'sr/sr', spec(null), secrets())).toEqual({ conditions: [] });
    expect(cache.size).toBe(0);
  });
});
