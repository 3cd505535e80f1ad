import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpecInput } from '../../../charts-src/model/index.js';
import { SR_KEYCLOAK_ISSUER } from '../../../charts-src/model/presets/openg2p-social-registry.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { runCheck } from '../../../policies/engine.js';
import { builtinProfile } from '../../../policies/profiles.js';
import { wgSpec } from '../wireguard/fixtures.js';
import { NOW } from '../policies/helpers.js';

function synth(input: RegistrySpecInput): KubeObject[] {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return synthesize(r.spec);
}

type Spec = { rules?: { from?: unknown }[] } & Record<string, unknown>;
const specOf = (o: KubeObject): Spec => (o.spec ?? {}) as Spec;

function get(objects: readonly KubeObject[], kind: string, namespace: string, name: string): KubeObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.namespace === namespace && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${namespace}/${name} in ${objects.map((x) => `${x.kind} ${x.metadata.namespace ?? ''}/${x.metadata.name}`).join(', ')}`);
  return o;
}

const ODOO_PATHS = ['/web/database/*', '/xmlrpc/2/db', '/xmlrpc/db', '/web/become'];
const SR = { preset: 'openg2p-social-registry', namespace: 'sr', release: 'sr' } as const;
const ADMIN_GW = 'cluster.local/ns/istio-system/sa/istio-internal-ingressgateway-service-account';
const PUBLIC_GW = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

/** The wireguard test spec with the registry published and Odoo's admin paths declared. */
function published(extra: { allowedSources?: string[]; trustedProxies?: number; clientCertificates?: boolean } = {}): RegistrySpecInput {
  const s = wgSpec() as Record<string, unknown> & { components: Record<string, unknown>[] };
  s.components[0] = { ...s.components[0], exposure: { type: 'ingress', hosts: ['sr.example.org'], adminPaths: { paths: ODOO_PATHS }, ...(extra.allowedSources ? { allowedSources: extra.allowedSources } : {}) } };
  if (extra.trustedProxies !== undefined) s.mesh = { ingress: { trustedProxies: extra.trustedProxies } };
  if (extra.clientCertificates === true) s.adminAccess = { clientCertificates: { credentialName: 'ward-admin-clients' } };
  return s as RegistrySpecInput;
}

describe('admin paths: denied through the public gateway, allowed through the admin gateway', () => {
  it('the SR preset denies Odoo\'s admin paths on the registry to every caller when there is no admin gateway', () => {
    const ap = get(synth(SR), 'AuthorizationPolicy', 'sr', 'admin-paths-registry');
    expect(ap.spec).toEqual({ action: 'DENY', selector: { matchLabels: { 'app.kubernetes.io/instance': 'sr', 'app.kubernetes.io/name': 'odoo' } }, rules: [{ to: [{ operation: { paths: ODOO_PATHS } }] }] });
  });

  it('the SR preset also denies them on the public ingress gateway for the registry\'s host (with and without a port)', () => {
    const ap = get(synth(SR), 'AuthorizationPolicy', 'istio-system', 'ward-admin-paths-sr-registry');
    expect(ap.spec).toEqual({ action: 'DENY', selector: { matchLabels: { istio: 'ingressgateway' } }, rules: [{ to: [{ operation: { hosts: ['socialregistry.openg2p.sandbox.net', 'socialregistry.openg2p.sandbox.net:*'], paths: ODOO_PATHS } }] }] });
  });

  it('with an admin route to the component, the admin gateway alone is exempt', () => {
    const objects = synth(published());
    expect(specOf(get(objects, 'AuthorizationPolicy', 'dev', 'admin-paths-registry')).rules).toEqual([{ from: [{ source: { notPrincipals: [ADMIN_GW] } }], to: [{ operation: { paths: ODOO_PATHS } }] }]);
    // The admin gateway's own ALLOW admits every path of the routed port.
    expect(specOf(get(objects, 'AuthorizationPolicy', 'dev', 'admin-access-registry')).rules).toEqual([{ from: [{ source: { principals: [ADMIN_GW] } }], to: [{ operation: { ports: ['8069'] } }] }]);
  });

  it('allowedSources move the address check to the public gateway and record the trusted-proxy count', () => {
    const objects = synth(published({ allowedSources: ['198.51.100.0/24'], trustedProxies: 1 }));
    const gw = get(objects, 'AuthorizationPolicy', 'istio-system', 'ward-admin-paths-dev-registry');
    expect(gw.metadata.annotations?.['ward.g2p.dev/trusted-proxies']).toBe('1');
    expect(specOf(gw).rules).toEqual([{ from: [{ source: { notRemoteIpBlocks: ['198.51.100.0/24'] } }], to: [{ operation: { hosts: ['sr.example.org', 'sr.example.org:*'], paths: ODOO_PATHS } }] }]);
    expect(specOf(get(objects, 'AuthorizationPolicy', 'dev', 'admin-paths-registry')).rules?.[0]?.from).toEqual([{ source: { notPrincipals: [ADMIN_GW, PUBLIC_GW].sort() } }]);
  });
});

describe('tokens required where the spec says', () => {
  const objects = synth(SR);
  it('the key manager gets a RequestAuthentication reading the Keycloak token from the Authorization cookie', () => {
    expect(get(objects, 'RequestAuthentication', 'sr', 'jwt-keymanager').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'sr', 'app.kubernetes.io/name': 'keymanager' } },
      jwtRules: [{ issuer: SR_KEYCLOAK_ISSUER, audiences: ['openg2p-sr-sr'], jwksUri: 'http://keycloak.keycloak.svc.cluster.local/realms/master/protocol/openid-connect/certs', fromCookies: ['Authorization'], forwardOriginalToken: true }],
    });
  });
  it('and its ALLOW rule for the registry requires a request principal of that issuer and the KEYMANAGER_ADMIN role', () => {
    expect(specOf(get(objects, 'AuthorizationPolicy', 'sr', 'allow-keymanager')).rules).toEqual([{
      from: [{ source: { principals: ['cluster.local/ns/sr/sa/sr-odoo'], requestPrincipals: [`${SR_KEYCLOAK_ISSUER}/*`] } }],
      to: [{ operation: { ports: ['8088'] } }],
      when: [{ key: 'request.auth.claims[realm_access][roles]', values: ['KEYMANAGER_ADMIN'] }],
    }]);
  });
  it('a published component without inMesh requires the token from the ingress gateway only', () => {
    const s = published() as Record<string, unknown> & { components: Record<string, unknown>[]; flows?: unknown[] };
    (s.components[0]!.exposure as Record<string, unknown>).auth = { issuers: [{ issuer: 'https://esignet.example.org/v1/esignet', audiences: ['sr-portal'] }] };
    s.flows = [{ from: 'minio', to: { component: 'registry' }, ports: [{ port: 8069 }] }];
    const rules = specOf(get(synth(s as RegistrySpecInput), 'AuthorizationPolicy', 'dev', 'allow-registry')).rules;
    expect(rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/dev/sa/minio'] } }], to: [{ operation: { ports: ['8069'] } }] },
      { from: [{ source: { principals: [PUBLIC_GW], requestPrincipals: ['https://esignet.example.org/v1/esignet/*'] } }], to: [{ operation: { ports: ['8069'] } }] },
    ]);
  });
});

describe('the admin gateway with client certificates', () => {
  it('runs every server in MUTUAL mode with the CA/CRL credential and drops the tunnel waivers', () => {
    const objects = synth(published({ clientCertificates: true }));
    const gw = get(objects, 'Gateway', 'istio-system', 'ward-admin');
    expect((gw.spec as { servers: unknown[] }).servers).toEqual([{ port: { number: 80, name: 'https-admin-80', protocol: 'HTTPS' }, hosts: ['minio-console.internal', 'registry-admin.internal'], tls: { mode: 'MUTUAL', credentialName: 'ward-admin-clients' } }]);
    expect(gw.metadata.annotations).toBeUndefined();
    const vs = get(objects, 'VirtualService', 'dev', 'admin-registry-admin-internal');
    expect(vs.metadata.annotations).toBeUndefined();
    // HTTPS now: the route sets HSTS along with the other security headers.
    expect((vs.spec as { http: { headers: unknown }[] }).http[0]?.headers).toEqual({ response: { set: {
      'strict-transport-security': 'max-age=31536000; includeSubDomains', 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN',
      'referrer-policy': 'strict-origin-when-cross-origin', 'content-security-policy-report-only': "frame-ancestors 'self'",
    } } });
  });
  it('without them the admin routes carry the WireGuard waiver of WARD-EDGE-001', () => {
    const vs = get(synth(published()), 'VirtualService', 'dev', 'admin-registry-admin-internal');
    expect(vs.metadata.annotations?.['ward.g2p.dev/waive']).toMatch(/^WARD-EDGE-001: admin route on the internal admin gateway, reachable only through the WireGuard tunnel/);
  });
});

describe('a public route owned by ward (exposure.route)', () => {
  const withRoute = (): RegistrySpecInput => {
    const s = published() as Record<string, unknown> & { components: Record<string, unknown>[] };
    const exposure = s.components[0]!.exposure as Record<string, unknown>;
    s.components[0] = { ...s.components[0], exposure: { ...exposure, adminPaths: { paths: ODOO_PATHS, queryParams: ['debug'] }, route: { gateway: 'internal', service: 'sr-odoo', servicePort: 80, rootRedirect: '/web' } } };
    return s as RegistrySpecInput;
  };
  it('answers the debug parameter and the admin paths 403 before the route, redirects /, and sets the security headers', () => {
    const vs = get(synth(withRoute()), 'VirtualService', 'dev', 'public-registry');
    expect(vs.spec).toEqual({
      hosts: ['sr.example.org'],
      gateways: ['internal'],
      http: [
        { name: 'admin-query', match: [{ queryParams: { debug: { regex: '.*' } } }], directResponse: { status: 403 } },
        { name: 'admin-paths', match: [{ uri: { prefix: '/web/database/' } }, { uri: { exact: '/xmlrpc/2/db' } }, { uri: { exact: '/xmlrpc/db' } }, { uri: { exact: '/web/become' } }], directResponse: { status: 403 } },
        { name: 'root', match: [{ uri: { exact: '/' } }], redirect: { uri: '/web' } },
        { name: 'public', route: [{ destination: { host: 'sr-odoo.dev.svc.cluster.local', port: { number: 80 } } }], headers: { request: { set: { 'x-forwarded-host': 'sr.example.org', 'x-forwarded-proto': 'https' } }, response: { set: {
          'strict-transport-security': 'max-age=31536000; includeSubDomains', 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN',
          'referrer-policy': 'strict-origin-when-cross-origin', 'content-security-policy-report-only': "frame-ancestors 'self'",
        } } } },
      ],
    });
  });
  it('passes the strict profile, and next to a real Odoo Deployment and Service WARD-EDGE-001 finds nothing open', () => {
    const odoo: KubeObject[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'sr-odoo', namespace: 'dev' }, spec: { template: { metadata: { labels: { app: 'odoo' } }, spec: { serviceAccountName: 'odoo', containers: [{ name: 'odoo', image: 'openg2p/openg2p-social-registry-odoo-package:1.3.1' }] } } } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sr-odoo', namespace: 'dev' }, spec: { selector: { app: 'odoo' }, ports: [{ port: 80, targetPort: 8069 }] } },
    ];
    const objects = synth(withRoute());
    expect(runCheck({ objects, profile: builtinProfile('strict'), now: NOW }).findings.filter((f) => !f.suppressed).map((f) => f.ruleId)).toEqual([]);
    // Without ward's admin-path DENY only the route's 403 entries stand between the gateway and Odoo: still closed.
    const routeOnly = objects.filter((o) => !(o.kind === 'AuthorizationPolicy' && o.metadata.name.includes('admin-paths')));
    expect(runCheck({ objects: [...routeOnly, ...odoo], profile: builtinProfile('strict'), now: NOW }).findings.filter((f) => f.ruleId === 'WARD-EDGE-001' && f.object.name === 'public-registry')).toEqual([]);
    // And the check does see this route reach Odoo: without the 403 entries it fires.
    const bare = routeOnly.map((o) => (o.kind === 'VirtualService' && o.metadata.name === 'public-registry' ? { ...o, spec: { ...(o.spec as object), http: (o.spec as { http: { name: string }[] }).http.filter((h) => h.name === 'public') } } : o));
    expect(runCheck({ objects: [...bare, ...odoo], profile: builtinProfile('strict'), now: NOW }).findings.filter((f) => f.ruleId === 'WARD-EDGE-001').map((f) => f.object.name)).toEqual(['public-registry']);
  });
  it('a route on an unpublished component is refused', () => {
    const r = parseRegistrySpec({ namespace: 'dev', components: [{ name: 'km', selector: { app: 'km' }, serviceAccount: 'km', ports: [{ name: 'http', port: 8088 }], exposure: { type: 'none', route: { gateway: 'internal' } } }] });
    expect(r.ok ? [] : r.issues).toEqual([{ code: 'missing_dependency', path: ['components', 0, 'exposure', 'route'], message: 'component "km" is not published (exposure.type "none"): a public route needs exposure.type ingress and its hosts' }]);
  });
});

describe("ward's edge output passes the strict profile", () => {
  it.each([
    ['admin paths with an admin route', published()],
    ['allowed sources with trusted proxies', published({ allowedSources: ['198.51.100.0/24'], trustedProxies: 1 })],
    ['client certificates on the admin gateway', published({ clientCertificates: true })],
  ] as const)('%s: zero unwaived findings', (_n, input) => {
    const result = runCheck({ objects: synth(input), profile: builtinProfile('strict'), now: NOW });
    expect(result.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
  });
});
