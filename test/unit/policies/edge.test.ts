import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { parseText } from '../../../policies/load/parse.js';
import * as EDGE from '../../../policies/rules/edge.js';
import { rules } from '../../../policies/rules/index.js';
import { missingPrereq } from '../../support/prereq.js';
import { summarise, type Case } from './helpers.js';

/** Odoo as the SR chart runs it: Deployment, Service (80 → 8069), the chart's VirtualService on gateway "internal". */
const ODOO = `apiVersion: apps/v1
kind: Deployment
metadata: {name: sr-odoo, namespace: sr}
spec:
  template:
    metadata:
      labels: {app.kubernetes.io/name: odoo}
    spec:
      serviceAccountName: sr-odoo
      containers: [{name: odoo, image: "docker.io/openg2p/openg2p-social-registry-odoo-package:1.3.1", ports: [{containerPort: 8069, name: http}]}]
---
apiVersion: v1
kind: Service
metadata: {name: sr-odoo, namespace: sr}
spec:
  selector: {app.kubernetes.io/name: odoo}
  ports: [{name: http, port: 80, targetPort: http}]
`;
const vs = (gateway: string, http: string): string => `---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: sr-registry, namespace: sr}
spec:
  hosts: [sr.example.org]
  gateways: [${gateway}]
  http:
${http}
`;
const ROUTE_ALL = '    - match: [{uri: {prefix: /}}]\n      route: [{destination: {host: sr-odoo, port: {number: 80}}}]';
const DB_FIRST = '    - match: [{uri: {prefix: /web/database}}]\n      directResponse: {status: 403}\n' + ROUTE_ALL;
const ap = (name: string, ns: string, spec: string): string => `---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: ${ns}}\nspec:\n${spec}\n`;
const DENY_ALL_ADMIN = ap('admin-paths-registry', 'sr', '  action: DENY\n  selector: {matchLabels: {app.kubernetes.io/name: odoo}}\n  rules:\n    - to: [{operation: {paths: ["/web/database/*", /xmlrpc/2/db, /xmlrpc/db, /web/become]}}]');
const DENY_DB_ONLY = ap('deny-db', 'sr', '  action: DENY\n  selector: {matchLabels: {app.kubernetes.io/name: odoo}}\n  rules:\n    - to: [{operation: {paths: ["/web/database/*"]}}]');
const GATEWAY = (tls: string, ns = 'istio-system', name = 'public'): string => `---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: [sr.example.org]
      tls: ${tls}
`;
const GW_POD = (annotations = ''): string => `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  template:
    metadata:
      labels: {istio: ingressgateway}${annotations}
    spec:
      serviceAccountName: istio-ingressgateway-service-account
      containers: [{name: istio-proxy, image: "istio/proxyv2:1.24.2"}]
`;
const ODOO_MSG = (probes: string, gateway: string, i = 0): string => `VirtualService sr/sr-registry http[${String(i)}] sends Odoo's admin paths (${probes}) from gateway ${gateway}, which requires no client certificate, to Deployment sr/sr-odoo; no DENY AuthorizationPolicy refuses them`;
const ALL_PROBES = '/web/database/manager, /web/database/selector, /web/database/list, /web/database/create and 7 more';
const REMOTE_IP = ap('office-only', 'istio-system', '  action: DENY\n  selector: {matchLabels: {istio: ingressgateway}}\n  rules:\n    - from: [{source: {notRemoteIpBlocks: [198.51.100.0/24]}}]\n      to: [{operation: {paths: ["/web/database/*"]}}]');
const RA = (jwt = '    - issuer: https://keycloak.example.org/realms/master\n      audiences: [sr]'): string => `---\napiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: jwt-keymanager, namespace: sr}\nspec:\n  selector: {matchLabels: {app: km}}\n  jwtRules:\n${jwt}\n`;
const KM_ALLOW = (source: string): string => ap('allow-keymanager', 'sr', `  action: ALLOW\n  selector: {matchLabels: {app: km}}\n  rules:\n    - from: [{source: ${source}}]`);
const SECRET = (keys: string): string => `---\napiVersion: v1\nkind: Secret\nmetadata: {name: admin-clients, namespace: istio-system}\nstringData: {${keys}}\n`;
/** The outer shape of a CertificateList (SEQUENCE of 3 bytes), in PEM: what the loader checks (a CRL openssl writes is checked by test/system/admin-cert.test.ts). */
const CRL_PEM = `-----BEGIN X509 CRL-----\\n${Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]).toString('base64')}\\n-----END X509 CRL-----`;
const MUTUAL = GATEWAY('{mode: MUTUAL, credentialName: admin-clients}', 'istio-system', 'ward-admin');

