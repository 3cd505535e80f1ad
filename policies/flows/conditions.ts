/**
 * The L7 conditions of the AuthorizationPolicy rules that make a connection "partially" allowed or
 * denied, in words for `ward flows --explain`: "paths /web/database/*, /xmlrpc/2/db", "a valid
 * token from issuer https://…", "claim realm_access.roles one of KEYMANAGER_ADMIN". Pure.
 */
import { rec, recs, str, strs, type Rec } from '../index/access.js';
import { ruleMatches, type AuthzPolicy, type MatchContext } from './authz.js';

const OPERATION_WORDS: readonly [string, string][] = [
  ['paths', 'paths'], ['notPaths', 'paths other than'], ['hosts', 'hosts'], ['notHosts', 'hosts other than'], ['methods', 'methods'], ['notMethods', 'methods other than'],
];

/** `request.auth.claims[realm_access][roles]` → `realm_access.roles`. */
function claimName(key: string): string | undefined {
  const m = /^request\.auth\.claims((?:\[[^\]]+\])+)$/.exec(key);
  return m?.[1]?.slice(1, -1).split('][').join('.');
}

function sourceWords(source: Rec): string[] {
  const out: string[] = [];
  const issuers = strs(source.requestPrincipals).map((p) => (p === '*' ? 'any issuer' : `issuer ${p.replace(/\/\*$/, '')}`));
  if (issuers.length > 0) out.push(`a valid token from ${issuers.join(' or ')}`);
  if (strs(source.notRequestPrincipals).includes('*')) out.push('no token');
  return out;
}

function conditionWords(c: Rec): string | undefined {
  const key = str(c.key) ?? '';
  const claim = claimName(key);
  const values = strs(c.values).join(', ');
  if (claim !== undefined) return `claim ${claim} one of ${values}`;
  if (key.startsWith('request.')) return `${key} one of ${values}`;
  return undefined;
}

/** The HTTP-only conditions of one rule, in words. */
export function ruleConditions(rule: Rec): string[] {
  const out: string[] = [];
  for (const t of recs(rule.to)) for (const [field, word] of OPERATION_WORDS) {
    const values = strs(rec(t.operation)[field]);
    if (values.length > 0) out.push(`${word} ${values.join(', ')}`);
  }
  for (const f of recs(rule.from)) out.push(...sourceWords(rec(f.source)));
  for (const c of recs(rule.when)) {
    const w = conditionWords(c);
    if (w !== undefined) out.push(w);
  }
  return out;
}

/** The conditions of the rules of `p` that match the request only partially, joined: "paths …; a valid token from …". */
export function partialConditions(p: AuthzPolicy, m: MatchContext): string {
  const parts = p.rules.filter((r) => ruleMatches(r, p.action, m) === 'partial').map((r) => ruleConditions(r).join(' and ')).filter((s) => s !== '');
  return parts.length > 0 ? `: ${parts.join('; or ')}` : '';
}
