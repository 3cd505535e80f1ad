/**
 * EDGE: controls at the registry's front door (issue 13; facts and sources in docs/edge.md).
 * Administrative paths of a known application (Odoo) published on a gateway without client
 * certificates; client-address rules without trusted proxies; token rules that do not make a token
 * mandatory or accept any audience; MUTUAL gateways without a revocation list or with an expiring CA;
 * public HTTPS routes without HSTS.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { parse as parseYaml } from 'yaml';
import { rec, recs, str, strMap, strs, type Rec } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { imageRepository } from '../index/personal-data.js';
import type { Workload } from '../index/workloads.js';
import type { Finding, Rule } from '../types.js';
import { denyingPolicy, denyPoliciesFor, entriesFor, gatewaysOf, gatewayWorkloads, istioKind, requiresClientCertificates, routedWorkloads, workloadPrincipal, type GatewayRef } from './edge-routes.js';
import { defineRule, findingOf, NSA } from './util.js';

export const EDGE_ADMIN_PATHS_PUBLIC = 'WARD-EDGE-001';
export const EDGE_REMOTE_IP_UNTRUSTED = 'WARD-EDGE-002';
export const EDGE_TOKEN_OPTIONAL = 'WARD-EDGE-003';
export const EDGE_JWT_ANY_AUDIENCE = 'WARD-EDGE-004';
export const EDGE_MUTUAL_NO_CRL = 'WARD-EDGE-005';
export const EDGE_CLIENT_CA_EXPIRING = 'WARD-EDGE-006';
export const EDGE_NO_HSTS = 'WARD-EDGE-007';

/** Days before the client-certificate CA expires when WARD-EDGE-006 reports it. */
export const CA_EXPIRY_WARNING_DAYS = 30;

/**
 * Concrete requests to Odoo's administrative routes (docs/edge.md lists each with its source):
 * the database manager, the XML-RPC db service and the superuser switch.
 */
export const ODOO_ADMIN_PROBES: readonly string[] = [
  '/web/database/manager', '/web/database/selector', '/web/database/list', '/web/database/create', '/web/database/drop',
  '/web/database/backup', '/web/database/restore', '/web/database/change_password', '/xmlrpc/2/db', '/xmlrpc/db', '/web/become',
];

const ns0 = (index: ObjectIndex, o: KubeObject): string => index.namespaceOf(o) ?? 'default';
const isOdoo = (w: Workload): boolean => w.containers.some((c) => imageRepository(str(c.container.image) ?? '').includes('odoo'));
const gatewayName = (g: GatewayRef): string => `${g.namespace}/${g.name}${g.object ? '' : ' (not in the input)'}`;

/** The probes one `http` entry of a VirtualService sends to an Odoo workload through `gateway`, unrefused by any DENY. */
function reachableProbes(index: ObjectIndex, vs: KubeObject, i: number, odoo: readonly Workload[], gateway: GatewayRef): string[] {
  const host = strs(rec(vs.spec).hosts)[0];
  const gwPods = gatewayWorkloads(index, gateway.object);
  const caller = gwPods[0] === undefined ? undefined : workloadPrincipal(gwPods[0]);
  const gatewayDeny = gwPods.flatMap((w) => denyPoliciesFor(index, w.podLabels, w.namespace));
  return ODOO_ADMIN_PROBES.filter((path) => entriesFor(vs, path).includes(i)
    && denyingPolicy(gatewayDeny, path, host, undefined) === undefined
    && odoo.some((w) => denyingPolicy(denyPoliciesFor(index, w.podLabels, w.namespace), path, host, caller) === undefined));
}

function adminPathFindings(index: ObjectIndex, vs: KubeObject): Finding[] {
  const gateways = gatewaysOf(index, vs).filter((g) => !requiresClientCertificates(g.object));
  if (gateways.length === 0) return [];
  return recs(rec(vs.spec).http).flatMap((entry, i): Finding[] => {
    const odoo = routedWorkloads(index, vs, entry).filter(isOdoo);
    if (odoo.length === 0) return [];
    return gateways.flatMap((g): Finding[] => {
      const open = reachableProbes(index, vs, i, odoo, g);
      if (open.length === 0) return [];
      const shown = open.length > 4 ? `${open.slice(0, 4).join(', ')} and ${String(open.length - 4)} more` : open.join(', ');
      const target = odoo.map((w) => `${w.ref.kind} ${w.namespace}/${w.ref.name}`).join(', ');
      return [findingOf(index, adminPathsPublic, vs, `VirtualService ${ns0(index, vs)}/${vs.metadata.name} http[${String(i)}] sends Odoo's admin paths (${shown}) from gateway ${gatewayName(g)}, which requires no client certificate, to ${target}; no DENY AuthorizationPolicy refuses them`,
        { path: ['spec', 'http', i], raised: odoo.some((w) => index.holdsPersonalData(w)) })];
    });
  });
}

