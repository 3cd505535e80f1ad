/**
 * AUTHZ: Istio AuthorizationPolicy soundness (allow-nothing per mesh namespace, ALLOW rules without
 * a source, principals naming missing service accounts, policies selecting nothing) and Gateway
 * exposure (wildcard hosts, servers without TLS).
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { arr, rec, recs, str, strs, text, type Rec } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { isDryRun } from '../flows/authz.js';
import { namespaceInjected } from '../mesh/mtls.js';
import type { Finding, Rule } from '../types.js';
import { cis, defineRule, findingOf, namespaceObject, NSA } from './util.js';

export const AUTHZ_NO_ALLOW_NOTHING = 'WARD-AUTHZ-001';
export const AUTHZ_ALLOW_ANY_SOURCE = 'WARD-AUTHZ-002';
export const AUTHZ_UNKNOWN_PRINCIPAL = 'WARD-AUTHZ-003';
export const AUTHZ_SELECTS_NOTHING = 'WARD-AUTHZ-004';
export const AUTHZ_GATEWAY_WILDCARD_HOST = 'WARD-AUTHZ-005';
export const AUTHZ_GATEWAY_NO_TLS = 'WARD-AUTHZ-006';

const action = (ap: KubeObject): string => str(rec(ap.spec).action) ?? 'ALLOW';
const hasSelector = (ap: KubeObject): boolean => rec(ap.spec).selector !== undefined || rec(ap.spec).targetRef !== undefined || rec(ap.spec).targetRefs !== undefined;

/**
 * `spec: {}` (or ALLOW without rules) selecting the whole namespace: nothing is allowed unless another
 * policy says so. A dry run (`istio.io/dry-run: "true"`) is not enforced (istiod puts it in shadow
 * rules: istio/istio pilot/pkg/security/authz/builder/builder.go isDryRun), so it locks nothing.
 */
export function isAllowNothing(ap: KubeObject): boolean {
  return !hasSelector(ap) && action(ap) === 'ALLOW' && arr(rec(ap.spec).rules).length === 0 && !isDryRun(ap);
}

const ISTIO_KINDS = ['PeerAuthentication', 'AuthorizationPolicy', 'DestinationRule', 'VirtualService', 'Gateway', 'Sidecar'];

/** Namespaces in the mesh (Istio objects in use): labelled for injection, or holding Istio policy, or holding personal data. */
function meshNamespaces(index: ObjectIndex): string[] {
  const set = new Set<string>();
  for (const ns of index.namespaces()) {
    if (ns === index.meshRootNamespace || ns.startsWith('kube-')) continue;
    if (namespaceInjected(index, ns) || ISTIO_KINDS.some((k) => index.inNamespace(k, ns).length > 0)) set.add(ns);
    else if (index.namespaceHoldsPersonalData(ns)) set.add(ns);
  }
  return [...set].sort();
}

const ns0 = (index: ObjectIndex, obj: KubeObject): string => index.namespaceOf(obj) ?? '';

const noAllowNothing: Rule = defineRule({
  id: AUTHZ_NO_ALLOW_NOTHING, title: 'Mesh namespace without allow-nothing', severity: 'high',
  rationale: 'Until an ALLOW policy selects a workload, Istio allows every request to it. An allow-nothing policy (spec: {}) makes the namespace deny by default, so only listed callers get through.',
  remediation: 'Add an AuthorizationPolicy with an empty spec (spec: {}) in the namespace, then ALLOW the intended principals per workload.',
  controls: { cis1_12: cis('5.7.1'), nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => meshNamespaces(index).flatMap((ns): Finding[] => {
    if (index.inNamespace('AuthorizationPolicy', ns).some(isAllowNothing)) return [];
    const obj = namespaceObject(index, ns);
    const personal = index.namespaceHoldsPersonalData(ns);
    return [findingOf(index, noAllowNothing, obj, `Namespace ${ns} has no allow-nothing AuthorizationPolicy (spec: {}): every caller is allowed where no ALLOW policy applies${personal ? '; it holds personal data' : ''}`, { raised: personal })];
  }),
});

/** The fields of an Istio AuthorizationPolicy source (security.istio.io/v1 CRD schema): the CEL of WARD-AUTHZ-002 asks for one of them. */
const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks',
  'remoteIpBlocks', 'notRemoteIpBlocks', 'serviceAccounts', 'notServiceAccounts', 'trustDomains', 'notTrustDomains'] as const;

function emptySource(from: unknown): boolean {
  const list = recs(from);
  return list.length === 0 || list.some((f) => Object.keys(rec(f.source)).length === 0);
}

