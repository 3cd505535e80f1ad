import { createHash } from 'node:crypto';
import type { RegistrySpec } from '../../charts-src/model/index.js';
import { ConditionType, Reason, type ConditionResult } from '../conditions.js';
import type { SecretFacts } from '../secrets.js';
import type { DatabaseTlsInput } from './database-tls.js';
import type { AttachmentsProbeInput } from './attachments.js';
import type { OdooProbeInput } from './odoo-db-manager.js';

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
  readonly odoo?: (input: OdooProbeInput) => Promise<ConditionResult>;
  readonly attachments?: (input: AttachmentsProbeInput) => Promise<ConditionResult>;
}

type ProbeName = keyof DataTierProbes;
const TYPE: Readonly<Record<ProbeName, ConditionType>> = { database: ConditionType.DatabaseTLS, odoo: ConditionType.OdooDatabaseManagerDisabled, attachments: ConditionType.AttachmentsPrivate };

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
export const probeKey = (rdKey: string, probe: ProbeName): string => `${rdKey}#dataTier.${probe}`;

function pem(facts: SecretFacts | undefined, key: string): string | undefined {
  if (facts?.found !== true) return undefined;
  const v = facts.data[key];
  return v ? Buffer.from(v).toString('utf8') : undefined;
}

/** Consecutive failures after `result`: counted only while the inputs stay the same. */
const nextFailures = (result: ConditionResult, cached: ProbeCacheEntry | undefined, inputs: string): number =>
  result.status === 'True' ? 0 : (cached?.inputs === inputs ? (cached.failures ?? 0) : 0) + 1;

const fail = (probe: ProbeName, reason: Reason, message: string): ConditionResult => ({ type: TYPE[probe], status: 'False', reason, message });

type Outcome = { condition: ConditionResult; requeueAfterMs?: number } | undefined;

/** Runs `run` unless a cached result for the same inputs still stands; records failures for the backoff. */
async function cached(ctx: DataTierContext, key: string, intervalMs: number, inputs: string, run: () => Promise<ConditionResult>): Promise<Outcome> {
  const hash = createHash('sha256').update(inputs).digest('hex');
  const old = ctx.cache.get(key);
  const now = ctx.now.getTime();
  if (old && old.inputs === hash && now - old.at < waitAfter(old, intervalMs)) return { condition: old.result, requeueAfterMs: old.at + waitAfter(old, intervalMs) - now };
  const result = await run();
  const entry: ProbeCacheEntry = { at: now, inputs: hash, result, failures: nextFailures(result, old, hash) };
  ctx.cache.set(key, entry);
  return { condition: result, requeueAfterMs: waitAfter(entry, intervalMs) };
}

type Probes = NonNullable<RegistrySpec['dataTier']>['probes'];

async function databaseTls(ctx: DataTierContext, key: string, probes: Probes, spec: RegistrySpec, secrets: ReadonlyMap<string, SecretFacts>): Promise<Outcome> {
  const db = probes.database;
  const probe = ctx.probes?.database;
  if (!db) return undefined;
  if (!probe) return { condition: fail('database', Reason.ProbeDisabled, 'dataTier.probes.database is set but this operator runs without network probes') };
  const ca = pem(secrets.get(db.caSecretRef.name), db.caSecretRef.key);
  // The operator reads Secrets by name and does not watch them: come back soon for the CA.
  if (ca === undefined) return { condition: fail('database', Reason.SecretMissing, `dataTier.probes.database.caSecretRef: Secret "${db.caSecretRef.name}" key "${db.caSecretRef.key}" not found in ${spec.namespace}`), requeueAfterMs: FIRST_RETRY_MS };
  return cached(ctx, key, probes.intervalSeconds * 1000, JSON.stringify([db, probes.timeoutSeconds, ca]), () =>
    probe({ host: db.host, port: db.port, user: db.user, database: db.database, ca, serverName: db.serverName ?? db.host, timeoutMs: probes.timeoutSeconds * 1000 }));
}

