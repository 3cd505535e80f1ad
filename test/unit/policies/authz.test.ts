import { describe, expect, it } from 'vitest';
import * as AUTHZ from '../../../policies/rules/authz.js';
import { summarise, type Case } from './helpers.js';

const NS = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: dev\n  labels: {istio-injection: enabled}\n';
const DEPLOY = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: dev}
spec:
  template:
    metadata:
      labels: {app: db}
    spec:
      serviceAccountName: db
      containers: [{name: db, image: "postgres:16"}]
`;
const SA = (name: string): string => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: ${name}, namespace: dev}\n`;
const ap = (name: string, spec: string): string => `---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ${name}, namespace: dev}\nspec:${spec ? `\n${spec}` : ' {}'}\n`;
const gw = (servers: string): string => `apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: pg, namespace: dev}\nspec:\n  selector: {istio: ingressgateway}\n  servers:\n${servers}\n`;
const ALLOW_REGISTRY = '  selector: {matchLabels: {app: db}}\n  action: ALLOW\n  rules:\n    - from: [{source: {principals: [cluster.local/ns/dev/sa/registry]}}]';

const table: Record<string, Case[]> = {
  [AUTHZ.AUTHZ_NO_ALLOW_NOTHING]: [
    { name: 'passes a namespace with spec: {}', yaml: NS + ap('allow-nothing', ''), expect: [] },
    { name: 'fails an injected namespace without it', yaml: NS + DEPLOY,
      expect: [{ severity: 'high', message: 'Namespace dev has no allow-nothing AuthorizationPolicy (spec: {}): every caller is allowed where no ALLOW policy applies', at: 'apiVersion: v1' }] },
    { name: 'passes a namespace outside the mesh', yaml: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n', expect: [] },
    { name: 'fails when the only allow-nothing is a dry run (istio.io/dry-run: "true" is not enforced)',
      yaml: NS + ap('allow-nothing', '').replace('namespace: dev}', 'namespace: dev, annotations: {istio.io/dry-run: "true"}}'),
      expect: [{ severity: 'high', message: 'Namespace dev has no allow-nothing AuthorizationPolicy (spec: {}): every caller is allowed where no ALLOW policy applies', at: 'apiVersion: v1' }] },
  ],
  [AUTHZ.AUTHZ_ALLOW_ANY_SOURCE]: [
    { name: 'passes an ALLOW rule with principals', yaml: ap('db', ALLOW_REGISTRY), expect: [] },
    { name: 'fails an ALLOW rule without from', yaml: ap('db', '  selector: {matchLabels: {app: db}}\n  rules:\n    - to: [{operation: {ports: ["5432"]}}]'),
      expect: [{ severity: 'high', message: 'AuthorizationPolicy dev/db rule 0 allows requests from any source (no "from")', at: '- to: [{operation' }] },
    { name: 'passes a DENY rule without from', yaml: ap('deny', '  action: DENY\n  rules:\n    - to: [{operation: {paths: ["/swagger*"]}}]'), expect: [] },
  ],
  [AUTHZ.AUTHZ_UNKNOWN_PRINCIPAL]: [
    { name: 'passes when the ServiceAccount exists', yaml: SA('registry') + ap('db', ALLOW_REGISTRY), expect: [] },
    { name: 'passes when no ServiceAccounts of that namespace are in the input (ward\'s own output)', yaml: ap('db', ALLOW_REGISTRY), expect: [] },
    { name: 'fails a typo when the namespace\'s ServiceAccounts are known', yaml: SA('registery') + ap('db', ALLOW_REGISTRY),
      expect: [{ severity: 'medium', message: 'AuthorizationPolicy dev/db rule 0 names principal cluster.local/ns/dev/sa/registry, but ServiceAccount dev/registry does not exist', at: '- from: [{source' }] },
    { name: 'fails on a cluster, where absence is known', cluster: true, yaml: ap('db', ALLOW_REGISTRY),
      expect: [{ severity: 'medium', message: 'AuthorizationPolicy dev/db rule 0 names principal cluster.local/ns/dev/sa/registry, but ServiceAccount dev/registry does not exist', at: '- from: [{source' }] },
  ],
  [AUTHZ.AUTHZ_SELECTS_NOTHING]: [
    { name: 'passes a selector matching the workload', yaml: DEPLOY + ap('db', ALLOW_REGISTRY), expect: [] },
    { name: 'fails a selector matching nothing', yaml: DEPLOY + ap('db', ALLOW_REGISTRY.replace('{app: db}', '{app: postgres}')),
      expect: [{ severity: 'low', message: 'AuthorizationPolicy dev/db selects no workload in namespace dev', at: 'selector: {matchLabels: {app: postgres}}' }] },
    { name: 'fails it as high where the namespace holds personal data',
      yaml: DEPLOY.replace('labels: {app: db}', 'labels: {app: db, ward.g2p.dev/personal-data: "true"}') + ap('db', ALLOW_REGISTRY.replace('{app: db}', '{app: postgres}')),
      expect: [{ severity: 'high', message: 'AuthorizationPolicy dev/db selects no workload in namespace dev, which holds personal data', at: 'selector: {matchLabels: {app: postgres}}' }] },
  ],
  [AUTHZ.AUTHZ_GATEWAY_WILDCARD_HOST]: [
    { name: 'passes named hosts', yaml: gw('    - port: {number: 443, name: https, protocol: HTTPS}\n      hosts: [sr.example.org]\n      tls: {mode: SIMPLE, credentialName: sr-cert}'), expect: [] },
    { name: 'fails hosts "*"', yaml: gw('    - port: {number: 443, name: https, protocol: HTTPS}\n      hosts: ["*"]\n      tls: {mode: SIMPLE, credentialName: sr-cert}'),
      expect: [{ severity: 'medium', message: 'Gateway dev/pg server 0 (port 443) accepts any host ("*")', at: 'hosts: ["*"]' }] },
    { name: 'passes hosts "*" on a plain TCP server, where Istio matches no host (OpenG2P PostgreSQL, protocol: tcp)',
      yaml: gw('    - port: {number: 5432, name: tcp-postgres, protocol: tcp}\n      hosts: ["*"]'), expect: [] },
    { name: 'fails hosts "*" on a TLS server, whose SNI is matched against them (the TCP server beside it passes)',
      yaml: gw('    - port: {number: 5432, name: tcp-postgres, protocol: TCP}\n      hosts: ["*"]\n    - port: {number: 9443, name: tls, protocol: TLS}\n      hosts: ["*"]\n      tls: {mode: PASSTHROUGH}'),
      expect: [{ severity: 'medium', message: 'Gateway dev/pg server 1 (port 9443) accepts any host ("*")', at: 'hosts: ["*"]', nth: 1 }] },
  ],
  [AUTHZ.AUTHZ_GATEWAY_NO_TLS]: [
    { name: 'passes HTTPS with TLS', yaml: gw('    - port: {number: 443, name: https, protocol: HTTPS}\n      hosts: [sr.example.org]\n      tls: {mode: SIMPLE, credentialName: sr-cert}'), expect: [] },
    { name: 'passes HTTP that redirects to HTTPS', yaml: gw('    - port: {number: 80, name: http, protocol: HTTP}\n      hosts: [sr.example.org]\n      tls: {httpsRedirect: true}'), expect: [] },
    { name: 'fails PostgreSQL as plain TCP (OpenG2P 1.3.1), raised', yaml: gw('    - port: {number: 5432, name: tcp-postgres, protocol: TCP}\n      hosts: ["*"]'),
      expect: [{ severity: 'critical', message: 'Gateway dev/pg server 0 publishes port 5432 (TCP) without TLS; a plaintext TCP service reachable from outside the cluster', at: '- port: {number: 5432' }] },
    { name: 'fails plain HTTP', yaml: gw('    - port: {number: 80, name: http, protocol: HTTP}\n      hosts: [sr.example.org]'),
      expect: [{ severity: 'high', message: 'Gateway dev/pg server 0 publishes port 80 (HTTP) without TLS', at: '- port: {number: 80' }] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});
