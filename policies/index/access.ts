/**
 * Defensive readers for untrusted manifests: any field may be missing or of the wrong type, and a
 * rule must never throw because of it (a property test feeds the checker arbitrary input).
 */
import { isRecord } from '../../charts-src/kube.js';

export type Rec = Readonly<Record<string, unknown>>;

/** A mapping, or an empty one for anything else. */
export function rec(v: unknown): Rec {
  return isRecord(v) ? v : {};
}

export const isRec: (v: unknown) => v is Rec = isRecord;

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

export function recs(v: unknown): readonly Rec[] {
  return arr(v).filter(isRec);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function strs(v: unknown): readonly string[] {
  return arr(v).filter((x): x is string => typeof x === 'string');
}

/** A string→string map (labels, annotations, matchLabels); non-string values are dropped. */
export function strMap(v: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === 'string') out[k] = x;
  return out;
}

/** A scalar (string, number, boolean) as text, for messages; `fallback` otherwise. */
export function text(v: unknown, fallback = '?'): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : fallback;
}
