/**
 * What the edge rules need to know about Istio routing and authorization, pure over the index:
 * which gateway a VirtualService is bound to and whether it demands client certificates, where a
 * request path lands in a VirtualService (first matching `http` entry, in order), which workloads a
 * route's destination reaches, and whether a DENY AuthorizationPolicy refuses a path for a caller.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { rec, recs, str, strMap, strs, type Rec } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import { isDryRun, istioMatch, targetRefsOf } from '../flows/authz.js';

export const istioKind = (o: KubeObject): boolean => o.apiVersion.startsWith('networking.istio.io/');

/** A gateway a VirtualService names: `ns/name` or `name` (the VirtualService's namespace). */
export interface GatewayRef {
  readonly namespace: string;
  readonly name: string;
  /** The Gateway object, when the input holds it. */
  readonly object?: KubeObject;
}

export function gatewaysOf(index: ObjectIndex, vs: KubeObject): GatewayRef[] {
  const ns = index.namespaceOf(vs) ?? 'default';
  return strs(rec(vs.spec).gateways).filter((g) => g !== 'mesh').map((g) => {
    const [gns, name] = g.includes('/') ? [g.slice(0, g.indexOf('/')), g.slice(g.indexOf('/') + 1)] : [ns, g];
    const object = index.inNamespace('Gateway', gns).find((o) => istioKind(o) && o.metadata.name === name);
    return { namespace: gns, name, ...(object ? { object } : {}) };
  });
}

/** True when every server of the Gateway requires a client certificate (tls.mode MUTUAL). */
export function requiresClientCertificates(gateway: KubeObject | undefined): boolean {
  const servers = recs(rec(gateway?.spec).servers);
  return servers.length > 0 && servers.every((s) => str(rec(s.tls).mode) === 'MUTUAL');
}

/** The gateway pods (workloads matching the Gateway's selector, any namespace: Istio's default scope). */
export function gatewayWorkloads(index: ObjectIndex, gateway: KubeObject | undefined): readonly Workload[] {
  if (gateway === undefined) return [];
  const sel = strMap(rec(gateway.spec).selector);
  if (Object.keys(sel).length === 0) return [];
  return index.selectWorkloads(gateway, { matchLabels: sel }, undefined);
}

export function workloadPrincipal(w: Workload): string {
  return `cluster.local/ns/${w.namespace}/sa/${w.serviceAccount}`;
}

/** How an `http` entry's match list meets a path: always, maybe (other conditions), or never. */
export type Hit = 'always' | 'maybe' | 'never';

const URI_ONLY = new Set(['uri', 'name']);

function uriHit(uri: Rec, path: string): boolean {
  const exact = str(uri.exact);
  const prefix = str(uri.prefix);
  const regex = str(uri.regex);
  if (exact !== undefined) return path === exact;
  if (prefix !== undefined) return path.startsWith(prefix);
  if (regex !== undefined) {
    try {
      return new RegExp(`^(?:${regex})$`).test(path);
    } catch {
      return true; // RE2 syntax JavaScript cannot read: it may match
    }
  }
  return true;
}

/** Whether a path reaches an `http` entry (its matches are ORed; a missing match list matches everything). */
export function entryHit(entry: Rec, path: string): Hit {
  const matches = recs(entry.match);
  if (matches.length === 0) return 'always';
  let maybe = false;
  for (const m of matches) {
    if (!uriHit(rec(m.uri), path)) continue;
    if (Object.keys(m).every((k) => URI_ONLY.has(k))) return 'always';
    maybe = true;
  }
  return maybe ? 'maybe' : 'never';
}

/** Indexes of the `http` entries a path may be routed by, in order, up to the first that always takes it. */
export function entriesFor(vs: KubeObject, path: string): number[] {
  const out: number[] = [];
  for (const [i, entry] of recs(rec(vs.spec).http).entries()) {
    const hit = entryHit(entry, path);
    if (hit === 'never') continue;
    out.push(i);
    if (hit === 'always') break;
  }
  return out;
}

