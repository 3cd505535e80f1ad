import { describe, expect, it } from 'vitest';
import * as KM from '../../../policies/rules/km.js';
import { isClusterHost } from '../../../policies/rules/km.js';
import { summarise, type Case } from './helpers.js';

const registry = (env: string, image = 'openg2p/openg2p-social-registry-odoo-package:1.3.1'): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: registry, namespace: dev}
spec:
  template:
    metadata:
      labels: {app: registry}
    spec:
      containers:
        - name: odoo
          image: ${image}
          env:
${env}
`;
const STRICT = '---\napiVersion: v1\nkind: Namespace\nmetadata: {name: dev, labels: {istio-injection: enabled}}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: dev}\nspec: {mtls: {mode: STRICT}}\n';
const env = (name: string, value: string): string => `            - name: ${name}\n              value: "${value}"`;

const table: Record<string, Case[]> = {
  [KM.KM_LITERAL_CLIENT_SECRET]: [
    { name: 'passes a secretKeyRef', yaml: registry('            - name: KEYMANAGER_AUTH_CLIENT_SECRET\n              valueFrom: {secretKeyRef: {name: km-client, key: client_secret}}'), expect: [] },
    { name: 'fails the 1.3.1 literal', yaml: registry(env('KEYMANAGER_AUTH_CLIENT_SECRET', 'Xq7Lr2Vt9Kp4Wm8Zb3Nc6Hd1')),
      expect: [{ severity: 'critical', message: 'Deployment dev/registry container "odoo" sets KEYMANAGER_AUTH_CLIENT_SECRET as a literal value: use valueFrom.secretKeyRef and rotate the secret', at: '- name: KEYMANAGER_AUTH_CLIENT_SECRET' }] },
    { name: 'fails a literal through a ConfigMap', yaml: `${registry('            - name: KEYMANAGER_AUTH_CLIENT_SECRET\n              valueFrom: {configMapKeyRef: {name: km, key: secret}}')}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: km, namespace: dev}\ndata: {secret: Xq7Lr2Vt9Kp4Wm8Zb3Nc6Hd1}\n`,
      expect: [{ severity: 'critical', message: 'Deployment dev/registry container "odoo" sets KEYMANAGER_AUTH_CLIENT_SECRET as a literal value through a ConfigMap: use valueFrom.secretKeyRef and rotate the secret', at: '- name: KEYMANAGER_AUTH_CLIENT_SECRET' }] },
  ],
  [KM.KM_PLAIN_HTTP]: [
    { name: 'passes https', yaml: registry(env('KEYMANAGER_API_BASE_URL', 'https://keymanager.example.org/v1/keymanager')), expect: [] },
    { name: 'passes in-cluster http under STRICT mTLS', yaml: registry(env('KEYMANAGER_API_BASE_URL', 'http://keymanager.keymanager/v1/keymanager')) + STRICT, expect: [] },
    { name: 'fails in-cluster http without STRICT mTLS (the shipped default)', yaml: registry(env('KEYMANAGER_API_BASE_URL', 'http://keymanager.keymanager/v1/keymanager')),
      expect: [{ severity: 'high', message: 'Deployment dev/registry container "odoo" sets KEYMANAGER_API_BASE_URL to plain http and the workload is not under STRICT mTLS: use https', at: '- name: KEYMANAGER_API_BASE_URL' }] },
    { name: 'fails http to an external token endpoint even under STRICT', yaml: registry(env('KEYMANAGER_AUTH_URL', 'http://keycloak.example.org/realms/openg2p/protocol/openid-connect/token')) + STRICT,
      expect: [{ severity: 'high', message: 'Deployment dev/registry container "odoo" sets KEYMANAGER_AUTH_URL to plain http to keycloak.example.org, outside the cluster: use https', at: '- name: KEYMANAGER_AUTH_URL' }] },
  ],
  [KM.KM_GRANT_TYPE]: [
    { name: 'passes client_credentials', yaml: registry(env('KEYMANAGER_AUTH_GRANT_TYPE', 'client_credentials')), expect: [] },
    { name: 'fails password', yaml: registry(env('KEYMANAGER_AUTH_GRANT_TYPE', 'password')),
      expect: [{ severity: 'medium', message: 'Deployment dev/registry container "odoo" sets KEYMANAGER_AUTH_GRANT_TYPE to "password", not client_credentials', at: '- name: KEYMANAGER_AUTH_GRANT_TYPE' }] },
  ],
  [KM.KM_NO_AUTH]: [
    { name: 'passes authentication on', yaml: registry(env('AUTH_ENABLED', 'true'), 'mosipid/kernel-keymanager-service:1.2.0.1'), expect: [] },
    { name: 'fails authEnabled false (commons default)', yaml: registry(env('AUTH_ENABLED', 'false'), 'mosipid/kernel-keymanager-service:1.2.0.1'),
      expect: [{ severity: 'critical', message: 'Deployment dev/registry container "odoo" is a key manager with authentication disabled (AUTH_ENABLED=false): enable it', at: '- name: AUTH_ENABLED' }] },
  ],
  [KM.KM_PUBLISHED]: [
    { name: 'passes a mesh-only VirtualService', yaml: 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: km, namespace: dev}\nspec:\n  hosts: [keymanager]\n  http: [{route: [{destination: {host: keymanager}}]}]\n', expect: [] },
    { name: 'fails a gateway-bound route to the key manager', yaml: 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: km, namespace: dev}\nspec:\n  hosts: [sr.example.org]\n  gateways: [istio-system/internal]\n  http: [{route: [{destination: {host: keymanager.keymanager.svc.cluster.local}}]}]\n',
      expect: [{ severity: 'high', message: 'VirtualService dev/km publishes the key manager (keymanager.keymanager.svc.cluster.local) through gateway istio-system/internal', at: 'gateways:' }] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

it.each([['keymanager', true], ['keymanager.keymanager', true], ['km.ns.svc.cluster.local', true], ['keycloak.example.org', false]])('isClusterHost(%s)', (h, want) => expect(isClusterHost(h)).toBe(want));
