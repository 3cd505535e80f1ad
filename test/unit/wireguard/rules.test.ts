import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { rules } from '../../../policies/rules/index.js';
import {
  WG_CLIENT_FULL_TUNNEL,
  WG_EXTRA_PORTS_EXPOSED,
  WG_GATEWAY_NO_DEFAULT_DENY,
  WG_NET_ADMIN_OUTSIDE_GATEWAY,
  WG_PRIVATE_KEY_EXPOSED,
  WG_SERVER_ALLOWED_IPS_WIDE,
  WG_SERVER_GENERATED_PEERS,
  wireguardRules,
} from '../../../policies/rules/wireguard.js';
import { KEYS } from './fixtures.js';

const ctx = { now: new Date('2026-01-01T00:00:00Z'), cluster: false };
/** A syntactically valid private key made up for the tests (not used anywhere). */
const PRIVATE = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';

function run(id: string, objects: readonly KubeObject[]): string[] {
  const rule = rules.get(id);
  if (!rule) throw new Error(`rule ${id} is not registered`);
  return rule.check(ObjectIndex.fromObjects(objects), ctx).map((f) => `${f.ruleId} ${f.severity} ${f.message}`);
}

const cm = (ns: string, name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data });

function deployment(ns: string, name: string, container: Record<string, unknown>, labels: Record<string, string> = { app: name }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'example/app:1', ...container }] } } },
  };
}

const wgContainer = { image: 'linuxserver/wireguard:1.0', ports: [{ name: 'wireguard', containerPort: 51820, protocol: 'UDP' }], securityContext: { capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] } } };
const bastion = deployment('vpn', 'wireguard', wgContainer);
const denyAll: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'vpn' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };

const serverConf = (allowed: string): string => `[Interface]\nListenPort = 51820\n\n[Peer]\nPublicKey = ${KEYS.alice}\nAllowedIPs = ${allowed}\n`;
const clientConf = (allowed: string): string => `[Interface]\nAddress = 10.15.0.2/32\n\n[Peer]\nPublicKey = ${KEYS.server}\nEndpoint = vpn.example.org:51820\nAllowedIPs = ${allowed}\n`;

