import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, type AuthorizationPolicySpecRules } from '../imports/security.istio.io.js';
import type { Component, ExposureAuth, JwtIssuer, RegistrySpec } from '../model/index.js';
import { compareStrings, exposedPort, labelValue, localComponents, principal } from './common.js';
import { securityHeaders } from './wireguard-mesh.js';

/**
 * Edge controls of published components (issue 13; Istio facts and sources in docs/edge.md):
 * - AuthorizationPolicy `admin-paths-<component>` (DENY, the component's namespace): its admin paths
 *   from every caller except the admin gateway (and the public gateway when `allowedSources` lets
 *   it through). Istio evaluates DENY before ALLOW, so no ALLOW elsewhere can reopen them.
 * - AuthorizationPolicy `ward-admin-paths-<namespace>-<component>` (DENY, on the public ingress
 *   gateway itself): the admin paths on the component's hosts, refused at the edge; from outside
 *   `allowedSources` only, when they are given (remote address: X-Forwarded-For as far as
 *   `mesh.ingress.trustedProxies` says).
 * - VirtualService `public-<component>` when `exposure.route` is set (ward owns the public route):
 *   admin query parameters (`debug`) and admin paths answered 403 before the route (not with
 *   `allowedSources`: the gateway DENY lets those ranges through, a route cannot tell them apart),
 *   `/` redirected when asked, then the route with the security response headers (HSTS included).
 * - RequestAuthentication `jwt-<component>` for components with `exposure.auth`: which issuers,
 *   keys, audiences and token locations are accepted. It only rejects bad tokens; the ALLOW rules of
 *   mesh.ts (`allowRules`) add `requestPrincipals` and the claim conditions, which make the token
 *   mandatory.
 */
export interface EdgeControlsProps {
  readonly spec: RegistrySpec;
}

export const ADMIN_PATHS_PREFIX = 'admin-paths-';
export const JWT_PREFIX = 'jwt-';
/** Annotation on the gateway DENY: the trusted-proxy count the spec states (numTrustedProxies must match on the gateway). */
export const TRUSTED_PROXIES_ANNOTATION = 'ward.g2p.dev/trusted-proxies';
export const ADMIN_PATHS_ANNOTATION = 'ward.g2p.dev/admin-paths';

/** `<issuer>/*` per issuer: any subject of an accepted issuer (Istio request principal = iss/sub). */
export function requestPrincipals(auth: ExposureAuth): string[] {
  return auth.issuers.map((i) => `${i.issuer}/*`).sort(compareStrings);
}

/** `request.auth.claims[a][b]` conditions for the required claims (Istio's nested-claim syntax). */
export function tokenConditions(auth: ExposureAuth): { key: string; values: string[] }[] {
  return auth.requiredClaims.map((c) => ({ key: `request.auth.claims${c.claim.split('.').map((p) => `[${p}]`).join('')}`, values: [...c.values] }));
}

function jwtRule(i: JwtIssuer): Record<string, unknown> {
  return {
    issuer: i.issuer,
    audiences: [...i.audiences],
    ...(i.jwksUri !== undefined ? { jwksUri: i.jwksUri } : {}),
    ...(i.jwks !== undefined ? { jwks: i.jwks } : {}),
    ...(i.fromHeader !== undefined ? { fromHeaders: [{ name: i.fromHeader.name, ...(i.fromHeader.prefix !== undefined ? { prefix: i.fromHeader.prefix } : {}) }] } : {}),
    ...(i.fromCookie !== undefined ? { fromCookies: [i.fromCookie] } : {}),
    // The component checks the token itself too (the MOSIP key manager does): keep it on the request.
    forwardOriginalToken: true,
  };
}

/** Principals that may still use admin paths on the workload: the admin gateway, and the public gateway when allowedSources filter it there. */
export function adminPathExemptions(spec: RegistrySpec, c: Component): string[] {
  const out: string[] = [];
  const wg = spec.wireguard;
  if (wg?.enabled === true && wg.routes.some((r) => r.component === c.name)) out.push(principal(wg.adminGateway.namespace, wg.adminGateway.serviceAccount));
  if ((c.exposure.allowedSources ?? []).length > 0) out.push(principal(spec.mesh.ingressGateway.namespace, spec.mesh.ingressGateway.serviceAccount));
  return out.sort(compareStrings);
}

/** Host names as Istio authorization sees them: also with a port (Host: name:443). */
function hostForms(hosts: readonly string[]): string[] {
  return hosts.flatMap((h) => [h, `${h}:*`]);
}

/**
 * The 403 entries in front of a public route: a query-parameter match per admin parameter (any value,
 * present: `regex: ".*"`; istio/api networking/v1alpha3/virtual_service.proto HTTPMatchRequest
 * query_params) and the admin paths (prefix or exact). None with allowedSources (see above).
 */