const table: Record<string, Case[]> = {
  [EDGE.EDGE_ADMIN_PATHS_PUBLIC]: [
    { name: 'fails the SR chart\'s route of everything to Odoo through a gateway not in the input', yaml: ODOO + vs('internal', ROUTE_ALL),
      expect: [{ severity: 'high', message: ODOO_MSG(ALL_PROBES, 'sr/internal (not in the input)'), at: '- match: [{uri: {prefix: /}}]' }] },
    { name: 'passes when a DENY on the Odoo workload refuses every admin path (ward synth\'s admin-paths policy)', yaml: ODOO + vs('internal', ROUTE_ALL) + DENY_ALL_ADMIN, expect: [] },
    { name: 'fails with the paths a partial DENY leaves open', yaml: ODOO + vs('internal', ROUTE_ALL) + DENY_DB_ONLY,
      expect: [{ severity: 'high', message: ODOO_MSG('/xmlrpc/2/db, /xmlrpc/db, /web/become', 'sr/internal (not in the input)'), at: '- match: [{uri: {prefix: /}}]' }] },
    { name: 'counts an earlier direct response of the route (the database manager answered 403 by the route)', yaml: ODOO + vs('internal', DB_FIRST),
      expect: [{ severity: 'high', message: ODOO_MSG('/xmlrpc/2/db, /xmlrpc/db, /web/become', 'sr/internal (not in the input)', 1), at: '- match: [{uri: {prefix: /}}]' }] },
    { name: 'passes a gateway that requires client certificates (MUTUAL)', yaml: ODOO + GATEWAY('{mode: MUTUAL, credentialName: admin-clients}') + vs('istio-system/public', ROUTE_ALL), expect: [] },
    { name: 'fails a DENY that exempts the very gateway the route uses', yaml: ODOO + GATEWAY('{mode: SIMPLE, credentialName: sr-cert}') + GW_POD() + vs('istio-system/public', ROUTE_ALL)
        + ap('admin-paths-registry', 'sr', '  action: DENY\n  selector: {matchLabels: {app.kubernetes.io/name: odoo}}\n  rules:\n    - from: [{source: {notPrincipals: [cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account]}}]\n      to: [{operation: {paths: ["/web/database/*", /xmlrpc/2/db, /xmlrpc/db, /web/become]}}]'),
      expect: [{ severity: 'high', message: ODOO_MSG(ALL_PROBES, 'istio-system/public'), at: '- match: [{uri: {prefix: /}}]' }] },
    { name: 'passes a DENY on the public gateway itself for the host', yaml: ODOO + GATEWAY('{mode: SIMPLE, credentialName: sr-cert}') + GW_POD() + vs('istio-system/public', ROUTE_ALL)
        + ap('ward-admin-paths-sr-registry', 'istio-system', '  action: DENY\n  selector: {matchLabels: {istio: ingressgateway}}\n  rules:\n    - to: [{operation: {hosts: [sr.example.org, "sr.example.org:*"], paths: ["/web/database/*", /xmlrpc/2/db, /xmlrpc/db, /web/become]}}]'), expect: [] },
    { name: 'passes a route to something that is not Odoo', yaml: ODOO.replace('openg2p-social-registry-odoo-package', 'minio') + vs('internal', ROUTE_ALL), expect: [] },
    { name: 'passes an in-mesh route (gateways: [mesh])', yaml: ODOO + vs('mesh', ROUTE_ALL), expect: [] },
  ],
  [EDGE.EDGE_REMOTE_IP_UNTRUSTED]: [
    { name: 'fails remoteIpBlocks on a gateway that trusts no proxy', yaml: GW_POD() + REMOTE_IP,
      expect: [{ severity: 'high', message: 'AuthorizationPolicy istio-system/office-only matches client addresses (remoteIpBlocks) on Deployment istio-system/istio-ingressgateway, which trusts no proxy (no numTrustedProxies in proxy.istio.io/config or the mesh config): behind a proxy every client has the proxy\'s address', at: 'rules:' }] },
    { name: 'passes with the proxy.istio.io/config annotation', yaml: GW_POD('\n      annotations: {proxy.istio.io/config: \'{"gatewayTopology": {"numTrustedProxies": 1}}\'}') + REMOTE_IP, expect: [] },
    { name: 'passes with the mesh config setting', yaml: GW_POD() + REMOTE_IP + '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: istio, namespace: istio-system}\ndata:\n  mesh: |\n    defaultConfig:\n      gatewayTopology:\n        numTrustedProxies: 1\n', expect: [] },
    { name: 'passes when the gateway pods are not in the input (ward\'s own output)', yaml: REMOTE_IP, expect: [] },
  ],
  [EDGE.EDGE_TOKEN_OPTIONAL]: [
    { name: 'fails a RequestAuthentication alone', yaml: RA(),
      expect: [{ severity: 'high', message: 'RequestAuthentication sr/jwt-keymanager validates tokens for the pods it selects, but requests without a token still pass: no AuthorizationPolicy requires a request principal', at: 'apiVersion: security.istio.io/v1' }] },
    { name: 'passes with an ALLOW requiring requestPrincipals', yaml: RA() + KM_ALLOW('{principals: [cluster.local/ns/sr/sa/sr-odoo], requestPrincipals: ["https://keycloak.example.org/realms/master/*"]}'), expect: [] },
    { name: 'fails an ALLOW rule admitting callers without a token', yaml: RA() + KM_ALLOW('{principals: [cluster.local/ns/sr/sa/sr-odoo]}'),
      expect: [{ severity: 'high', message: 'RequestAuthentication sr/jwt-keymanager validates tokens for the pods it selects, but requests without a token still pass: AuthorizationPolicy allow-keymanager rule 0 admits callers without one', at: 'apiVersion: security.istio.io/v1' }] },
    { name: 'passes with a DENY of requests without a principal', yaml: RA() + ap('require-jwt', 'sr', '  action: DENY\n  selector: {matchLabels: {app: km}}\n  rules:\n    - from: [{source: {notRequestPrincipals: ["*"]}}]'), expect: [] },
  ],
  [EDGE.EDGE_JWT_ANY_AUDIENCE]: [
    { name: 'passes a rule with audiences', yaml: RA(), expect: [] },
    { name: 'fails a rule without audiences', yaml: RA('    - issuer: https://keycloak.example.org/realms/master'),
      expect: [{ severity: 'medium', message: 'RequestAuthentication sr/jwt-keymanager jwtRules[0] (issuer https://keycloak.example.org/realms/master) lists no audiences: a token issued to any client of that issuer is accepted', at: '- issuer:' }] },
    { name: 'fails requestPrincipals ["*"] where two issuers are accepted', yaml: RA('    - issuer: https://keycloak.example.org/realms/master\n      audiences: [sr]\n    - issuer: https://esignet.example.org/v1/esignet\n      audiences: [sr]') + KM_ALLOW('{requestPrincipals: ["*"]}'),
      expect: [{ severity: 'medium', message: 'AuthorizationPolicy sr/allow-keymanager rule 0 accepts requestPrincipals ["*"]: a token from any of 2 issuers (https://esignet.example.org/v1/esignet, https://keycloak.example.org/realms/master) will do', at: '- from: [{source: {requestPrincipals' }] },
    { name: 'passes requestPrincipals ["*"] with one issuer', yaml: RA() + KM_ALLOW('{requestPrincipals: ["*"]}'), expect: [] },
  ],
  [EDGE.EDGE_MUTUAL_NO_CRL]: [
    { name: 'fails a MUTUAL server whose credential holds no ca.crl', yaml: MUTUAL + SECRET('tls.crt: x, tls.key: y, ca.crt: z'),
      expect: [{ severity: 'high', message: 'Gateway istio-system/ward-admin server 0 verifies client certificates (MUTUAL) against Secret admin-clients, which holds no ca.crl: revoked certificates are still accepted', at: 'tls: {mode: MUTUAL' }] },
    { name: 'passes with a ca.crl that is a PEM X.509 CRL', yaml: MUTUAL + SECRET(`tls.crt: x, tls.key: y, ca.crt: z, ca.crl: "${CRL_PEM}"`), expect: [] },
    { name: 'fails a ca.crl that does not parse', yaml: MUTUAL + SECRET('tls.crt: x, tls.key: y, ca.crt: z, ca.crl: not a crl'),
      expect: [{ severity: 'high', message: 'Gateway istio-system/ward-admin server 0 verifies client certificates (MUTUAL) against Secret admin-clients, whose ca.crl is not a PEM X.509 CRL: the revocation list cannot be used', at: 'tls: {mode: MUTUAL' }] },
    { name: 'passes when the Secret is not in the input (ward\'s own output)', yaml: MUTUAL, expect: [] },
  ],
  [EDGE.EDGE_NO_HSTS]: [
    { name: 'fails an HTTPS route without Strict-Transport-Security', yaml: ODOO + GATEWAY('{mode: SIMPLE, credentialName: sr-cert}') + vs('istio-system/public', ROUTE_ALL) + DENY_ALL_ADMIN,
      expect: [{ severity: 'low', message: 'VirtualService sr/sr-registry http[0] serves HTTPS through gateway istio-system/public without a Strict-Transport-Security response header', at: '- match: [{uri: {prefix: /}}]' }] },
    { name: 'passes with the header set on the route', yaml: ODOO + GATEWAY('{mode: SIMPLE, credentialName: sr-cert}') + DENY_ALL_ADMIN
        + vs('istio-system/public', `${ROUTE_ALL}\n      headers: {response: {set: {Strict-Transport-Security: "max-age=31536000"}}}`), expect: [] },
    { name: 'passes a gateway not in the input (its protocol is unknown)', yaml: ODOO + vs('internal', ROUTE_ALL) + DENY_ALL_ADMIN, expect: [] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

/** A self-signed CA made by openssl now (a real certificate: the loader parses it with X509Certificate). */
function caCertificate(): string | undefined {
  try {
    return execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-days', '400', '-subj', '/CN=ward-admin-ca', '-outform', 'PEM'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

describe(EDGE.EDGE_CLIENT_CA_EXPIRING, () => {
  const pem = caCertificate();
  const skip = missingPrereq('openssl on PATH (makes the CA certificate)', pem !== undefined);
  const check = (daysBeforeExpiry: number): string[] => {
    const notAfter = new X509Certificate(pem ?? '').validTo;
    const yaml = MUTUAL + `---\napiVersion: v1\nkind: Secret\nmetadata: {name: admin-clients, namespace: istio-system}\ndata: {ca.crt: ${Buffer.from(pem ?? '').toString('base64')}, ca.crl: eA==}\n`;
    const index = ObjectIndex.fromDocuments(parseText(yaml, 'case.yaml').documents);
    const now = new Date(Date.parse(notAfter) - daysBeforeExpiry * 86_400_000);
    return (rules.get(EDGE.EDGE_CLIENT_CA_EXPIRING)?.check(index, { now, cluster: false }) ?? []).map((f) => `${f.severity} ${f.message}`);
  };
  it.skipIf(skip !== undefined)('fails a CA that expires within 30 days, naming its subject and date', () => {
    const day = new Date(new X509Certificate(pem ?? '').validTo).toISOString().slice(0, 10);
    expect(check(10.5)).toEqual([`medium Gateway istio-system/ward-admin server 0 verifies client certificates against the CA in Secret admin-clients (CN=ward-admin-ca), which expires on ${day} (in 10 days)`]);
  });
  it.skipIf(skip !== undefined)('fails an expired CA as high', () => {
    expect(check(-2)[0]).toMatch(/^high .* which expired on \d{4}-\d{2}-\d{2}$/);
  });
  it.skipIf(skip !== undefined)('passes a CA valid for more than 30 days', () => {
    expect(check(31)).toEqual([]);
  });
  it.skipIf(skip !== undefined)('never puts the certificate itself into a finding', () => {
    expect(check(1).join('\n')).not.toContain('BEGIN CERTIFICATE');
  });
});
