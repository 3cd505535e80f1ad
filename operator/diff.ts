import { createHash } from 'node:crypto';
import type { KubeObject } from '../charts-src/kube.js';

/**
 * Deciding whether an apply is needed, so a steady state costs no writes. An object is up to date
 * when every field ward sends is already there with the same value (the server may add defaults
 * and other managers may own other fields), or when nothing changed since ward's own last apply of
 * the same intent (the server normalised a value, e.g. a quantity). Pure.
 */

/** True when every field of `desired` is present in `live` with an equal value; lists compare element-wise. */
export function isSubset(desired: unknown, live: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    if (desired.length === 0 && live === undefined) return true;
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((d, i) => isSubset(d, live[i]));
  }
  if (desired !== null && typeof desired === 'object') {
    const entries = Object.entries(desired as Record<string, unknown>);
    if (live === undefined) return entries.length === 0;
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const l = live as Record<string, unknown>;
    return entries.every(([k, v]) => isSubset(v, l[k]));
  }
  return desired === live;
}

export function objectKey(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function intentHash(o: unknown): string {
  return createHash('sha256').update(JSON.stringify(o)).digest('hex');
}

function rvNumber(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

/**
 * True when resourceVersion `a` is older than `b`. resourceVersions are opaque, but the API server
 * issues etcd revisions (increasing integers); anything else compares as not older.
 */
export function rvOlder(a: string | undefined, b: string | undefined): boolean {
  const x = rvNumber(a);
  const y = rvNumber(b);
  return x !== undefined && y !== undefined && x < y;
}

/** What ward applied last, per object: the intent's hash and the resourceVersion the server returned. */
export class AppliedMemo {
  private readonly entries = new Map<string, { hash: string; resourceVersion: string }>();

  record(desired: KubeObject, resourceVersion: string): void {
    this.entries.set(objectKey(desired), { hash: intentHash(desired), resourceVersion });
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  /** True when ward last applied this same intent: a re-apply now repairs a change made by someone else. */
  appliedSameIntent(desired: KubeObject): boolean {
    return this.entries.get(objectKey(desired))?.hash === intentHash(desired);
  }

  /** True when `live` is older than what ward last wrote for this object (the watch is behind). */
  isStale(desired: KubeObject, live: KubeObject): boolean {
    const e = this.entries.get(objectKey(desired));
    return e !== undefined && rvOlder((live.metadata as { resourceVersion?: string }).resourceVersion, e.resourceVersion);
  }

  /**
   * True when `live` is what the server made of ward's last apply of this same intent, or an older
   * cached copy of it (the watch has not delivered ward's own write yet).
   */
  unchangedSinceApply(desired: KubeObject, live: KubeObject): boolean {
    const e = this.entries.get(objectKey(desired));
    if (!e || e.hash !== intentHash(desired)) return false;
    const liveRv = (live.metadata as { resourceVersion?: string }).resourceVersion;
    return liveRv === e.resourceVersion || rvOlder(liveRv, e.resourceVersion);
  }
}

/** True when `desired` needs to be applied over `live`. */
export function needsApply(desired: KubeObject, live: KubeObject | undefined, memo: AppliedMemo): boolean {
  if (!live) return true;
  if (isSubset(desired, live)) return false;
  return !memo.unchangedSinceApply(desired, live);
}
