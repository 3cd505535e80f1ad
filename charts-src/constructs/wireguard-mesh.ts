import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { IntOrString, KubeNetworkPolicy, type NetworkPolicyPort } from '../imports/k8s.js';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../imports/security.istio.io.js';
import type { Component, RegistrySpec } from '../model/index.js';
import { Annotations } from '../kube.js';
import type { AdminGateway, AdminRoute, WireguardSpec } from '../model/wireguard.js';
import { compareStrings, labelValue, namespaceSelector, principal } from './common.js';

type AdminGatewayPort = AdminGateway['ports'][number];

/**
 * How admin traffic enters the mesh: through the internal Istio ingress gateway only.
 * - Gateway `ward-admin` (gateway namespace): HTTP servers on the admin gateway ports, exactly the
 *   admin route hosts (never "*").
 * - VirtualService `admin-<host>` per route (registry namespace): host → `<service>.<ns>:<port>`.
 * - AuthorizationPolicy `admin-access-<component>` (ALLOW): from the internal gateway's identity to
 *   exactly the routed ports of that component. Identities need mTLS: no exception is made. Only for
 *   components in the registry namespace: ward writes no policy into other teams' namespaces.
 * - NetworkPolicy `ward-admin-from-vpn` (gateway namespace): the internal gateway pods accept only
 *   the VPN gateway's pods, on the gateway ports. NetworkPolicy `admin-access-<component>`: the target
 *   accepts the internal gateway's pods on the routed ports.
 */
export interface AdminMeshAccessProps {
  readonly spec: RegistrySpec;
  readonly wireguard: WireguardSpec;
  /** Pod labels of the WireGuard gateway (the only source the internal gateway accepts). */
  readonly gatewayLabels: Readonly<Record<string, string>>;
}

export const ADMIN_GATEWAY_NAME = 'ward-admin';
export const ADMIN_FROM_VPN_POLICY = 'ward-admin-from-vpn';

/** A route with its target resolved. */
export interface ResolvedRoute {
  readonly route: AdminRoute;
  readonly component: Component;
  readonly namespace: string;
}

/** Routes whose component is declared, sorted by host. */
export function resolveRoutes(spec: RegistrySpec, wg: WireguardSpec): ResolvedRoute[] {
  const byName = new Map(spec.components.map((c) => [c.name, c]));
  return wg.routes
    .flatMap((route) => {
      const component = byName.get(route.component);
      return component === undefined ? [] : [{ route, component, namespace: component.namespace ?? spec.namespace }];
    })
    .sort((a, b) => compareStrings(a.route.host, b.route.host));
}

/** Routed targets grouped by component: (namespace, component) → sorted ports. */
export function routedTargets(routes: readonly ResolvedRoute[]): { component: Component; namespace: string; ports: number[] }[] {
  const byKey = new Map<string, { component: Component; namespace: string; ports: Set<number> }>();
  for (const r of routes) {
    const key = `${r.namespace}/${r.component.name}`;
    const cur = byKey.get(key) ?? { component: r.component, namespace: r.namespace, ports: new Set<number>() };
    cur.ports.add(r.route.port);
    byKey.set(key, cur);
  }
  return [...byKey.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, v]) => ({ ...v, ports: [...v.ports].sort((a, b) => a - b) }));
}

export function hostSlug(host: string): string {
  return labelValue(`admin-${host.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`);
}

/** Plain HTTP on the internal gateway is reachable only through the WireGuard tunnel (encrypted from the admin's machine). */
export const PLAIN_HTTP_WAIVER = 'WARD-AUTHZ-006: internal admin gateway reachable only through the WireGuard tunnel (encrypted from the administrator\'s machine); set spec.wireguard.adminGateway.ports[].credentialName for HTTPS';

/** Waiver of the admin-path rule on admin routes without client certificates (the tunnel is the only way in). */
export const ADMIN_PATHS_TUNNEL_WAIVER = 'WARD-EDGE-001: admin route on the internal admin gateway, reachable only through the WireGuard tunnel; set spec.adminAccess.clientCertificates to require administrators\' client certificates too';

/**
 * A server of the admin gateway: MUTUAL with the administrators' CA and CRL when client certificates
 * are configured (Istio reads tls.crt, tls.key, ca.crt and ca.crl from the credential Secret:
 * istio/istio pilot/pkg/credentials/kube/secrets.go), else SIMPLE with the port's credential, else HTTP.
 */
function server(p: AdminGatewayPort, hosts: readonly string[], clientCredential: string | undefined): Record<string, unknown> {
  if (clientCredential !== undefined) return { port: { number: p.port, name: `https-admin-${String(p.port)}`, protocol: 'HTTPS' }, hosts: [...hosts], tls: { mode: 'MUTUAL', credentialName: clientCredential } };
  if (p.credentialName === undefined) return { port: { number: p.port, name: `http-admin-${String(p.port)}`, protocol: 'HTTP' }, hosts: [...hosts] };
  return { port: { number: p.port, name: `https-admin-${String(p.port)}`, protocol: 'HTTPS' }, hosts: [...hosts], tls: { mode: 'SIMPLE', credentialName: p.credentialName } };
}

