/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- tests poke at untyped spec documents */
import { describe, expect, it } from 'vitest';
import { IssueCode, parseRegistrySpec, type SpecIssue } from '../../../charts-src/model/index.js';
import { ODOO_ADMIN_PATHS, SR_KEYCLOAK_ISSUER } from '../../../charts-src/model/presets/openg2p-social-registry.js';

const ISSUER = 'https://keycloak.example.org/realms/openg2p';

/** A published Odoo and a key manager; each case mutates a fresh copy. */
function base(): Record<string, any> {
  return {
    namespace: 'dev',
    components: [
      { name: 'registry', selector: { app: 'registry' }, serviceAccount: 'registry', ports: [{ name: 'http', port: 8069 }], exposure: { type: 'ingress', hosts: ['sr.example.org'], adminPaths: { paths: ['/web/database/*', '/xmlrpc/2/db'], queryParams: ['debug'] } } },
      { name: 'keymanager', selector: { app: 'km' }, serviceAccount: 'km', ports: [{ name: 'http', port: 8088 }], exposure: { type: 'none', auth: { issuers: [{ issuer: ISSUER, audiences: ['sr'], fromCookie: 'Authorization' }], requiredClaims: [{ claim: 'realm_access.roles', values: ['KEYMANAGER_ADMIN'] }], inMesh: true } } },
    ],
    flows: [{ from: 'registry', to: { component: 'keymanager' }, ports: [{ port: 8088 }] }],
  };
}

function issuesOf(input: unknown): readonly SpecIssue[] {
  const r = parseRegistrySpec(input);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.issues;
}

const km = (s: Record<string, any>): Record<string, any> => s.components[1].exposure.auth.issuers[0];
const reg = (s: Record<string, any>): Record<string, any> => s.components[0].exposure;

const invalid: [string, (s: Record<string, any>) => void, SpecIssue[]][] = [
  ['an issuer over http is refused with the https form', (s) => (km(s).issuer = 'http://keycloak.example.org/realms/openg2p'),
    [{ code: IssueCode.InsecureUrl, path: ['components', 1, 'exposure', 'auth', 'issuers', 0, 'issuer'], message: 'issuer "http://keycloak.example.org/realms/openg2p" is not https: tokens and discovery must come over TLS, e.g. https://keycloak.example.org/realms/openg2p' }]],
  ['a JWKS over http outside the cluster is refused', (s) => (km(s).jwksUri = 'http://keys.example.org/certs'),
    [{ code: IssueCode.InsecureUrl, path: ['components', 1, 'exposure', 'auth', 'issuers', 0, 'jwksUri'], message: 'jwksUri "http://keys.example.org/certs" is http to a host outside the cluster: use https, or the in-cluster Service (<service>.<namespace>.svc.cluster.local)' }]],
  ['an inline JWKS that is not JSON cannot be read', (s) => (km(s).jwks = '{"keys": [}'),
    [{ code: IssueCode.UnreadableJwks, path: ['components', 1, 'exposure', 'auth', 'issuers', 0, 'jwks'], message: expect.stringMatching(/^the JWKS cannot be read: it is not JSON \(/) }]],
  ['an inline JWKS without keys cannot be read', (s) => (km(s).jwks = '{"keys": []}'),
    [{ code: IssueCode.UnreadableJwks, path: ['components', 1, 'exposure', 'auth', 'issuers', 0, 'jwks'], message: 'the JWKS cannot be read: it has no "keys" list: a JWKS is {"keys": [{"kty": ..., ...}]}' }]],
  ['an inline JWKS holding a private key is refused', (s) => (km(s).jwks = '{"keys": [{"kty": "RSA", "n": "x", "e": "AQAB", "d": "secret"}]}'),
    [{ code: IssueCode.UnreadableJwks, path: ['components', 1, 'exposure', 'auth', 'issuers', 0, 'jwks'], message: 'the JWKS cannot be read: it holds private key material ("d", "p", "q" or "k") in key 0: a JWKS in the spec must hold public keys only' }]],
  ['a token rule without audiences is refused (any client\'s token would pass)', (s) => (km(s).audiences = []),
    [{ code: IssueCode.InvalidValue, path: ['components', 1, 'exposure', 'auth', 'issuers', 0, 'audiences'], message: 'must list at least one audience: without one Istio accepts a token issued for any client' }]],
  ['a token rule on an unpublished component without inMesh guards nothing', (s) => (s.components[1].exposure.auth.inMesh = false),
    [{ code: IssueCode.MissingDependency, path: ['components', 1, 'exposure', 'auth', 'inMesh'], message: 'component "keymanager" is not published, so a token rule for the ingress gateway guards nothing: set inMesh: true to require tokens from its in-mesh callers' }]],
  ['an admin path covering the whole public route overlaps it', (s) => reg(s).adminPaths.paths.push('/*'),
    [{ code: IssueCode.Overlap, path: ['components', 0, 'exposure', 'adminPaths', 'paths', 2], message: 'admin path "/*" covers the whole public route of component "registry": list the administrative prefixes (e.g. /web/database/*), or set exposure.type none and publish it through the admin gateway only' }]],
  ['an admin path with a query string is refused (Istio matches paths without it)', (s) => (reg(s).adminPaths.paths = ['/web?debug=1']),
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'exposure', 'adminPaths', 'paths', 0], message: 'path "/web?debug=1" holds a query string: Istio matches paths without it; list the parameter in queryParams instead' }]],
  ['an admin path with an inner wildcard is refused', (s) => (reg(s).adminPaths.paths = ['/web/*/manager']),
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'exposure', 'adminPaths', 'paths', 0], message: 'path "/web/*/manager" has "*" before its end: Istio takes an exact path or a prefix ending in "*", e.g. /web/database/*' }]],
  ['allowedSources without trusted proxies are refused: every client would look like the proxy', (s) => (reg(s).allowedSources = ['198.51.100.0/24']),
    [{ code: IssueCode.MissingDependency, path: ['components', 0, 'exposure', 'allowedSources'], message: 'allowedSources are matched against the client address, which the gateway reads from X-Forwarded-For only as far as it trusts proxies: set mesh.ingress.trustedProxies (1 behind OpenG2P\'s Nginx, 0 when clients connect to the gateway directly)' }]],
  ['an allowed source of every address is refused', (s) => { reg(s).allowedSources = ['0.0.0.0/0']; s.mesh = { ingress: { trustedProxies: 1 } }; },
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'exposure', 'allowedSources', 0], message: '"0.0.0.0/0" allows every address: name the destination range, e.g. 203.0.113.0/24' }]],
  ['admin paths on an unpublished component are refused', (s) => (s.components[1].exposure.adminPaths = { paths: ['/actuator/*'] }),
    [{ code: IssueCode.MissingDependency, path: ['components', 1, 'exposure', 'adminPaths'], message: 'component "keymanager" is not published (exposure.type "none"): admin paths guard a public route; set exposure.type ingress or remove adminPaths' }]],
  ['client certificates without the admin gateway are refused', (s) => (s.adminAccess = { clientCertificates: { credentialName: 'ward-admin-clients' } }),
    [{ code: IssueCode.MissingDependency, path: ['adminAccess', 'clientCertificates'], message: 'client certificates are checked at the admin gateway, which ward publishes only with wireguard.enabled: true and at least one wireguard.routes entry' }]],
  ['an admin route on a public host overlaps the public route', (s) => (s.wireguard = { enabled: true, routes: [{ host: 'sr.example.org', component: 'registry', port: 8069 }] }),
    [{ code: IssueCode.Overlap, path: ['wireguard', 'routes', 0, 'host'], message: 'admin route host "sr.example.org" is also a public host of component "registry": give the admin route its own name (e.g. sr-admin.example.org)' }]],
];

