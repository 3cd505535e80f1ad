import { Labels, type KubeObject } from '../charts-src/kube.js';
import { needsApply, objectKey, type AppliedMemo } from './diff.js';
import { kindInfo, type KindInfo } from './kinds.js';
import { KindNotServedError, type ClusterPort, type RegistryObject } from './port.js';

/**
 * Apply and prune steps. Children in the RegistryDeployment's namespace get an ownerReference;
 * children elsewhere (istio-system, the VPN namespace) and cluster-scoped ones are tracked by the
 * owner labels and removed by the finalizer. Nothing without ward's owner labels and this
 * RegistryDeployment's uid is ever deleted.
 */

export interface ApplyOutcome {
  readonly applied: number;
  readonly unchanged: number;
  readonly pruned: number;
  /** Istio kinds that are not served (their CRDs are missing). */
  readonly missingKinds: readonly KindInfo[];
  /** Apply or prune failures, per kind (messages name the object). */
  readonly failures: readonly { readonly info: KindInfo | undefined; readonly namespace: string | undefined; readonly message: string; readonly error: unknown }[];
  /** Live children after this step, by object key. */
  readonly live: ReadonlyMap<string, KubeObject>;
}

/** Adds the ownerReference (same namespace only) to a synthesised object. */
export function withOwnerReference(obj: KubeObject, rd: RegistryObject): KubeObject {
  if (obj.metadata.namespace !== rd.metadata.namespace) return obj;
  const ref = { apiVersion: rd.apiVersion, kind: rd.kind, name: rd.metadata.name, uid: rd.metadata.uid, controller: true, blockOwnerDeletion: true };
  return { ...obj, metadata: { ...obj.metadata, ownerReferences: [ref] } };
}

/** True only for objects carrying ward's managed-by label and this owner's key and uid. */
export function isOwnedBy(obj: KubeObject, ownerKey: string, uid: string): boolean {
  const l = obj.metadata.labels ?? {};
  return l[Labels.managedBy] === Labels.managedByValue && l[Labels.owner] === ownerKey && l[Labels.ownerUid] === uid;
}

/** Gathers the live children of every kind; kinds whose CRDs are missing are reported, not fatal. */
export async function gatherLive(port: ClusterPort, kinds: readonly KindInfo[], ownerKey: string, uid: string): Promise<{ live: Map<string, KubeObject>; missing: KindInfo[] }> {
  const live = new Map<string, KubeObject>();
  const missing: KindInfo[] = [];
  for (const info of kinds) {
    try {
      for (const o of await port.listOwned(info, ownerKey)) if (isOwnedBy(o, ownerKey, uid)) live.set(objectKey(o), o);
    } catch (err) {
      if (err instanceof KindNotServedError) missing.push(info);
      else throw new Error(`listing ${info.kind} objects of ${ownerKey} failed`, { cause: err });
    }
  }
  return { live, missing };
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A minimal apply that releases every field ward set on an object it must never delete (a Namespace). */
function releaseIntent(o: KubeObject): KubeObject {
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.metadata.name } };
}

/** What apply and prune need besides the objects. */
export interface ApplyContext {
  readonly port: ClusterPort;
  readonly kinds: readonly KindInfo[];
  readonly memo: AppliedMemo;
  /** Called after re-applying an object ward had applied with the same intent: it was changed or deleted out of band (drift). */
  readonly onDriftRepaired?: (obj: KubeObject) => void;
}

type Failure = ApplyOutcome['failures'][number];