/**
 * Response headers on ward's routes: no MIME sniffing, no framing by other sites, no full referrer to
 * other origins, a report-only Content-Security-Policy (frame-ancestors) to learn from before
 * enforcing one; Strict-Transport-Security only where the gateway serves HTTPS (browsers ignore it on
 * plain HTTP). Sources in docs/edge.md.
 */
export function securityHeaders(https: boolean): Record<string, string> {
  return {
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'content-security-policy-report-only': "frame-ancestors 'self'",
  };
}

function tcp(ports: readonly number[]): NetworkPolicyPort[] {
  return ports.map((p) => ({ protocol: 'TCP', port: IntOrString.fromNumber(p) }));
}

export class AdminMeshAccess extends Construct {
  constructor(scope: Construct, id: string, props: AdminMeshAccessProps) {
    super(scope, id);
    const { spec, wireguard: wg } = props;
    const gw = wg.adminGateway;
    const routes = resolveRoutes(spec, wg);
    const gwPeer = { namespaceSelector: namespaceSelector(gw.namespace), podSelector: { matchLabels: { ...gw.selector } } };
    const targetPorts = [...new Set(gw.ports.map((p) => p.targetPort ?? p.port))].sort((a, b) => a - b);
    new KubeNetworkPolicy(this, 'from-vpn', {
      metadata: { name: ADMIN_FROM_VPN_POLICY, namespace: gw.namespace },
      spec: {
        podSelector: { matchLabels: { ...gw.selector } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: namespaceSelector(wg.namespace), podSelector: { matchLabels: { ...props.gatewayLabels } } }], ports: tcp(targetPorts) }],
      },
    });
    if (routes.length === 0) return;
    this.gatewayAndRoutes(spec, wg, routes);
    const gwPrincipal = principal(gw.namespace, gw.serviceAccount);
    // ward writes policies only into the registry namespace: an ALLOW or an Ingress NetworkPolicy on a
    // workload elsewhere would deny everything else that reaches it (its owners must allow the gateway).
    for (const t of routedTargets(routes).filter((r) => r.namespace === spec.namespace)) {
      const name = labelValue(`admin-access-${t.component.name}`);
      new AuthorizationPolicy(this, `authz-${t.namespace}-${t.component.name}`, {
        metadata: { name, namespace: t.namespace },
        spec: {
          action: AuthorizationPolicySpecAction.ALLOW,
          selector: { matchLabels: { ...t.component.selector } },
          rules: [{ from: [{ source: { principals: [gwPrincipal] } }], to: [{ operation: { ports: t.ports.map(String) } }] }],
        },
      });
      new KubeNetworkPolicy(this, `netpol-${t.namespace}-${t.component.name}`, {
        metadata: { name, namespace: t.namespace },
        spec: { podSelector: { matchLabels: { ...t.component.selector } }, policyTypes: ['Ingress'], ingress: [{ from: [gwPeer], ports: tcp(t.ports) }] },
      });
    }
  }

  private gatewayAndRoutes(spec: RegistrySpec, wg: WireguardSpec, routes: readonly ResolvedRoute[]): void {
    const gw = wg.adminGateway;
    const hosts = routes.map((r) => r.route.host);
    const clientCredential = spec.adminAccess?.clientCertificates?.credentialName;
    const plain = clientCredential === undefined && gw.ports.some((p) => p.credentialName === undefined);
    new ApiObject(this, 'gateway', {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: ADMIN_GATEWAY_NAME, namespace: gw.namespace, ...(plain ? { annotations: { [Annotations.waive]: PLAIN_HTTP_WAIVER } } : {}) },
      spec: { selector: { ...gw.selector }, servers: [...gw.ports].sort((a, b) => a.port - b.port).map((p) => server(p, hosts, clientCredential)) },
    });
    for (const r of routes) {
      const service = r.route.service ?? `${spec.release}-${r.component.name}`;
      new ApiObject(this, `vs-${r.route.host}`, {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: hostSlug(r.route.host), namespace: spec.namespace, ...(clientCredential === undefined ? { annotations: { [Annotations.waive]: ADMIN_PATHS_TUNNEL_WAIVER } } : {}) },
        spec: {
          hosts: [r.route.host],
          gateways: [`${gw.namespace}/${ADMIN_GATEWAY_NAME}`],
          http: [{ route: [{ destination: { host: `${service}.${r.namespace}.svc.cluster.local`, port: { number: r.route.servicePort ?? r.route.port } } }], headers: { response: { set: securityHeaders(!plain) } } }],
        },
      });
    }
  }
}
