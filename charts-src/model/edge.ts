import { z } from 'zod';
import { dnsSubdomainName } from './kube-names.js';

/**
 * Edge controls of a RegistryDeployment (issue 13): per exposed component the paths only
 * administrators may use (`exposure.adminPaths`), the address ranges they may use them from on the
 * public gateway (`exposure.allowedSources`), the OIDC token rule (`exposure.auth`); the number of
 * proxies in front of the public gateway (`mesh.ingress.trustedProxies`) and the administrators'
 * client certificates on the admin gateway (`adminAccess.clientCertificates`). Cross-field rules are
 * in edge-validate.ts. Defined locally (not importing schema.ts) to keep the module graph acyclic.
 * The Istio facts behind each field are in docs/edge.md with their sources.
 */

/**
 * An Istio AuthorizationPolicy path: exact (`/xmlrpc/2/db`) or a prefix ending in `*`
 * (`/web/database/*`). Istio matches `paths` against the path without the query string
 * (istio/api security/v1beta1/authorization_policy.proto, Operation.paths), so a query parameter
 * belongs in `queryParams`.
 */
export const adminPathPattern = z.string().superRefine((p, ctx) => {
  if (!p.startsWith('/')) ctx.addIssue({ code: 'custom', message: `path "${p}" must start with "/", e.g. /web/database/*` });
  else if (p.includes('?')) ctx.addIssue({ code: 'custom', message: `path "${p}" holds a query string: Istio matches paths without it; list the parameter in queryParams instead` });
  else if (p.slice(0, -1).includes('*')) ctx.addIssue({ code: 'custom', message: `path "${p}" has "*" before its end: Istio takes an exact path or a prefix ending in "*", e.g. /web/database/*` });
});

export const adminPathsSchema = z.strictObject({
    paths: z.array(adminPathPattern).default([]).describe('Paths only administrators may use: exact (/xmlrpc/2/db) or a prefix ending in "*" (/web/database/*). Denied through the public ingress gateway, allowed through the admin gateway.'),
    queryParams: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'must be a query parameter name such as "debug"' })).default([]).describe('Query parameters only administrators may use (Odoo: "debug"). Istio authorization cannot see the query string: documented for the route owner and audited (docs/edge.md).'),
    reason: z.string().min(1).optional().describe('Where the list comes from (shown in the policy annotation), e.g. "Odoo 17 database manager and RPC db service".'),
  })
  .describe('Administrative paths of a published component.');

/** A URL; https is checked in edge-validate.ts (IssueCode.InsecureUrl). */
const url = z.url({ message: 'must be a URL such as https://keycloak.example.org/realms/openg2p' });

export const jwtIssuerSchema = z.strictObject({
    issuer: url.describe('Token issuer (the "iss" claim), https, e.g. https://keycloak.example.org/realms/openg2p.'),
    jwksUri: url.optional().describe('Where the signing keys are read; https, or http to an in-cluster Service (…svc.cluster.local). Default: OpenID discovery from the issuer.'),
    jwks: z.string().optional().describe('Signing keys inline, as a JWKS JSON document ({"keys": [...]}; public keys only).'),
    audiences: z.array(z.string().min(1)).min(1, { message: 'must list at least one audience: without one Istio accepts a token issued for any client' }).describe('Accepted "aud" values (at least one).'),
    fromHeader: z.strictObject({
      name: z.string().min(1).describe('Header name, e.g. Authorization.'),
      prefix: z.string().optional().describe('Prefix before the token, e.g. "Bearer ".'),
    }).optional().describe('Read the token from this header (default: Authorization: Bearer).'),
    fromCookie: z.string().min(1).optional().describe('Read the token from this cookie (the MOSIP key manager takes Cookie: Authorization=<jwt>).'),
  })
  .describe('One accepted token issuer (an Istio RequestAuthentication jwtRule).');

export const requiredClaimSchema = z.strictObject({
    claim: z.string().regex(/^[A-Za-z0-9_:-]+(\.[A-Za-z0-9_:-]+)*$/, { message: 'must be a claim name, nested with ".", e.g. realm_access.roles' }).describe('Claim name; nested claims with ".", e.g. realm_access.roles.'),
    values: z.array(z.string().min(1)).min(1).describe('The claim must hold one of these values (a list claim: contain one), e.g. KEYMANAGER_ADMIN.'),
  })
  .describe('A claim the token must carry.');

export const exposureAuthSchema = z.strictObject({
    issuers: z.array(jwtIssuerSchema).min(1, { message: 'must list at least one issuer' }).describe('Accepted token issuers.'),
    requiredClaims: z.array(requiredClaimSchema).default([]).describe('Claims every accepted token must carry.'),
    inMesh: z.boolean().default(false).describe('Also require the token from in-mesh callers (the declared flows into this component), not only through the ingress gateway.'),
  })
  .describe('OIDC tokens this component requires: a RequestAuthentication plus ALLOW rules requiring a request principal (a RequestAuthentication alone lets requests without a token through).');

const label = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: 'must be a DNS-1123 label such as sr-odoo' });

export const publicRouteSchema = z.strictObject({
    gateway: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: 'must be a Gateway as "name" (the component\'s namespace) or "namespace/name", e.g. istio-system/public' }).describe('The Istio Gateway the public route binds to: "name" in the component\'s namespace (the SR chart\'s "internal") or "namespace/name".'),
    service: label.optional().describe('Kubernetes Service of the component; defaults to "<release>-<component>".'),
    servicePort: z.number().int().min(1).max(65535).optional().describe('Service port; defaults to exposure.port.'),
    rootRedirect: z.string().regex(/^\/\S*$/, { message: 'must be a path such as /web' }).optional().describe('Redirect "/" to this path (Odoo: /web), as the SR chart\'s own route does.'),
  })
  .describe('ward owns the public route (a VirtualService): admin query parameters and paths answered 403 before the route, security response headers on it. Turn the chart\'s own VirtualService off.');

export const meshIngressSchema = z.strictObject({
    trustedProxies: z.number().int().min(0).max(10).optional().describe('Proxies in front of the public ingress gateway that append X-Forwarded-For (OpenG2P\'s Nginx: 1; a cloud load balancer passing the client address: 0). Required with exposure.allowedSources: without it every client looks like the proxy. Set on the gateway as numTrustedProxies (docs/edge.md).'),
  })
  .describe('The public ingress path in front of the ingress gateway.');

export const clientCertificatesSchema = z.strictObject({
    credentialName: dnsSubdomainName.describe('Secret in the admin gateway\'s namespace holding tls.crt, tls.key (the server certificate), ca.crt (the administrators\' CA) and ca.crl (its revocation list); `ward admin-cert revoke` prints its update. Never read into the spec.'),
  })
  .describe('Administrators\' client certificates: the admin gateway runs TLS MUTUAL and checks the CA and the CRL.');

export const adminAccessSchema = z.strictObject({
    clientCertificates: clientCertificatesSchema.optional(),
  })
  .describe('How administrators prove who they are at the admin gateway (wireguard.adminGateway).');

export type AdminPaths = z.output<typeof adminPathsSchema>;
export type ExposureAuth = z.output<typeof exposureAuthSchema>;
export type JwtIssuer = ExposureAuth['issuers'][number];
export type AdminAccess = z.output<typeof adminAccessSchema>;