const adminPathsPublic: Rule = defineRule({
  id: EDGE_ADMIN_PATHS_PUBLIC, title: 'Odoo admin paths reachable through a public gateway', severity: 'high',
  rationale: 'Odoo\'s database manager (/web/database/*: create, drop, backup, restore every database), its XML-RPC db service and the superuser switch are guarded by the master password alone; published on the same gateway as the registry they are one leaked or default password away from a dump of every beneficiary. Administrative URLs belong behind the admin gateway (WireGuard, client certificates).',
  remediation: 'Add a DENY AuthorizationPolicy for the admin paths on the Odoo workload (ward synth does: exposure.adminPaths, filled by the OpenG2P preset) or on the public gateway, publish them only on the admin gateway, and set list_db = False in odoo.conf.',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => index.ofKind('VirtualService').filter(istioKind).flatMap((vs) => adminPathFindings(index, vs)),
});

/** Where a policy reads the client address from X-Forwarded-For: remoteIpBlocks, notRemoteIpBlocks, `remote.ip`. */
function usesRemoteIp(ap: KubeObject): boolean {
  return recs(rec(ap.spec).rules).some((r) => recs(r.from).some((f) => rec(f.source).remoteIpBlocks !== undefined || rec(f.source).notRemoteIpBlocks !== undefined)
    || recs(r.when).some((c) => str(c.key) === 'remote.ip'));
}

/** numTrustedProxies from a `proxy.istio.io/config` annotation or the mesh config's defaultConfig. */
function trustedProxiesIn(text: string | undefined, nested: boolean): number | undefined {
  if (text === undefined) return undefined;
  try {
    const doc = rec(parseYaml(text));
    const config = nested ? rec(doc.defaultConfig) : doc;
    const n = rec(config.gatewayTopology).numTrustedProxies;
    return typeof n === 'number' ? n : undefined;
  } catch {
    return undefined;
  }
}

function meshTrustedProxies(index: ObjectIndex): number | undefined {
  const cm = index.get('ConfigMap', index.meshRootNamespace, 'istio');
  return trustedProxiesIn(str(rec(cm?.data).mesh), true);
}

const isGatewayPod = (index: ObjectIndex, w: Workload): boolean => index.ofKind('Gateway').some((g) => istioKind(g) && gatewayWorkloads(index, g).includes(w)) || /gateway/.test(w.podLabels.istio ?? '');

const remoteIpUntrusted: Rule = defineRule({
  id: EDGE_REMOTE_IP_UNTRUSTED, title: 'Client-address rule on a gateway without trusted proxies', severity: 'high',
  rationale: 'remoteIpBlocks match the client address the gateway reads from X-Forwarded-For, and only as far as it trusts proxies (gatewayTopology.numTrustedProxies). Behind OpenG2P\'s Nginx without that setting every client looks like Nginx: an allow list admits everyone or no one, a deny list refuses no one.',
  remediation: 'Set numTrustedProxies to the number of proxies in front of the gateway: meshConfig.defaultConfig.gatewayTopology.numTrustedProxies, or the gateway pod annotation proxy.istio.io/config: \'{"gatewayTopology":{"numTrustedProxies":1}}\'.',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K02' },
  check: (index) => index.ofKind('AuthorizationPolicy').filter(usesRemoteIp).flatMap((ap): Finding[] => {
    if (meshTrustedProxies(index) !== undefined) return [];
    const gateways = index.istioTargets(ap).filter((w) => isGatewayPod(index, w));
    const untrusted = gateways.filter((w) => trustedProxiesIn(w.podAnnotations['proxy.istio.io/config'], false) === undefined);
    if (untrusted.length === 0) return [];
    const names = untrusted.map((w) => `${w.ref.kind} ${w.namespace}/${w.ref.name}`).join(', ');
    return [findingOf(index, remoteIpUntrusted, ap, `AuthorizationPolicy ${ns0(index, ap)}/${ap.metadata.name} matches client addresses (remoteIpBlocks) on ${names}, which trusts no proxy (no numTrustedProxies in proxy.istio.io/config or the mesh config): behind a proxy every client has the proxy's address`, { path: ['spec', 'rules'] })];
  }),
});

