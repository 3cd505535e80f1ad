/**
 * Istio AuthorizationPolicy evaluation for one request shape: a source identity (principal and
 * namespace when mTLS carries them, an address range for sources outside the cluster) and a
 * destination port. Request attributes ward cannot know statically (paths, methods, hosts, JWT
 * claims, headers) make a rule match "partially": the verdict is then "partially allowed", never
 * allowed or denied.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { rec, recs, str, strMap, strs } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { ObjectRef } from '../types.js';
import { parseCidr, rangeWithin, rangesOverlap, type IpRange } from './ipset.js';
import type { PodClass } from './nodes.js';

export type Tri = 'yes' | 'no' | 'partial';
export type AuthzAction = 'ALLOW' | 'DENY' | 'CUSTOM';

export interface AuthzPolicy {
  readonly ref: ObjectRef;
  readonly object: KubeObject;
  readonly namespace: string;
  readonly action: AuthzAction;
  readonly selector?: Readonly<Record<string, string>>;
  readonly rules: readonly Readonly<Record<string, unknown>>[];
}

/** What the destination's sidecar knows about the source of a request. */
export interface SourceIdentity {
  /** `cluster.local/ns/<ns>/sa/<sa>`, only when the request arrives over mTLS. */
  readonly principal?: string;
  readonly namespace?: string;
  /** Known for sources outside the cluster. */
  readonly ip?: IpRange;
}

/** Every ALLOW, DENY and CUSTOM AuthorizationPolicy (AUDIT does not decide). */
export function parseAuthorizationPolicies(index: ObjectIndex): AuthzPolicy[] {
  const out: AuthzPolicy[] = [];
  for (const object of index.ofKind('AuthorizationPolicy')) {
    const spec = rec(object.spec);
    const action = str(spec.action) ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'DENY' && action !== 'CUSTOM') continue;
    const namespace = index.namespaceOf(object) ?? 'default';
    const sel = rec(spec.selector).matchLabels;
    out.push({
      ref: { kind: 'AuthorizationPolicy', namespace, name: object.metadata.name },
      object,
      namespace,
      action,
      ...(sel !== undefined ? { selector: strMap(sel) } : {}),
      rules: recs(spec.rules),
    });
  }
  return out;
}

/** Policies that apply to a class: its namespace's, and the root namespace's (mesh-wide). */
export function policiesFor(policies: readonly AuthzPolicy[], cls: PodClass, rootNamespace: string): AuthzPolicy[] {
  return policies.filter((p) => {
    if (p.namespace !== cls.namespace && p.namespace !== rootNamespace) return false;
    return p.selector === undefined || matchesSelector({ matchLabels: p.selector }, cls.labels);
  });
}

/** Istio string match: exact, `prefix*`, `*suffix` or `*`. */
export function istioMatch(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value.length > 0;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

export function and(values: Iterable<Tri>): Tri {
  let partial = false;
  for (const v of values) {
    if (v === 'no') return 'no';
    if (v === 'partial') partial = true;
  }
  return partial ? 'partial' : 'yes';
}

export function or(values: Iterable<Tri>): Tri {
  let partial = false;
  for (const v of values) {
    if (v === 'yes') return 'yes';
    if (v === 'partial') partial = true;
  }
  return partial ? 'partial' : 'no';
}

const tri = (b: boolean): Tri => (b ? 'yes' : 'no');

function stringField(values: readonly string[], actual: string | undefined, negate: boolean): Tri {
  const hit = values.some((p) => istioMatch(p, actual));
  return tri(negate ? !hit : hit);
}

function ipField(blocks: readonly string[], ip: IpRange | undefined, negate: boolean): Tri {
  if (ip === undefined) return tri(negate); // pod addresses are not outside-cluster blocks
  const ranges = blocks.map(parseCidr).filter((r): r is IpRange => r !== undefined);
  if (ranges.some((r) => rangeWithin(ip, r))) return tri(!negate);
  if (ranges.some((r) => rangesOverlap(ip, r))) return 'partial';
  return tri(negate);
}

const SOURCE_STRING_FIELDS: readonly [string, keyof SourceIdentity, boolean][] = [
  ['principals', 'principal', false], ['notPrincipals', 'principal', true],
  ['namespaces', 'namespace', false], ['notNamespaces', 'namespace', true],
];

function sourceMatches(source: Readonly<Record<string, unknown>>, id: SourceIdentity): Tri {
  const parts: Tri[] = [];
  for (const [field, attr, negate] of SOURCE_STRING_FIELDS) {
    if (source[field] !== undefined) parts.push(stringField(strs(source[field]), id[attr] as string | undefined, negate));
  }
  for (const [field, negate] of [['ipBlocks', false], ['remoteIpBlocks', false], ['notIpBlocks', true], ['notRemoteIpBlocks', true]] as const) {
    if (source[field] !== undefined) parts.push(ipField(strs(source[field]), id.ip, negate));
  }
  if (source.requestPrincipals !== undefined || source.notRequestPrincipals !== undefined) parts.push('partial');
  return and(parts);
}

const L7_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

function operationMatches(op: Readonly<Record<string, unknown>>, port: number): Tri {
  const parts: Tri[] = [];
  if (op.ports !== undefined) parts.push(tri(strs(op.ports).includes(String(port))));
  if (op.notPorts !== undefined) parts.push(tri(!strs(op.notPorts).includes(String(port))));
  if (L7_OPERATION_FIELDS.some((f) => op[f] !== undefined)) parts.push('partial');
  return and(parts);
}

function conditionMatches(c: Readonly<Record<string, unknown>>, id: SourceIdentity, port: number): Tri {
  const key = str(c.key) ?? '';
  const actual: Readonly<Record<string, string | undefined>> = {
    'source.principal': id.principal,
    'source.namespace': id.namespace,
    'destination.port': String(port),
  };
  if (key === 'source.ip' || key === 'remote.ip') {
    const v = c.values !== undefined ? ipField(strs(c.values), id.ip, false) : 'yes';
    const nv = c.notValues !== undefined ? ipField(strs(c.notValues), id.ip, true) : 'yes';
    return and([v, nv]);
  }
  if (!Object.hasOwn(actual, key)) return 'partial';
  const v = c.values !== undefined ? stringField(strs(c.values), actual[key], false) : 'yes';
  const nv = c.notValues !== undefined ? stringField(strs(c.notValues), actual[key], true) : 'yes';
  return and([v, nv]);
}

/** Whether one rule matches a request from `id` to `port`. */
export function ruleMatches(rule: Readonly<Record<string, unknown>>, id: SourceIdentity, port: number): Tri {
  const from = recs(rule.from).map((f) => sourceMatches(rec(f.source), id));
  const to = recs(rule.to).map((t) => operationMatches(rec(t.operation), port));
  const when = recs(rule.when).map((c) => conditionMatches(c, id, port));
  return and([from.length ? or(from) : 'yes', to.length ? or(to) : 'yes', and(when)]);
}

/** Whether any rule of a policy matches (a policy without rules matches nothing). */
export function policyMatches(p: AuthzPolicy, id: SourceIdentity, port: number): Tri {
  return or(p.rules.map((r) => ruleMatches(r, id, port)));
}
