/**
 * Istio AuthorizationPolicy evaluation for one request shape: a source identity (principal and
 * namespace when mTLS carries them, an address range for sources outside the cluster) and a
 * destination port. Request attributes ward cannot know statically (paths, methods, hosts, JWT
 * claims, headers) make a rule match "partially": the verdict is then "partially allowed", never
 * allowed or denied — on a port Istio serves through its HTTP filter chain (HTTP, or sniffed). On a
 * port it serves as plain TCP (Service port `tcp-*`, `mongo`, `mysql`, `redis`, `tls`, `https`...)
 * Istio decides those fields itself: an ALLOW rule using one is skipped, a DENY (or CUSTOM) rule
 * drops the field and keeps the rest (istio/istio pilot/pkg/security/authz/model/model.go
 * checkError: "Return the error as-is for allow policy. This will make all rules in the current
 * permission ignored"; "Ignore the error for a deny or audit policy ... effectively resulting in a
 * wider deny"; generator.go: `"%q is HTTP only"` for paths, methods, hosts, request principals,
 * request.headers and request.auth.* conditions).
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
  /** `targetRef`/`targetRefs`: attached to Gateway API gateways (and waypoints), never to sidecars. */
  readonly targetRefs: readonly Readonly<Record<string, unknown>>[];
  /** `istio.io/dry-run: "true"`: evaluated as shadow rules, never enforced. */
  readonly dryRun: boolean;
  readonly rules: readonly Readonly<Record<string, unknown>>[];
}

/** The filter chain a destination port is served by: `http` (HTTP or sniffed) or plain `tcp`. */
export type Chain = 'http' | 'tcp';

/** Go's strconv.ParseBool true values, which istiod uses to read `istio.io/dry-run` (pilot/pkg/security/authz/builder/builder.go isDryRun). */
const GO_TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);

export const DRY_RUN_ANNOTATION = 'istio.io/dry-run';

/** True when the AuthorizationPolicy is a dry run: istiod puts its rules in shadowRules, which log and never enforce. */
export function isDryRun(object: KubeObject): boolean {
  return GO_TRUE.has(strMap(object.metadata.annotations)[DRY_RUN_ANNOTATION] ?? '');
}

/** `targetRefs`, or the legacy single `targetRef` (pilot/pkg/model/policyattachment.go GetTargetRefs). */
export function targetRefsOf(spec: Readonly<Record<string, unknown>>): readonly Readonly<Record<string, unknown>>[] {
  const refs = recs(spec.targetRefs);
  return refs.length > 0 ? refs : spec.targetRef !== undefined && spec.targetRef !== null ? [rec(spec.targetRef)] : [];
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
      targetRefs: targetRefsOf(spec),
      dryRun: isDryRun(object),
      rules: recs(spec.rules),
    });
  }
  return out;
}

const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

function targetsGateway(p: AuthzPolicy, cls: PodClass, gateway: string): boolean {
  if (p.namespace !== cls.namespace) return false;
  return p.targetRefs.some((r) => str(r.kind) === 'Gateway' && str(r.group) === 'gateway.networking.k8s.io' && str(r.name) === gateway
    && [undefined, '', cls.namespace].includes(str(r.namespace)));
}

/**
 * Policies that apply to a class: its namespace's, and the root namespace's (mesh-wide), as
 * istiod's WorkloadPolicyMatcher.ShouldAttachPolicy decides (pilot/pkg/model/policyattachment.go):
 * for a sidecar "if targetRef is specified, ignore the policy altogether", else the selector; a
 * Gateway API gateway (pod label gateway.networking.k8s.io/gateway-name) takes the policies whose
 * targetRefs name it, and selector policies (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY, default true).
 * Dry-run policies are included (flagged) so --explain can name them; they never decide.
 */