function where(obj: KubeObject): string {
  return `${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
}

export function uidOf(obj: KubeObject): string {
  const uid = (obj.metadata as { uid?: unknown }).uid;
  return typeof uid === 'string' ? uid : '';
}

/** How many applies of one reconcile run at once (Namespaces go first, one by one). */
export const APPLY_CONCURRENCY = 8;

async function inParallel<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Applies what is not up to date; returns counts. Kinds found missing are added to `missing`. */
async function applyDesired(ctx: ApplyContext, desired: readonly KubeObject[], live: ReadonlyMap<string, KubeObject>, missing: KindInfo[], failures: Failure[]): Promise<{ applied: number; unchanged: number }> {
  let applied = 0;
  let unchanged = 0;
  const applyOne = async (obj: KubeObject): Promise<void> => {
    const info = kindInfo(obj.apiVersion, obj.kind);
    if (!info) {
      failures.push({ info, namespace: obj.metadata.namespace, message: `ward cannot apply ${obj.apiVersion} ${obj.kind} (not in operator/kinds.ts)`, error: undefined });
      return;
    }
    if (missing.includes(info)) return;
    if (!needsApply(obj, live.get(objectKey(obj)), ctx.memo)) {
      unchanged += 1;
      return;
    }
    const drift = ctx.memo.appliedSameIntent(obj);
    try {
      const { resourceVersion } = await ctx.port.apply(obj);
      ctx.memo.record(obj, resourceVersion);
      applied += 1;
      if (drift) ctx.onDriftRepaired?.(obj);
    } catch (err) {
      if (err instanceof KindNotServedError) {
        if (!missing.includes(info)) missing.push(info);
      } else {
        failures.push({ info, namespace: obj.metadata.namespace, message: `applying ${where(obj)} failed: ${describeError(err)}`, error: err });
      }
    }
  };
  // Namespaces first: the other objects may live in them.
  for (const ns of desired.filter((o) => o.kind === 'Namespace')) await applyOne(ns);
  await inParallel(desired.filter((o) => o.kind !== 'Namespace'), APPLY_CONCURRENCY, applyOne);
  failures.sort((a, b) => a.message.localeCompare(b.message));
  return { applied, unchanged };
}

/** Deletes (or releases) one child that ward owns. */
async function removeChild(ctx: ApplyContext, info: KindInfo, obj: KubeObject): Promise<void> {
  if (info.releaseOnly) await ctx.port.apply(releaseIntent(obj));
  else await ctx.port.delete(info, obj.metadata.name, obj.metadata.namespace, uidOf(obj));
  ctx.memo.forget(objectKey(obj));
}

async function prune(ctx: ApplyContext, wanted: ReadonlySet<string>, live: Map<string, KubeObject>, failures: Failure[]): Promise<number> {
  let pruned = 0;
  for (const [key, obj] of [...live]) {
    const info = kindInfo(obj.apiVersion, obj.kind);
    if (wanted.has(key) || !info) continue;
    try {
      await removeChild(ctx, info, obj);
      live.delete(key);
      pruned += 1;
    } catch (err) {
      failures.push({ info, namespace: obj.metadata.namespace, message: `pruning ${where(obj)} failed: ${describeError(err)}`, error: err });
    }
  }
  return pruned;
}

export async function applyAndPrune(ctx: ApplyContext, desired: readonly KubeObject[], rd: RegistryObject, ownerKey: string): Promise<ApplyOutcome> {
  const { live, missing } = await gatherLive(ctx.port, ctx.kinds, ownerKey, rd.metadata.uid);
  const failures: Failure[] = [];
  const { applied, unchanged } = await applyDesired(ctx, desired, live, missing, failures);
  const pruned = await prune(ctx, new Set(desired.map(objectKey)), live, failures);
  return { applied, unchanged, pruned, missingKinds: missing, failures, live };
}

/** Removes every child of the RegistryDeployment (finalizer step). Returns how many were removed. */
export async function cleanup(ctx: ApplyContext, rd: RegistryObject, ownerKey: string): Promise<number> {
  const { live } = await gatherLive(ctx.port, ctx.kinds, ownerKey, rd.metadata.uid);
  for (const obj of live.values()) {
    const info = kindInfo(obj.apiVersion, obj.kind);
    if (info) await removeChild(ctx, info, obj);
  }
  return live.size;
}