export function adminRouteEntries(c: Component): Record<string, unknown>[] {
  const admin = c.exposure.adminPaths;
  if (admin === undefined || (c.exposure.allowedSources ?? []).length > 0) return [];
  const out: Record<string, unknown>[] = [];
  if (admin.queryParams.length > 0) out.push({ name: 'admin-query', match: admin.queryParams.map((q) => ({ queryParams: { [q]: { regex: '.*' } } })), directResponse: { status: 403 } });
  if (admin.paths.length > 0) out.push({ name: 'admin-paths', match: admin.paths.map((p) => ({ uri: p.endsWith('*') ? { prefix: p.slice(0, -1) } : { exact: p } })), directResponse: { status: 403 } });
  return out;
}

export class EdgeControls extends Construct {
  constructor(scope: Construct, id: string, props: EdgeControlsProps) {
    super(scope, id);
    const { spec } = props;
    for (const c of localComponents(spec)) {
      const admin = c.exposure.adminPaths;
      if (admin !== undefined && admin.paths.length > 0 && c.exposure.type === 'ingress') this.adminPaths(spec, c, admin.paths, admin.reason);
      if (c.exposure.auth !== undefined) this.requestAuthentication(spec, c, c.exposure.auth);
      if (c.exposure.route !== undefined && c.exposure.type === 'ingress') this.publicRoute(spec, c);
    }
  }

  private adminPaths(spec: RegistrySpec, c: Component, paths: readonly string[], reason: string | undefined): void {
    const exempt = adminPathExemptions(spec, c);
    const annotations = { [ADMIN_PATHS_ANNOTATION]: reason ?? 'administrative paths of the component' };
    const workloadRule: AuthorizationPolicySpecRules = { ...(exempt.length > 0 ? { from: [{ source: { notPrincipals: exempt } }] } : {}), to: [{ operation: { paths: [...paths] } }] };
    new AuthorizationPolicy(this, `${ADMIN_PATHS_PREFIX}${c.name}`, {
      metadata: { name: labelValue(`${ADMIN_PATHS_PREFIX}${c.name}`), namespace: spec.namespace, annotations },
      spec: { action: AuthorizationPolicySpecAction.DENY, selector: { matchLabels: { ...c.selector } }, rules: [workloadRule] },
    });
    const gw = spec.mesh.ingressGateway;
    const sources = c.exposure.allowedSources ?? [];
    const gatewayRule: AuthorizationPolicySpecRules = {
      ...(sources.length > 0 ? { from: [{ source: { notRemoteIpBlocks: [...sources] } }] } : {}),
      to: [{ operation: { hosts: hostForms(c.exposure.hosts), paths: [...paths] } }],
    };
    const trusted = spec.mesh.ingress.trustedProxies;
    new AuthorizationPolicy(this, `gateway-${ADMIN_PATHS_PREFIX}${c.name}`, {
      metadata: {
        name: labelValue(`ward-${ADMIN_PATHS_PREFIX}${spec.namespace}-${c.name}`),
        namespace: gw.namespace,
        annotations: { ...annotations, ...(sources.length > 0 && trusted !== undefined ? { [TRUSTED_PROXIES_ANNOTATION]: String(trusted) } : {}) },
      },
      spec: { action: AuthorizationPolicySpecAction.DENY, selector: { matchLabels: { ...gw.selector } }, rules: [gatewayRule] },
    });
  }

  private publicRoute(spec: RegistrySpec, c: Component): void {
    const route = c.exposure.route;
    const port = route?.servicePort ?? exposedPort(c)?.port;
    if (route === undefined || port === undefined) return;
    const service = route.service ?? `${spec.release}-${c.name}`;
    new ApiObject(this, `public-${c.name}`, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: labelValue(`public-${c.name}`), namespace: spec.namespace },
      spec: {
        hosts: [...c.exposure.hosts],
        gateways: [route.gateway],
        http: [
          ...adminRouteEntries(c),
          ...(route.rootRedirect !== undefined ? [{ name: 'root', match: [{ uri: { exact: '/' } }], redirect: { uri: route.rootRedirect } }] : []),
          {
            name: 'public',
            route: [{ destination: { host: `${service}.${spec.namespace}.svc.cluster.local`, port: { number: port } } }],
            // x-forwarded-host as the SR chart's own route sets it, where the route has one host.
            headers: { request: { set: { ...(c.exposure.hosts.length === 1 ? { 'x-forwarded-host': c.exposure.hosts[0] } : {}), 'x-forwarded-proto': 'https' } }, response: { set: securityHeaders(true) } },
          },
        ],
      },
    });
  }

  private requestAuthentication(spec: RegistrySpec, c: Component, auth: ExposureAuth): void {
    // A plain ApiObject: the generated class writes jwksUri as its alias jwks_uri (both are in Istio's
    // CRD; the canonical name is jwksUri, which the checks and readers expect).
    new ApiObject(this, `${JWT_PREFIX}${c.name}`, {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: { name: labelValue(`${JWT_PREFIX}${c.name}`), namespace: spec.namespace },
      spec: { selector: { matchLabels: { ...c.selector } }, jwtRules: auth.issuers.map(jwtRule) },
    });
  }
}
