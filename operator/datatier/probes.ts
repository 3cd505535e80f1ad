import { createHash } from 'node:crypto';
import type { RegistrySpec } from '../../charts-src/model/index.js';
import { ConditionType, Reason, type ConditionResult } from '../conditions.js';
import type { SecretFacts } from '../secrets.js';
import type { DatabaseTlsInput } from './database-tls.js';

/**
 * The data-tier probes of `spec.dataTier.probes` inside a reconcile: each listed probe runs at most
 * once per interval while it passes, and after a failure again after a backoff (10 s, doubling, up
 * to the interval); its result is cached per RegistryDeployment with a hash of its inputs (the CA
 * included), so a changed spec or Secret probes at once. Every probe step is bounded by the
 * timeout, so a dead database delays the reconcile by at most that. Nothing secret is sent or kept:
 * the CA is public, and messages name the Secret and key, never a value.
 */

export interface DataTierProbes {
  readonly database?: (input: DatabaseTlsInput) => Promise<ConditionResult>;
}

export interface ProbeCacheEntry {
  readonly at: number;
  readonly inputs: string;
  readonly result: ConditionResult;
  /** Consecutive failures (0 or absent: the last run passed). */
  readonly failures?: number;
}

export interface DataTierContext {
  readonly probes?: DataTierProbes | undefined;
  readonly cache: Map<string, ProbeCacheEntry>;
  readonly now: Date;
}

/** First retry after a failure; doubles per consecutive failure, capped at the interval. */
export const FIRST_RETRY_MS = 10_000;

/** How long a cached result stands. */
export function waitAfter(entry: Pick<ProbeCacheEntry, 'failures'>, intervalMs: number): number {
  const failures = entry.failures ?? 0;
  return failures === 0 ? intervalMs : Math.min(intervalMs, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 20));
}

/** The cache key of a RegistryDeployment's probe (removed with the RegistryDeployment). */
export const probeKey = (rdKey: string, probe: 'database'): string => `${rdKey}#dataTier.${probe}`;

function pem(facts: SecretFacts | undefined, key: string): string | undefined {
  if (facts?.found !== true) return undefined;
  const v = facts.data[key];
  return v ? Buffer.from(v).toString('utf8') : undefined;
}

/** Consecutive failures after `result`: counted only while the inputs stay the same. */
const nextFailures = (result: ConditionResult, cached: ProbeCacheEntry | undefined, inputs: string): number =>
  result.status === 'True' ? 0 : (cached?.inputs === inputs ? (cached.failures ?? 0) : 0) + 1;

const fail = (reason: Reason, message: string): ConditionResult => ({ type: ConditionType.DatabaseTLS, status: 'False', reason, message });

async function databaseTls(ctx: DataTierContext, rdKey: string, spec: RegistrySpec, secrets: ReadonlyMap<string, SecretFacts>): Promise<{ condition: ConditionResult; requeueAfterMs?: number } | undefined> {
  const probes = spec.dataTier?.probes;
  const db = probes?.database;
  const key = probeKey(rdKey, 'database');
  if (!probes || !db) {
    ctx.cache.delete(key);
    return undefined;
  }
  if (!ctx.probes?.database) return { condition: fail(Reason.ProbeDisabled, 'dataTier.probes.database is set but this operator runs without network probes') };
  const ca = pem(secrets.get(db.caSecretRef.name), db.caSecretRef.key);
  // The operator reads Secrets by name and does not watch them: come back soon for the CA.
  if (ca === undefined) return { condition: fail(Reason.SecretMissing, `dataTier.probes.database.caSecretRef: Secret "${db.caSecretRef.name}" key "${db.caSecretRef.key}" not found in ${spec.namespace}`), requeueAfterMs: FIRST_RETRY_MS };
  const intervalMs = probes.intervalSeconds * 1000;
  const inputs = createHash('sha256').update(JSON.stringify([db, probes.timeoutSeconds, ca])).digest('hex');
  const cached = ctx.cache.get(key);
  const now = ctx.now.getTime();
  if (cached && cached.inputs === inputs && now - cached.at < waitAfter(cached, intervalMs)) {
    return { condition: cached.result, requeueAfterMs: cached.at + waitAfter(cached, intervalMs) - now };
  }
  const result = await ctx.probes.database({ host: db.host, port: db.port, user: db.user, database: db.database, ca, serverName: db.serverName ?? db.host, timeoutMs: probes.timeoutSeconds * 1000 });
  const entry: ProbeCacheEntry = { at: now, inputs, result, failures: nextFailures(result, cached, inputs) };
  ctx.cache.set(key, entry);
  return { condition: result, requeueAfterMs: waitAfter(entry, intervalMs) };
}

/** The Secrets the data-tier probes read (the CA bundles). */
export function dataTierSecretNames(spec: RegistrySpec): string[] {
  const db = spec.dataTier?.probes.database;
  return db ? [db.caSecretRef.name] : [];
}

/** The data-tier conditions of a reconcile and when to come back. */
export async function dataTierConditions(ctx: DataTierContext, rdKey: string, spec: RegistrySpec, secrets: ReadonlyMap<string, SecretFacts>): Promise<{ conditions: ConditionResult[]; requeueAfterMs?: number }> {
  const db = await databaseTls(ctx, rdKey, spec, secrets);
  return db ? { conditions: [db.condition], ...(db.requeueAfterMs !== undefined ? { requeueAfterMs: db.requeueAfterMs } : {}) } : { conditions: [] };
}