/** AuthorizationPolicies (not dry-run, no targetRefs) applying to pods with `labels` in `namespace`. */
function policiesFor(index: ObjectIndex, labels: Readonly<Record<string, string>>, namespace: string): KubeObject[] {
  return index.ofKind('AuthorizationPolicy').filter((ap) => {
    const spec = rec(ap.spec);
    const ns = index.namespaceOf(ap);
    if ((ns !== namespace && ns !== index.meshRootNamespace) || spec.targetRef !== undefined || spec.targetRefs !== undefined) return false;
    const sel = strMap(rec(spec.selector).matchLabels);
    return Object.entries(sel).every(([k, v]) => labels[k] === v);
  });
}

const requiresPrincipal = (r: Rec): boolean => recs(r.from).length > 0 && recs(r.from).every((f) => strs(rec(f.source).requestPrincipals).length > 0);
const deniesTokenless = (ap: KubeObject): boolean => str(rec(ap.spec).action) === 'DENY'
  && recs(rec(ap.spec).rules).some((r) => r.to === undefined && r.when === undefined && recs(r.from).some((f) => strs(rec(f.source).notRequestPrincipals).includes('*')));

/** Why requests without a token still pass, or undefined when a policy makes the token mandatory. */
function tokenlessPath(policies: readonly KubeObject[]): string | undefined {
  if (policies.some(deniesTokenless)) return undefined;
  const allows = policies.filter((ap) => (str(rec(ap.spec).action) ?? 'ALLOW') === 'ALLOW' && recs(rec(ap.spec).rules).length > 0);
  if (allows.length === 0) return 'no AuthorizationPolicy requires a request principal';
  for (const ap of allows) {
    const i = recs(rec(ap.spec).rules).findIndex((r) => !requiresPrincipal(r));
    if (i >= 0) return `AuthorizationPolicy ${ap.metadata.name} rule ${String(i)} admits callers without one`;
  }
  return undefined;
}

/** The pods a RequestAuthentication applies to, or its own selector as a stand-in when the input holds none (ward's output). */
function raTargets(index: ObjectIndex, ra: KubeObject): { labels: Readonly<Record<string, string>>; namespace: string; name: string }[] {
  const targets = index.istioTargets(ra);
  if (targets.length > 0) return targets.map((w) => ({ labels: w.podLabels, namespace: w.namespace, name: `${w.ref.kind} ${w.namespace}/${w.ref.name}` }));
  const sel = rec(rec(ra.spec).selector).matchLabels;
  if (sel === undefined) return [];
  return [{ labels: strMap(sel), namespace: ns0(index, ra), name: `the pods it selects` }];
}

const tokenOptional: Rule = defineRule({
  id: EDGE_TOKEN_OPTIONAL, title: 'RequestAuthentication without a policy that requires a token', severity: 'high',
  rationale: 'A RequestAuthentication only rejects invalid tokens: a request without any token passes with no identity. Only an AuthorizationPolicy requiring requestPrincipals (or a DENY with notRequestPrincipals: ["*"]) makes the token mandatory (Istio RequestAuthentication reference).',
  remediation: 'Add from.source.requestPrincipals: ["<issuer>/*"] to every ALLOW rule of the workload (ward synth does for exposure.auth), or a DENY rule with from.source.notRequestPrincipals: ["*"].',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => index.ofKind('RequestAuthentication').flatMap((ra) => raTargets(index, ra).flatMap((t): Finding[] => {
    const why = tokenlessPath(policiesFor(index, t.labels, t.namespace));
    return why === undefined ? [] : [findingOf(index, tokenOptional, ra, `RequestAuthentication ${ns0(index, ra)}/${ra.metadata.name} validates tokens for ${t.name}, but requests without a token still pass: ${why}`)];
  })),
});