const allowAnySource: Rule = defineRule({
  id: AUTHZ_ALLOW_ANY_SOURCE, title: 'ALLOW rule without a source', severity: 'high',
  rationale: 'An ALLOW rule with no "from" (or an empty source) allows any caller, plaintext ones included, to what it matches.',
  remediation: 'Add from.source.principals (cluster.local/ns/<ns>/sa/<sa>) naming the callers that need access.',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  cel: {
    resources: [{ apiGroups: ['security.istio.io'], apiVersions: ['v1', 'v1beta1'], resources: ['authorizationpolicies'] }],
    message: 'an ALLOW rule of the AuthorizationPolicy has no "from" (or an empty source): any caller is allowed',
    expression: () => `!has(object.spec) || object.spec.?action.orValue('ALLOW') != 'ALLOW' || !has(object.spec.rules) || object.spec.rules.all(r, has(r.from) && size(r.from) > 0 && r.from.all(f, has(f.source) && (${SOURCE_FIELDS.map((k) => `has(f.source.${k})`).join(' || ')})))`,
  },
  check: (index) => index.ofKind('AuthorizationPolicy').filter((ap) => action(ap) === 'ALLOW').flatMap((ap) =>
    recs(rec(ap.spec).rules).flatMap((r, i): Finding[] => {
      if (!emptySource(r.from)) return [];
      const personal = index.istioTargets(ap).some((w) => index.holdsPersonalData(w));
      return [findingOf(index, allowAnySource, ap, `AuthorizationPolicy ${ns0(index, ap)}/${ap.metadata.name} rule ${String(i)} allows requests from any source (no "from")${personal ? '; it selects workloads holding personal data' : ''}`,
        { path: ['spec', 'rules', i], raised: personal })];
    })),
});

const PRINCIPAL = /^[^/]+\/ns\/([^/]+)\/sa\/([^/]+)$/;

function principalsOf(r: Rec): string[] {
  return recs(r.from).flatMap((f) => [...strs(rec(f.source).principals), ...strs(rec(f.source).notPrincipals)]);
}

const unknownPrincipal: Rule = defineRule({
  id: AUTHZ_UNKNOWN_PRINCIPAL, title: 'Principal names a missing service account', severity: 'medium',
  rationale: 'A principal naming a service account that does not exist matches nobody: the intended caller is denied, or a typo hides which identity was meant (and whoever creates that account later gets the access).',
  remediation: 'Fix the principal to cluster.local/ns/<namespace>/sa/<service account> of the calling workload, or create that ServiceAccount.',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => index.ofKind('AuthorizationPolicy').flatMap((ap) => recs(rec(ap.spec).rules).flatMap((r, i) => principalsOf(r).flatMap((p): Finding[] => {
    const m = PRINCIPAL.exec(p);
    if (!m || p.includes('*')) return [];
    const [, ns = '', sa = ''] = m;
    if (sa === 'default' || !index.knowsKindIn('ServiceAccount', ns) || index.get('ServiceAccount', ns, sa)) return [];
    return [findingOf(index, unknownPrincipal, ap, `AuthorizationPolicy ${ns0(index, ap)}/${ap.metadata.name} rule ${String(i)} names principal ${p}, but ServiceAccount ${ns}/${sa} does not exist`, { path: ['spec', 'rules', i, 'from'] })];
  }))),
});

const selectsNothing: Rule = defineRule({
  id: AUTHZ_SELECTS_NOTHING, title: 'AuthorizationPolicy selects no workload', severity: 'low',
  rationale: 'A selector matching no pod protects nothing: usually a label typo, and the intended workload keeps the namespace default. High where the namespace holds personal data: the policy meant to guard it guards nothing.',
  remediation: 'Fix spec.selector.matchLabels to the pod template labels of the intended workload, or delete the policy.',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => index.ofKind('AuthorizationPolicy').flatMap((ap): Finding[] => {
    const ns = ns0(index, ap);
    if (rec(ap.spec).selector === undefined || ns === index.meshRootNamespace) return [];
    if (!index.cluster && index.workloadsIn(ns).length === 0) return [];
    if (index.istioTargets(ap).length > 0) return [];
    const personal = index.namespaceHoldsPersonalData(ns);
    return [findingOf(index, selectsNothing, ap, `AuthorizationPolicy ${ns}/${ap.metadata.name} selects no workload in namespace ${ns}${personal ? ', which holds personal data' : ''}`, { path: ['spec', 'selector'], ...(personal ? { severity: 'high' as const } : {}) })];
  }),
});

const istioGateways = (index: ObjectIndex): KubeObject[] => index.ofKind('Gateway').filter((g) => g.apiVersion.startsWith('networking.istio.io/'));