describe('WARD-WG rules', () => {
  it('are registered in the catalogue with their documented ids', () => {
    expect(wireguardRules.map((r) => r.id)).toEqual(['WARD-WG-001', 'WARD-WG-002', 'WARD-WG-003', 'WARD-WG-004', 'WARD-WG-005', 'WARD-WG-006', 'WARD-WG-007']);
    for (const r of wireguardRules) expect(rules.get(r.id)).toBe(r);
  });

  it.each([
    {
      name: 'a private key in a ConfigMap wg config',
      id: WG_PRIVATE_KEY_EXPOSED,
      objects: [cm('vpn', 'wg', { 'wg0.conf': `[Interface]\nPrivateKey = ${PRIVATE}\nListenPort = 51820\n` })],
      expected: ['WARD-WG-001 critical ConfigMap vpn/wg key "wg0.conf" holds a WireGuard private key: ConfigMaps are readable by anyone who can list them'],
    },
    {
      name: 'a bare private key under a "private" ConfigMap key',
      id: WG_PRIVATE_KEY_EXPOSED,
      objects: [cm('vpn', 'wg', { privatekey: `${PRIVATE}\n`, publickey: KEYS.alice })],
      expected: ['WARD-WG-001 critical ConfigMap vpn/wg key "privatekey" holds a WireGuard private key: ConfigMaps are readable by anyone who can list them'],
    },
    {
      name: 'a private key as a literal env value',
      id: WG_PRIVATE_KEY_EXPOSED,
      objects: [deployment('vpn', 'wg', { env: [{ name: 'WG_PRIVATE_KEY', value: PRIVATE }, { name: 'SERVER_PUBLIC_KEY', value: KEYS.server }] })],
      expected: ['WARD-WG-001 critical Deployment vpn/wg container "main" env WG_PRIVATE_KEY is a literal WireGuard private key'],
    },
    {
      name: 'public keys and a key mounted from a Secret',
      id: WG_PRIVATE_KEY_EXPOSED,
      objects: [
        cm('vpn', 'wg', { 'wg0.conf': serverConf('10.15.0.2/32') }),
        deployment('vpn', 'wg', { env: [{ name: 'WG_PRIVATE_KEY', valueFrom: { secretKeyRef: { name: 'wg', key: 'privatekey' } } }] }),
      ],
      expected: [],
    },
    {
      name: 'a server peer routed a whole range',
      id: WG_SERVER_ALLOWED_IPS_WIDE,
      objects: [cm('vpn', 'wg', { 'wg0.conf': serverConf('10.15.0.0/24') })],
      expected: ['WARD-WG-002 high ConfigMap vpn/wg key "wg0.conf": server peer #0 has AllowedIPs 10.15.0.0/24, wider than one /32'],
    },
    {
      name: 'server peers with one /32 each',
      id: WG_SERVER_ALLOWED_IPS_WIDE,
      objects: [cm('vpn', 'wg', { 'wg0.conf': serverConf('10.15.0.2/32') })],
      expected: [],
    },
    {
      name: 'a client config routing everything through the tunnel',
      id: WG_CLIENT_FULL_TUNNEL,
      objects: [cm('vpn', 'peers', { 'peer1.conf': clientConf('0.0.0.0/0, ::/0') })],
      expected: ['WARD-WG-003 high ConfigMap vpn/peers key "peer1.conf": client peer #0 routes everything through the tunnel (AllowedIPs 0.0.0.0/0, ::/0)'],
    },
    {
      name: 'the linuxserver ALLOWEDIPS env default',
      id: WG_CLIENT_FULL_TUNNEL,
      objects: [deployment('vpn', 'wireguard', { ...wgContainer, env: [{ name: 'ALLOWEDIPS', value: '0.0.0.0/0' }] })],
      expected: ['WARD-WG-003 high Deployment vpn/wireguard container "main" env ALLOWEDIPS gives clients AllowedIPs 0.0.0.0/0: every client route goes through the tunnel'],
    },
    {
      name: 'a split-tunnel client',
      id: WG_CLIENT_FULL_TUNNEL,
      objects: [cm('vpn', 'peers', { 'peer1.conf': clientConf('10.96.20.10/32') })],
      expected: [],
    },
    {
      name: 'NET_ADMIN in the registry namespace, which WARD-POD-008 reports (one rule owns one fact)',
      id: WG_NET_ADMIN_OUTSIDE_GATEWAY,
      objects: [bastion, deployment('dev', 'odoo', { securityContext: { capabilities: { add: ['NET_ADMIN'] } } })],
      expected: [],
    },
    {
      name: 'a privileged sysctl init container in a stack without WireGuard (OpenG2P OpenSearch), which WARD-POD-001 reports',
      id: WG_NET_ADMIN_OUTSIDE_GATEWAY,
      objects: [{
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'sr-logging-opensearch-master', namespace: 'sr' },
        spec: { selector: { matchLabels: { app: 'opensearch' } }, template: { metadata: { labels: { app: 'opensearch' } }, spec: {
          initContainers: [{ name: 'sysctl', image: 'docker.io/bitnami/os-shell:12', command: ['sysctl', '-w', 'vm.max_map_count=262144'], securityContext: { privileged: true, runAsUser: 0 } }],
          containers: [{ name: 'opensearch', image: 'docker.io/bitnami/opensearch:2', ports: [{ name: 'rest-api', containerPort: 9200 }] }],
        } } },
      }],
      expected: [],
    },
    {
      name: 'a WireGuard gateway sharing its namespace with another workload (whose privileged container WARD-POD-001 reports)',
      id: WG_NET_ADMIN_OUTSIDE_GATEWAY,
      objects: [bastion, deployment('vpn', 'debug', { securityContext: { privileged: true } })],
      expected: ['WARD-WG-004 high Deployment vpn/wireguard, a WireGuard gateway whose container "main" adds NET_ADMIN, shares namespace vpn with Deployment vpn/debug: run it alone in its own namespace'],
    },
    {
      name: 'the gateway alone in its namespace, kube-system, and Istio\'s own init container',
      id: WG_NET_ADMIN_OUTSIDE_GATEWAY,
      objects: [
        bastion,
        deployment('kube-system', 'kube-proxy', { securityContext: { privileged: true } }),
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'odoo-0', namespace: 'dev' },
          spec: { initContainers: [{ name: 'istio-init', image: 'istio/proxyv2:1.24', securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } }], containers: [{ name: 'odoo', image: 'odoo:17' }] },
        },
      ],
      expected: [],
    },
    {
      name: 'a gateway namespace without default-deny',
      id: WG_GATEWAY_NO_DEFAULT_DENY,
      objects: [bastion, { ...denyAll, spec: { podSelector: {}, policyTypes: ['Ingress'] } }],
      expected: ['WARD-WG-005 high WireGuard gateway namespace vpn has no default-deny Egress NetworkPolicy'],
    },
    {
      name: 'a gateway namespace with default-deny both ways',
      id: WG_GATEWAY_NO_DEFAULT_DENY,
      objects: [bastion, denyAll],
      expected: [],
    },
    {
      name: 'a Service exposing a web UI next to the listen port',
      id: WG_EXTRA_PORTS_EXPOSED,
      objects: [
        bastion,
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'wireguard', namespace: 'vpn' },
          spec: { type: 'LoadBalancer', selector: { app: 'wireguard' }, ports: [{ port: 51820, protocol: 'UDP' }, { port: 8080, protocol: 'TCP' }] },
        },
      ],
      expected: ['WARD-WG-006 medium Service vpn/wireguard exposes TCP 8080 of the WireGuard gateway: only the UDP listen port may be exposed'],
    },
    {
      name: 'an ingress rule without ports on the gateway',
      id: WG_EXTRA_PORTS_EXPOSED,
      objects: [bastion, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'wg', namespace: 'vpn' }, spec: { podSelector: { matchLabels: { app: 'wireguard' } }, ingress: [{}] } }],
      expected: ['WARD-WG-006 medium NetworkPolicy vpn/wg ingress rule #0 lets in more than the WireGuard UDP listen port'],
    },
    {
      name: 'the linuxserver image pre-generating peers',
      id: WG_SERVER_GENERATED_PEERS,
      objects: [deployment('vpn', 'wireguard', { ...wgContainer, env: [{ name: 'PEERS', value: '30' }] })],
      expected: ['WARD-WG-007 high Deployment vpn/wireguard container "main" generates client key pairs on the server (PEERS=30): the server holds the administrators\' private keys'],
    },
    {
      name: 'wg-easy',
      id: WG_SERVER_GENERATED_PEERS,
      objects: [deployment('vpn', 'wg-easy', { image: 'ghcr.io/wg-easy/wg-easy:14' })],
      expected: ['WARD-WG-007 high Deployment vpn/wg-easy container "main" runs ghcr.io/wg-easy/wg-easy:14, which generates every client\'s key pair on the server: the server holds the administrators\' private keys'],
    },
    {
      name: 'the linuxserver image in server mode without PEERS, and ward\'s gateway',
      id: WG_SERVER_GENERATED_PEERS,
      objects: [bastion, deployment('ward-vpn', 'wireguard-gateway', { image: 'ward/wireguard-gateway:0.1.0' })],
      expected: [],
    },
  ])('reports $name', ({ id, objects, expected }) => {
    expect(run(id, objects)).toEqual(expected);
  });

  it('never puts key material into a message', () => {
    const objects = [cm('vpn', 'wg', { 'wg0.conf': `[Interface]\nPrivateKey = ${PRIVATE}\n`, privatekey: PRIVATE }), deployment('vpn', 'wg', { env: [{ name: 'PRIVATE_KEY', value: PRIVATE }] })];
    const all = wireguardRules.flatMap((r) => r.check(ObjectIndex.fromObjects(objects), ctx));
    expect(all.length).toBe(3);
    expect(JSON.stringify(all)).not.toContain(PRIVATE);
  });
});