async function odooManager(ctx: DataTierContext, key: string, probes: Probes, spec: RegistrySpec, secrets: ReadonlyMap<string, SecretFacts>): Promise<Outcome> {
  const odoo = probes.odoo;
  const probe = ctx.probes?.odoo;
  if (!odoo) return undefined;
  if (!probe) return { condition: fail('odoo', Reason.ProbeDisabled, 'dataTier.probes.odoo is set but this operator runs without network probes') };
  const ca = odoo.caSecretRef ? pem(secrets.get(odoo.caSecretRef.name), odoo.caSecretRef.key) : undefined;
  if (odoo.caSecretRef && ca === undefined) return { condition: fail('odoo', Reason.SecretMissing, `dataTier.probes.odoo.caSecretRef: Secret "${odoo.caSecretRef.name}" key "${odoo.caSecretRef.key}" not found in ${spec.namespace}`), requeueAfterMs: FIRST_RETRY_MS };
  return cached(ctx, key, probes.intervalSeconds * 1000, JSON.stringify([odoo, probes.timeoutSeconds, ca ?? '']), () =>
    probe({ url: odoo.url, timeoutMs: probes.timeoutSeconds * 1000, ...(ca ? { ca } : {}) }));
}

async function attachments(ctx: DataTierContext, key: string, probes: Probes, spec: RegistrySpec, secrets: ReadonlyMap<string, SecretFacts>): Promise<Outcome> {
  const a = probes.attachments;
  const probe = ctx.probes?.attachments;
  if (!a) return undefined;
  if (!probe) return { condition: fail('attachments', Reason.ProbeDisabled, 'dataTier.probes.attachments is set but this operator runs without network probes') };
  const ca = a.caSecretRef ? pem(secrets.get(a.caSecretRef.name), a.caSecretRef.key) : undefined;
  if (a.caSecretRef && ca === undefined) return { condition: fail('attachments', Reason.SecretMissing, `dataTier.probes.attachments.caSecretRef: Secret "${a.caSecretRef.name}" key "${a.caSecretRef.key}" not found in ${spec.namespace}`), requeueAfterMs: FIRST_RETRY_MS };
  return cached(ctx, key, probes.intervalSeconds * 1000, JSON.stringify([a, probes.timeoutSeconds, ca ?? '']), () =>
    probe({ endpoint: a.endpoint, bucket: a.bucket, timeoutMs: probes.timeoutSeconds * 1000, ...(a.objectKey !== undefined ? { objectKey: a.objectKey } : {}), ...(ca ? { ca } : {}) }));
}

const RUNNERS: Readonly<Record<ProbeName, typeof databaseTls>> = { database: databaseTls, odoo: odooManager, attachments };

/** The Secrets the data-tier probes read (the CA bundles). */
export function dataTierSecretNames(spec: RegistrySpec): string[] {
  const p = spec.dataTier?.probes;
  return [p?.database?.caSecretRef.name, p?.odoo?.caSecretRef?.name, p?.attachments?.caSecretRef?.name].filter((n): n is string => n !== undefined);
}

/** The data-tier conditions of a reconcile and when to come back; probes left out of the spec lose their cache. */
export async function dataTierConditions(ctx: DataTierContext, rdKey: string, spec: RegistrySpec, secrets: ReadonlyMap<string, SecretFacts>): Promise<{ conditions: ConditionResult[]; requeueAfterMs?: number }> {
  const conditions: ConditionResult[] = [];
  let requeueAfterMs: number | undefined;
  for (const name of ['database', 'odoo', 'attachments'] as const) {
    const key = probeKey(rdKey, name);
    const probes = spec.dataTier?.probes;
    const out = probes ? await RUNNERS[name](ctx, key, probes, spec, secrets) : undefined;
    if (!out) {
      ctx.cache.delete(key);
      continue;
    }
    conditions.push(out.condition);
    if (out.requeueAfterMs !== undefined) requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, out.requeueAfterMs);
  }
  return requeueAfterMs === undefined ? { conditions } : { conditions, requeueAfterMs };
}
