/**
 * Secrets are reduced to names, keys and weakness facts here, in the loader: their values never
 * reach the index, the rules, a finding or a report.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { isCredentialKey, isDefaultAdminUser, isKnownDefault } from '../secret-strength.js';
import type { SecretFacts } from './types.js';

/** Values shorter than this are weak. */
export const MIN_SECRET_LENGTH = 12;

export const REDACTED = '<redacted by ward>';

function decode(value: unknown, base64: boolean): string | undefined {
  if (typeof value !== 'string') return undefined;
  return base64 ? Buffer.from(value, 'base64').toString('utf8') : value;
}

function weakness(key: string, value: string): SecretFacts['weak'][number]['reason'] | undefined {
  // Ports, user names, Git branches and the like are no credentials: their length says nothing,
  // but a default administrator name (MinIO root-user admin) is half of a default login.
  if (!isCredentialKey(key, value)) return isDefaultAdminUser(key, value) ? 'known-default' : undefined;
  if (value.length === 0) return 'empty';
  if (isKnownDefault(value)) return 'known-default';
  if (value.length < MIN_SECRET_LENGTH) return 'short';
  return undefined;
}

function entries(value: unknown): [string, unknown][] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

/** Computes the facts of a Secret and returns a copy whose values are replaced by a marker. */
export function redactSecret(obj: KubeObject): { object: KubeObject; facts: SecretFacts } {
  const keys: string[] = [];
  const weak: { key: string; reason: 'empty' | 'short' | 'known-default' }[] = [];
  const redacted: Record<string, unknown> = { ...obj };
  for (const [field, base64] of [['data', true], ['stringData', false]] as const) {
    const list = entries(obj[field]);
    if (list.length === 0) continue;
    const out: Record<string, string> = {};
    for (const [key, raw] of list) {
      keys.push(key);
      const value = decode(raw, base64);
      const reason = value === undefined ? undefined : weakness(key, value);
      if (reason) weak.push({ key, reason });
      out[key] = REDACTED;
    }
    redacted[field] = out;
  }
  return { object: redacted as KubeObject, facts: { keys: [...new Set(keys)], weak } };
}
