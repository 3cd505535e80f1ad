/**
 * KM: the OpenG2P key manager configuration (module g2p_encryption_keymanager env variables, and the
 * MOSIP key manager itself): literal client secrets, plain-http API or token URLs outside the
 * mesh, grant types, a key manager without authentication, and a key manager published through a
 * gateway.
 */
import { rec, recs, str, strs } from '../index/access.js';
import { envOf, type EnvEntry } from '../index/env.js';
import type { ObjectIndex } from '../index/object-index.js';
import { describeContainer, type ContainerEntry, type Workload } from '../index/workloads.js';
import { effectiveMtls, sidecarInjected } from '../mesh/mtls.js';
import type { Finding, Rule } from '../types.js';
import { cis, defineRule, findingOf, NSA } from './util.js';

export const KM_LITERAL_CLIENT_SECRET = 'WARD-KM-001';
export const KM_PLAIN_HTTP = 'WARD-KM-002';
export const KM_GRANT_TYPE = 'WARD-KM-003';
export const KM_NO_AUTH = 'WARD-KM-004';
export const KM_PUBLISHED = 'WARD-KM-005';

export const KM_ENV = {
  apiBaseUrl: 'KEYMANAGER_API_BASE_URL',
  authUrl: 'KEYMANAGER_AUTH_URL',
  clientId: 'KEYMANAGER_AUTH_CLIENT_ID',
  clientSecret: 'KEYMANAGER_AUTH_CLIENT_SECRET',
  grantType: 'KEYMANAGER_AUTH_GRANT_TYPE',
} as const;

type EnvCheck = (w: Workload, c: ContainerEntry, e: EnvEntry, index: ObjectIndex) => string | undefined;

function perEnv(rule: () => Rule, names: readonly string[], check: EnvCheck) {
  return (index: ObjectIndex): Finding[] => index.workloads.flatMap((w) => w.containers.flatMap((c) =>
    envOf(index, w, c).filter((e) => names.includes(e.name)).flatMap((e) => {
      const message = check(w, c, e, index);
      return message ? [findingOf(index, rule(), w.object, message, { path: e.path })] : [];
    })));
}

const literalSecret: Rule = defineRule({
  id: KM_LITERAL_CLIENT_SECRET, title: 'Key-manager client secret as a literal', severity: 'critical',
  rationale: 'KEYMANAGER_AUTH_CLIENT_SECRET obtains tokens with the KEYMANAGER_ADMIN role: whoever reads the manifest can decrypt every encrypted personal-data field (OpenG2P 1.3.1 renders it as a literal env value).',
  remediation: 'Put the client secret in a Secret and set KEYMANAGER_AUTH_CLIENT_SECRET with valueFrom.secretKeyRef; rotate the exposed secret in Keycloak.',
  controls: { cis1_12: cis('5.4.1'), nsa: NSA.secrets, owasp2025: 'K03' },
  check: perEnv(() => literalSecret, [KM_ENV.clientSecret], (w, c, e) => (e.source === 'literal' || e.source === 'configMap') && (e.value ?? '') !== ''
    ? `${describeContainer(w, c)} sets ${e.name} as a literal value${e.source === 'configMap' ? ' through a ConfigMap' : ''}: use valueFrom.secretKeyRef and rotate the secret` : undefined),
});