/** `name`, `name.ns`, `name.ns.svc[.cluster.local]` → the Service object, if in the input. */
export function destinationService(index: ObjectIndex, vs: KubeObject, host: string): KubeObject | undefined {
  const parts = host.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
  const name = parts[0] ?? '';
  const ns = parts[1] ?? index.namespaceOf(vs) ?? 'default';
  return index.get('Service', ns, name);
}

/** Workloads an `http` entry routes to (its `route` destinations resolved through Services). */
export function routedWorkloads(index: ObjectIndex, vs: KubeObject, entry: Rec): Workload[] {
  const out: Workload[] = [];
  for (const r of recs(entry.route)) {
    const svc = destinationService(index, vs, str(rec(r.destination).host) ?? '');
    if (svc) out.push(...index.serviceTargets(svc));
  }
  return [...new Set(out)];
}

/** DENY AuthorizationPolicies that apply to a workload's sidecar (its namespace or the root namespace; selector or none). */
export function denyPoliciesFor(index: ObjectIndex, labels: Readonly<Record<string, string>>, namespace: string): KubeObject[] {
  return index.ofKind('AuthorizationPolicy').filter((ap) => {
    const spec = rec(ap.spec);
    const ns = index.namespaceOf(ap);
    if (str(spec.action) !== 'DENY' || isDryRun(ap) || targetRefsOf(spec).length > 0) return false;
    if (ns !== namespace && ns !== index.meshRootNamespace) return false;
    const sel = rec(spec.selector).matchLabels;
    return sel === undefined || matchesSelector({ matchLabels: strMap(sel) }, labels);
  });
}

/** Source fields a DENY may carry and still refuse the caller: principals naming it, notPrincipals not naming it, not…IpBlocks (the exempted ranges). */
const SOURCE_FIELDS = new Set(['principals', 'notPrincipals', 'notRemoteIpBlocks', 'notIpBlocks']);

function sourceCovers(source: Rec, caller: string | undefined): boolean {
  if (!Object.keys(source).every((k) => SOURCE_FIELDS.has(k))) return false;
  if (source.principals !== undefined && (caller === undefined || !strs(source.principals).some((p) => istioMatch(p, caller)))) return false;
  // An unknown caller is taken not to be one of the exempted principals (it is not in the input).
  return source.notPrincipals === undefined || caller === undefined || !strs(source.notPrincipals).some((p) => istioMatch(p, caller));
}

function operationCovers(op: Rec, path: string, host: string | undefined): boolean {
  if (!Object.keys(op).every((k) => k === 'paths' || k === 'hosts' || k === 'notPaths')) return false;
  if (op.paths !== undefined && !strs(op.paths).some((p) => istioMatch(p, path))) return false;
  if (op.notPaths !== undefined && strs(op.notPaths).some((p) => istioMatch(p, path))) return false;
  return op.hosts === undefined || (host !== undefined && strs(op.hosts).some((h) => istioMatch(h.toLowerCase(), host.toLowerCase())));
}

/** True when a DENY rule refuses `path` (on `host`) from `caller` whatever else the request carries. */
export function denyRuleCovers(r: Rec, path: string, host: string | undefined, caller: string | undefined): boolean {
  if (r.when !== undefined) return false;
  const from = recs(r.from);
  const to = recs(r.to);
  return (from.length === 0 || from.some((f) => sourceCovers(rec(f.source), caller)))
    && (to.length === 0 || to.some((t) => operationCovers(rec(t.operation), path, host)));
}

/** The first DENY policy (and rule) of `policies` refusing the path, if any. */
export function denyingPolicy(policies: readonly KubeObject[], path: string, host: string | undefined, caller: string | undefined): KubeObject | undefined {
  return policies.find((ap) => recs(rec(ap.spec).rules).some((r) => denyRuleCovers(r, path, host, caller)));
}