/** Issuers the RequestAuthentications applying to an ALLOW policy's pods accept (same namespace or root; selector covering the policy's). */
function issuersFor(index: ObjectIndex, ap: KubeObject): string[] {
  const ns = ns0(index, ap);
  const sel = strMap(rec(rec(ap.spec).selector).matchLabels);
  const ras = index.ofKind('RequestAuthentication').filter((ra) => {
    const rns = ns0(index, ra);
    const rsel = strMap(rec(rec(ra.spec).selector).matchLabels);
    return (rns === ns || rns === index.meshRootNamespace) && Object.entries(rsel).every(([k, v]) => sel[k] === v);
  });
  return [...new Set(ras.flatMap((ra) => recs(rec(ra.spec).jwtRules).map((j) => str(j.issuer) ?? '')))].filter((i) => i !== '').sort();
}

/** ALLOW rules taking requestPrincipals ["*"] where more than one issuer is accepted: any of them will do. */
function anyIssuerFindings(index: ObjectIndex): Finding[] {
  return index.ofKind('AuthorizationPolicy').filter((ap) => (str(rec(ap.spec).action) ?? 'ALLOW') === 'ALLOW').flatMap((ap) => {
    const wildcard = recs(rec(ap.spec).rules).findIndex((r) => recs(r.from).some((f) => strs(rec(f.source).requestPrincipals).includes('*')));
    const issuers = wildcard < 0 ? [] : issuersFor(index, ap);
    return issuers.length < 2 ? [] : [findingOf(index, anyAudience, ap, `AuthorizationPolicy ${ns0(index, ap)}/${ap.metadata.name} rule ${String(wildcard)} accepts requestPrincipals ["*"]: a token from any of ${String(issuers.length)} issuers (${issuers.join(', ')}) will do`, { path: ['spec', 'rules', wildcard] })];
  });
}

const anyAudience: Rule = defineRule({
  id: EDGE_JWT_ANY_AUDIENCE, title: 'JWT rule accepting any audience or issuer', severity: 'medium',
  rationale: 'Without audiences Istio accepts a token the issuer minted for any client of the realm: a token for the beneficiary portal opens the key manager. requestPrincipals: ["*"] with several issuers accepts a token from any of them.',
  remediation: 'List the audiences the component accepts (jwtRules[].audiences) and name the issuer in requestPrincipals ("<issuer>/*").',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => [
    ...index.ofKind('RequestAuthentication').flatMap((ra) => recs(rec(ra.spec).jwtRules).flatMap((j, i): Finding[] =>
      strs(j.audiences).length > 0 ? [] : [findingOf(index, anyAudience, ra, `RequestAuthentication ${ns0(index, ra)}/${ra.metadata.name} jwtRules[${String(i)}] (issuer ${str(j.issuer) ?? '?'}) lists no audiences: a token issued to any client of that issuer is accepted`, { path: ['spec', 'jwtRules', i] })])),
    ...anyIssuerFindings(index),
  ],
});

/** The credential Secret of a MUTUAL server: in the gateway pods' namespace (the Gateway's when they are not in the input). */
function credentialSecret(index: ObjectIndex, g: KubeObject, name: string): KubeObject | undefined {
  const ns = gatewayWorkloads(index, g)[0]?.namespace ?? ns0(index, g);
  return index.get('Secret', ns, name);
}

type MutualServer = { gateway: KubeObject; i: number; credential: string; secret: KubeObject | undefined };

function mutualServers(index: ObjectIndex): MutualServer[] {
  return index.ofKind('Gateway').filter(istioKind).flatMap((g) => recs(rec(g.spec).servers).flatMap((s, i) => {
    const tls = rec(s.tls);
    const credential = str(tls.credentialName);
    return str(tls.mode) === 'MUTUAL' && credential !== undefined ? [{ gateway: g, i, credential, secret: credentialSecret(index, g, credential) }] : [];
  }));
}