/** True for cluster-internal host names: `svc`, `svc.ns`, `*.svc`, `*.svc.cluster.local`. */
export function isClusterHost(host: string): boolean {
  const h = host.toLowerCase();
  return !h.includes('.') || h.split('.').length === 2 || h.endsWith('.svc') || h.endsWith('.svc.cluster.local') || h.endsWith('.cluster.local');
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

const plainHttp: Rule = defineRule({
  id: KM_PLAIN_HTTP, title: 'Key-manager URL over plain http outside the mesh', severity: 'high',
  rationale: 'Tokens, keys and personal data to be encrypted travel to the key manager and the token endpoint; over http they are readable unless the mesh encrypts the hop (STRICT mTLS to an in-cluster service).',
  remediation: 'Use https:// (verified) for the key manager and token URLs, or keep them in-cluster with the caller under STRICT mTLS.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: perEnv(() => plainHttp, [KM_ENV.apiBaseUrl, KM_ENV.authUrl], (w, c, e, index) => {
    const url = e.value ?? '';
    if (!url.toLowerCase().startsWith('http://')) return undefined;
    const host = hostOf(url) ?? '';
    const meshed = isClusterHost(host) && sidecarInjected(index, w) !== false && effectiveMtls(index, w).mode === 'STRICT';
    if (meshed) return undefined;
    const why = isClusterHost(host) ? 'and the workload is not under STRICT mTLS' : `to ${host}, outside the cluster`;
    return `${describeContainer(w, c)} sets ${e.name} to plain http ${why}: use https`;
  }),
});

const grantType: Rule = defineRule({
  id: KM_GRANT_TYPE, title: 'Key-manager grant type other than client_credentials', severity: 'medium',
  rationale: 'The registry authenticates to the key manager as a service; password or other grants put a user credential in the workload.',
  remediation: 'Set KEYMANAGER_AUTH_GRANT_TYPE to client_credentials (or remove it: that is the default).',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: perEnv(() => grantType, [KM_ENV.grantType], (w, c, e) => e.value !== undefined && e.value !== '' && e.value !== 'client_credentials'
    ? `${describeContainer(w, c)} sets ${e.name} to "${e.value}", not client_credentials` : undefined),
});

const KM_IMAGE = /keymanager/i;
const AUTH_DISABLED = /(^|[_.])AUTH([_.]?ENABLED)$/i;

function isKeyManager(w: Workload): boolean {
  return w.containers.some((c) => KM_IMAGE.test(str(c.container.image) ?? ''));
}

const noAuth: Rule = defineRule({
  id: KM_NO_AUTH, title: 'Key manager without authentication', severity: 'critical',
  rationale: 'With authentication off, any pod that reaches the key manager can call /decrypt and /jwtSign (OpenG2P commons ships authEnabled: false).',
  remediation: 'Enable authentication on the key manager (authEnabled: true) and require the KEYMANAGER_ADMIN role via Keycloak.',
  controls: { nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => index.workloads.filter(isKeyManager).flatMap((w) => w.containers.flatMap((c) => envOf(index, w, c)
    .filter((e) => AUTH_DISABLED.test(e.name) && /^(false|no|0|off)$/i.test((e.value ?? '').trim()))
    .map((e) => findingOf(index, noAuth, w.object, `${describeContainer(w, c)} is a key manager with authentication disabled (${e.name}=${e.value ?? ''}): enable it`, { path: e.path })))),
});

const published: Rule = defineRule({
  id: KM_PUBLISHED, title: 'Key manager published through a gateway', severity: 'high',
  rationale: 'The key manager API (/v1/keymanager: decrypt, sign, keys) is for the registry inside the cluster; OpenG2P 1.3.1 publishes it through a VirtualService bound to the ingress gateway.',
  remediation: 'Remove the key manager from gateway-bound VirtualServices; reach it only from the registry through the mesh.',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => index.ofKind('VirtualService').flatMap((vs): Finding[] => {
    const spec = rec(vs.spec);
    const gateways = strs(spec.gateways).filter((g) => g !== 'mesh');
    if (gateways.length === 0) return [];
    const hosts = [...recs(spec.http), ...recs(spec.tcp), ...recs(spec.tls)].flatMap((r) => recs(r.route).map((rt) => str(rec(rt.destination).host) ?? ''));
    const km = hosts.find((h) => KM_IMAGE.test(h));
    return km ? [findingOf(index, published, vs, `VirtualService ${index.namespaceOf(vs) ?? ''}/${vs.metadata.name} publishes the key manager (${km}) through gateway ${gateways.join(', ')}`, { path: ['spec', 'gateways'] })] : [];
  }),
});

export const kmRules: readonly Rule[] = [literalSecret, plainHttp, grantType, noAuth, published];