describe('edge controls: bad input is a named issue at its spec path', () => {
  it('the base spec is valid', () => {
    expect(parseRegistrySpec(base()).ok).toBe(true);
  });
  it.each(invalid)('%s', (_name, mutate, want) => {
    const s = base();
    mutate(s);
    expect(issuesOf(s)).toEqual(want);
  });
  it('reports the path under spec. for a RegistryDeployment', () => {
    const s = base();
    km(s).issuer = 'http://keycloak.example.org/realms/openg2p';
    const issues = issuesOf({ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev' }, spec: s });
    expect(issues.map((i) => i.path)).toEqual([['spec', 'components', 1, 'exposure', 'auth', 'issuers', 0, 'issuer']]);
  });
});

describe('the OpenG2P social registry preset fills the edge controls', () => {
  const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'sr', release: 'sr' });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const byName = new Map(r.spec.components.map((c) => [c.name, c]));
  it("Odoo's admin paths and the debug parameter on the registry", () => {
    expect(byName.get('registry')?.exposure.adminPaths).toEqual({ paths: ['/web/database/*', '/xmlrpc/2/db', '/xmlrpc/db', '/web/become'], queryParams: ['debug'], reason: ODOO_ADMIN_PATHS.reason });
  });
  it("the key manager's token rule: Keycloak issuer, cookie, KEYMANAGER_ADMIN, in-mesh callers included", () => {
    const auth = byName.get('keymanager')?.exposure.auth;
    expect(auth?.issuers.map((i) => [i.issuer, i.fromCookie, i.audiences])).toEqual([[SR_KEYCLOAK_ISSUER, 'Authorization', ['openg2p-sr-sr']]]);
    expect(auth?.requiredClaims).toEqual([{ claim: 'realm_access.roles', values: ['KEYMANAGER_ADMIN'] }]);
    expect(auth?.inMesh).toBe(true);
  });
});