const WILDCARD = /^(?:[^/]+\/)?\*$/;

/**
 * Server protocols whose traffic is matched against `hosts`: the HTTP family by Host/:authority, TLS
 * (and HTTPS passthrough) by SNI. Istio's Gateway reference (istio/api networking/v1alpha3/gateway.proto,
 * Server.hosts): "While typically applicable to HTTP services, it can also be used for TCP services
 * using TLS with SNI"; a plain TCP (or MONGO, …) server is matched by port alone, so its hosts select
 * nothing. Istio parses the protocol case-insensitively (pkg/config/protocol: `protocol: tcp` is TCP).
 */
const HOST_MATCHED_PROTOCOLS: ReadonlySet<string> = new Set(['HTTP', 'HTTPS', 'HTTP2', 'GRPC', 'GRPC-WEB', 'TLS']);

/** Whether a Gateway server's hosts decide what it accepts (a server naming no protocol is taken to). */
function hostsMatter(server: Readonly<Record<string, unknown>>): boolean {
  const protocol = str(rec(server.port).protocol);
  return protocol === undefined || HOST_MATCHED_PROTOCOLS.has(protocol.toUpperCase());
}

const wildcardHost: Rule = defineRule({
  id: AUTHZ_GATEWAY_WILDCARD_HOST, title: 'Gateway server accepts any host', severity: 'medium',
  rationale: 'hosts: "*" binds every host name (and every VirtualService of any namespace) to the gateway server: routes meant to stay internal can be published by mistake.',
  remediation: 'List the exact host names the server publishes (e.g. registry.example.org).',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => istioGateways(index).flatMap((g) => recs(rec(g.spec).servers).flatMap((s, i): Finding[] =>
    hostsMatter(s) && strs(s.hosts).some((h) => WILDCARD.test(h))
      ? [findingOf(index, wildcardHost, g, `Gateway ${ns0(index, g)}/${g.metadata.name} server ${String(i)} (port ${text(rec(s.port).number)}) accepts any host ("*")`, { path: ['spec', 'servers', i, 'hosts'] })]
      : [])),
});

const TLS_PROTOCOLS = new Set(['HTTPS', 'TLS']);

const noTls: Rule = defineRule({
  id: AUTHZ_GATEWAY_NO_TLS, title: 'Gateway server without TLS', severity: 'high',
  rationale: 'A gateway server on HTTP, TCP or another plaintext protocol carries credentials and personal data unencrypted from outside the cluster (OpenG2P 1.3.1 publishes PostgreSQL 5432 this way).',
  remediation: 'Use protocol HTTPS or TLS with tls.mode SIMPLE/MUTUAL and a credentialName; redirect HTTP with tls.httpsRedirect: true; never publish databases through the gateway.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  cel: {
    resources: [{ apiGroups: ['networking.istio.io'], apiVersions: ['v1', 'v1beta1', 'v1alpha3'], resources: ['gateways'] }],
    message: 'a Gateway server publishes a port without TLS (use HTTPS or TLS with tls.mode, or redirect HTTP with tls.httpsRedirect: true)',
    expression: () => "!has(object.spec) || !has(object.spec.servers) || object.spec.servers.all(s, (s.?port.?protocol.orValue('HTTP').upperAscii() in ['HTTPS', 'TLS'] && s.?tls.?mode.hasValue()) || (s.?port.?protocol.orValue('HTTP').upperAscii() == 'HTTP' && s.?tls.?httpsRedirect.orValue(false) == true))",
  },
  check: (index) => istioGateways(index).flatMap((g) => recs(rec(g.spec).servers).flatMap((s, i): Finding[] => {
    const port = rec(s.port);
    const protocol = (str(port.protocol) ?? 'HTTP').toUpperCase();
    const tls = rec(s.tls);
    if (TLS_PROTOCOLS.has(protocol) && str(tls.mode) !== undefined) return [];
    if (protocol === 'HTTP' && tls.httpsRedirect === true) return [];
    const tcp = protocol !== 'HTTP' && protocol !== 'HTTP2' && protocol !== 'GRPC';
    return [findingOf(index, noTls, g, `Gateway ${ns0(index, g)}/${g.metadata.name} server ${String(i)} publishes port ${text(port.number)} (${protocol}) without TLS${tcp ? '; a plaintext TCP service reachable from outside the cluster' : ''}`,
      { path: ['spec', 'servers', i], raised: tcp })];
  })),
});

export const authzRules: readonly Rule[] = [noAllowNothing, allowAnySource, unknownPrincipal, selectsNothing, wildcardHost, noTls];
