import type { SecretRequirement } from '../charts-src/model/index.js';
import { isKnownDefault, shannonEntropy } from '../policies/secret-strength.js';
import { ConditionType, Reason, type ConditionResult } from './conditions.js';

/**
 * Secret checks: pure functions over facts the gatherer read with `get` by name (never list, watch
 * or cache). Messages name the Secret and the key, never the value, its length or its entropy.
 */

/** Annotation a rotation job sets on a Secret; its age is measured from here when present. */
export const ROTATED_AT_ANNOTATION = 'ward.g2p.dev/rotated-at';

/** What the gatherer read for one declared Secret. */
export type SecretFacts =
  | { readonly name: string; readonly found: false }
  | { readonly name: string; readonly found: true; readonly data: Readonly<Record<string, Uint8Array>>; readonly createdAt?: Date; readonly annotations: Readonly<Record<string, string>> }
  | { readonly name: string; readonly found: 'error'; readonly error: string };

export interface SecretProblem {
  readonly reason: Reason;
  readonly secret: string;
  readonly key?: string;
  readonly message: string;
}

/** Shannon entropy of the value's bytes times its length: a rough upper bound of its randomness in bits. */
export function entropyBits(value: Uint8Array): number {
  return shannonEntropy(value) * value.length;
}

const DAY_MS = 86_400_000;

function ageSource(facts: { createdAt?: Date; annotations: Readonly<Record<string, string>> }): { since: Date; what: string } | undefined {
  const rotated = facts.annotations[ROTATED_AT_ANNOTATION];
  if (rotated !== undefined) {
    const t = new Date(rotated);
    if (!Number.isNaN(t.getTime())) return { since: t, what: `rotated (annotation ${ROTATED_AT_ANNOTATION})` };
  }
  return facts.createdAt ? { since: facts.createdAt, what: 'created' } : undefined;
}

type KeyRule = SecretRequirement['keys'][number];

function checkKey(secret: string, rule: KeyRule, value: Uint8Array | undefined, facts: { createdAt?: Date; annotations: Readonly<Record<string, string>> }, now: Date): SecretProblem | undefined {
  const at = `Secret "${secret}" key "${rule.key}"`;
  if (value === undefined) return { reason: Reason.SecretKeyMissing, secret, key: rule.key, message: `Secret "${secret}" has no key "${rule.key}"` };
  if (value.length === 0) return { reason: Reason.SecretValueEmpty, secret, key: rule.key, message: `${at} is empty` };
  if (isKnownDefault(Buffer.from(value).toString('utf8'))) {
    return { reason: Reason.SecretKnownDefault, secret, key: rule.key, message: `${at} holds a well-known default value: replace it with a randomly generated one` };
  }
  if (value.length < rule.minLength) {
    return { reason: Reason.SecretTooShort, secret, key: rule.key, message: `${at} is shorter than the required ${String(rule.minLength)} bytes` };
  }
  if (entropyBits(value) < rule.minEntropyBits) {
    return { reason: Reason.SecretLowEntropy, secret, key: rule.key, message: `${at} has less than the required ${String(rule.minEntropyBits)} bits of estimated entropy` };
  }
  if (rule.maxAgeDays !== undefined) {
    const source = ageSource(facts);
    if (source) {
      const days = Math.floor((now.getTime() - source.since.getTime()) / DAY_MS);
      if (days > rule.maxAgeDays) {
        return { reason: Reason.SecretTooOld, secret, key: rule.key, message: `${at} was ${source.what} ${String(days)} days ago, more than maxAgeDays ${String(rule.maxAgeDays)}: rotate it` };
      }
    }
  }
  return undefined;
}

/** Every problem of one declared Secret, in the order of its keys. */
export function checkSecret(req: Pick<SecretRequirement, 'name' | 'keys'>, facts: SecretFacts, namespace: string, now: Date): SecretProblem[] {
  if (facts.found === false) return [{ reason: Reason.SecretMissing, secret: req.name, message: `Secret "${req.name}" not found in namespace "${namespace}"` }];
  if (facts.found === 'error') return [{ reason: Reason.SecretUnreadable, secret: req.name, message: `Secret "${req.name}" could not be read: ${facts.error}` }];
  const out: SecretProblem[] = [];
  for (const rule of req.keys) {
    const p = checkKey(req.name, rule, facts.data[rule.key], facts, now);
    if (p) out.push(p);
  }
  return out;
}

export interface SecretsOutcome {
  readonly condition: ConditionResult;
  readonly problems: readonly SecretProblem[];
  /** e.g. "2/3 valid" for the printer column. */
  readonly summary: string;
}

/** The SecretsValid condition over every declared Secret. */
export function secretsCondition(reqs: readonly SecretRequirement[], facts: ReadonlyMap<string, SecretFacts>, namespace: string, now: Date): SecretsOutcome {
  if (reqs.length === 0) {
    return { condition: { type: ConditionType.SecretsValid, status: 'True', reason: Reason.NoSecretsDeclared, message: 'the spec declares no Secrets' }, problems: [], summary: 'none' };
  }
  const problems: SecretProblem[] = [];
  let valid = 0;
  for (const req of reqs) {
    const f = facts.get(req.name) ?? { name: req.name, found: 'error', error: 'not gathered' };
    const p = checkSecret(req, f, namespace, now);
    if (p.length === 0) valid += 1;
    problems.push(...p);
  }
  const summary = `${String(valid)}/${String(reqs.length)} valid`;
  const first = problems[0];
  if (!first) {
    return { condition: { type: ConditionType.SecretsValid, status: 'True', reason: Reason.AllSecretsValid, message: `all ${String(reqs.length)} declared Secrets meet their rules` }, problems, summary };
  }
  return { condition: { type: ConditionType.SecretsValid, status: 'False', reason: first.reason, message: problems.map((p) => p.message).join('; ') }, problems, summary };
}