const mutualNoCrl: Rule = defineRule({
  id: EDGE_MUTUAL_NO_CRL, title: 'MUTUAL gateway without a revocation list', severity: 'high',
  rationale: 'Without ca.crl in the credential Secret the gateway accepts every certificate the CA ever signed: a laptop\'s certificate reported stolen keeps opening the admin consoles until it expires.',
  remediation: 'Add the CA\'s CRL as key ca.crl of the credential Secret (ward admin-cert revoke prints the update) and renew it before its nextUpdate.',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => mutualServers(index).flatMap(({ gateway, i, credential, secret }): Finding[] => {
    const facts = secret === undefined ? undefined : index.secretFacts(secret);
    if (facts === undefined) return [];
    const at = `Gateway ${ns0(index, gateway)}/${gateway.metadata.name} server ${String(i)} verifies client certificates (MUTUAL) against Secret ${credential}`;
    const bad = facts.unreadableCrls?.[0];
    if (bad !== undefined) return [findingOf(index, mutualNoCrl, gateway, `${at}, whose ${bad} is not a PEM X.509 CRL: the revocation list cannot be used`, { path: ['spec', 'servers', i, 'tls'] })];
    if (facts.keys.includes('ca.crl') || facts.keys.includes('crl')) return [];
    return [findingOf(index, mutualNoCrl, gateway, `${at}, which holds no ca.crl: revoked certificates are still accepted`, { path: ['spec', 'servers', i, 'tls'] })];
  }),
});

const DAY_MS = 86_400_000;

const clientCaExpiring: Rule = defineRule({
  id: EDGE_CLIENT_CA_EXPIRING, title: 'Client-certificate CA expiring within 30 days', severity: 'medium',
  rationale: 'When the administrators\' CA expires every client certificate it signed stops verifying at once: the admin gateway locks every administrator out, usually during an incident.',
  remediation: 'Issue a new CA, put old and new CA in ca.crt during the overlap, re-sign the administrators\' certificates (ward admin-cert sign), then drop the old CA.',
  controls: { nsa: NSA.encryption },
  check: (index, ctx) => mutualServers(index).flatMap(({ gateway, i, credential, secret }): Finding[] => {
    const ca = (secret === undefined ? undefined : index.secretFacts(secret))?.certificates?.find((c) => c.key === 'ca.crt' || c.key === 'cacert');
    if (ca === undefined) return [];
    const days = Math.floor((Date.parse(ca.notAfter) - ctx.now.getTime()) / DAY_MS);
    if (days > CA_EXPIRY_WARNING_DAYS) return [];
    const when = days < 0 ? `expired on ${ca.notAfter.slice(0, 10)}` : `expires on ${ca.notAfter.slice(0, 10)} (in ${String(days)} days)`;
    return [findingOf(index, clientCaExpiring, gateway, `Gateway ${ns0(index, gateway)}/${gateway.metadata.name} server ${String(i)} verifies client certificates against the CA in Secret ${credential} (${ca.subject}), which ${when}`,
      { path: ['spec', 'servers', i, 'tls'], ...(days < 0 ? { severity: 'high' as const } : {}) })];
  }),
});

const TLS_MODES = new Set(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL']);
const hasHsts = (entry: Rec): boolean => ['set', 'add'].some((op) => Object.keys(rec(rec(rec(entry.headers).response)[op])).some((k) => k.toLowerCase() === 'strict-transport-security'));
const servesHttps = (g: KubeObject | undefined): boolean => recs(rec(g?.spec).servers).some((s) => TLS_MODES.has(str(rec(s.tls).mode) ?? '') && !requiresClientCertificates(g));

const noHsts: Rule = defineRule({
  id: EDGE_NO_HSTS, title: 'Public HTTPS route without HSTS', severity: 'low',
  rationale: 'Without Strict-Transport-Security a browser that once typed http:// (or followed a planted link) can be downgraded and its session cookie read on the way: the registry staff\'s sessions travel over hotel and office networks.',
  remediation: 'Set headers.response.set strict-transport-security: "max-age=31536000; includeSubDomains" on the route (or in the application).',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => index.ofKind('VirtualService').filter(istioKind).flatMap((vs): Finding[] => {
    const https = gatewaysOf(index, vs).filter((g) => servesHttps(g.object));
    if (https.length === 0) return [];
    return recs(rec(vs.spec).http).flatMap((entry, i): Finding[] => recs(entry.route).length === 0 || hasHsts(entry) ? [] : [
      findingOf(index, noHsts, vs, `VirtualService ${ns0(index, vs)}/${vs.metadata.name} http[${String(i)}] serves HTTPS through gateway ${gatewayName(https[0] as GatewayRef)} without a Strict-Transport-Security response header`, { path: ['spec', 'http', i] })]);
  }),
});

export const edgeRules: readonly Rule[] = [adminPathsPublic, remoteIpUntrusted, tokenOptional, anyAudience, mutualNoCrl, clientCaExpiring, noHsts];