export function policiesFor(policies: readonly AuthzPolicy[], cls: PodClass, rootNamespace: string): AuthzPolicy[] {
  const gateway = cls.labels[GATEWAY_NAME_LABEL];
  return policies.filter((p) => {
    if (p.namespace !== cls.namespace && p.namespace !== rootNamespace) return false;
    if (p.targetRefs.length > 0) return gateway !== undefined && targetsGateway(p, cls, gateway);
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

/** What a field Istio cannot serve on this chain evaluates to: undecidable over HTTP, dropped (matches) on TCP. */
type L7 = 'partial' | 'yes';

function sourceMatches(source: Readonly<Record<string, unknown>>, id: SourceIdentity, l7: L7): Tri {
  const parts: Tri[] = [];
  for (const [field, attr, negate] of SOURCE_STRING_FIELDS) {
    if (source[field] !== undefined) parts.push(stringField(strs(source[field]), id[attr] as string | undefined, negate));
  }
  for (const [field, negate] of [['ipBlocks', false], ['remoteIpBlocks', false], ['notIpBlocks', true], ['notRemoteIpBlocks', true]] as const) {
    if (source[field] !== undefined) parts.push(ipField(strs(source[field]), id.ip, negate));
  }
  if (HTTP_SOURCE_FIELDS.some((f) => source[f] !== undefined)) parts.push(l7);
  return and(parts);
}

const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];
const HTTP_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];
/** `when` keys Istio serves only over HTTP (request.headers[...], request.auth.*). */
const isHttpConditionKey = (key: string): boolean => key.startsWith('request.');

function operationMatches(op: Readonly<Record<string, unknown>>, port: number, l7: L7): Tri {
  const parts: Tri[] = [];
  if (op.ports !== undefined) parts.push(tri(strs(op.ports).includes(String(port))));
  if (op.notPorts !== undefined) parts.push(tri(!strs(op.notPorts).includes(String(port))));
  if (HTTP_OPERATION_FIELDS.some((f) => op[f] !== undefined)) parts.push(l7);
  return and(parts);
}

/** True when a rule uses a field Istio serves only over HTTP (such an ALLOW rule is skipped on a TCP chain). */
export function hasHttpOnlyFields(rule: Readonly<Record<string, unknown>>): boolean {
  return recs(rule.from).some((f) => HTTP_SOURCE_FIELDS.some((k) => rec(f.source)[k] !== undefined))
    || recs(rule.to).some((t) => HTTP_OPERATION_FIELDS.some((k) => rec(t.operation)[k] !== undefined))
    || recs(rule.when).some((c) => isHttpConditionKey(str(c.key) ?? ''));
}

function conditionMatches(c: Readonly<Record<string, unknown>>, id: SourceIdentity, port: number, l7: L7): Tri {
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
  if (isHttpConditionKey(key)) return l7;
  if (!Object.hasOwn(actual, key)) return 'partial';
  const v = c.values !== undefined ? stringField(strs(c.values), actual[key], false) : 'yes';
  const nv = c.notValues !== undefined ? stringField(strs(c.notValues), actual[key], true) : 'yes';
  return and([v, nv]);
}

/** How one request meets the rules of a policy with `action`, on a port served by `chain`. */
export interface MatchContext {
  readonly id: SourceIdentity;
  readonly port: number;
  readonly chain: Chain;
}

/** Whether one rule of a policy with `action` matches the request. */
export function ruleMatches(rule: Readonly<Record<string, unknown>>, action: AuthzAction, { id, port, chain }: MatchContext): Tri {
  if (chain === 'tcp' && action === 'ALLOW' && hasHttpOnlyFields(rule)) return 'no';
  const l7: L7 = chain === 'tcp' ? 'yes' : 'partial';
  const from = recs(rule.from).map((f) => sourceMatches(rec(f.source), id, l7));
  const to = recs(rule.to).map((t) => operationMatches(rec(t.operation), port, l7));
  const when = recs(rule.when).map((c) => conditionMatches(c, id, port, l7));
  return and([from.length ? or(from) : 'yes', to.length ? or(to) : 'yes', and(when)]);
}

/** Whether any rule of a policy matches (a policy without rules matches nothing). */
export function policyMatches(p: AuthzPolicy, m: MatchContext): Tri {
  return or(p.rules.map((r) => ruleMatches(r, p.action, m)));
}
