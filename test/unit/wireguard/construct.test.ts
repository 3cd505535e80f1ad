/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- tests read untyped manifests */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize, toYaml } from '../../../charts-src/synthesize.js';
import { generateKeyPair } from '../../../charts-src/wireguard/keys.js';
import { runCheck } from '../../../policies/engine.js';
import { allowRulesFor, egressAllowedBy, ingressAllowedBy, isolated } from '../synth/evaluate.js';
import { wgSpec } from './fixtures.js';

function spec(overrides: Record<string, unknown> = {}): RegistrySpec {
  const r = parseRegistrySpec(wgSpec(overrides));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

const find = (objects: readonly KubeObject[], kind: string, ns: string | undefined, name: string): any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.namespace === ns && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${ns ?? ''}/${name}`);
  return o;
};

const VPN = { namespace: 'ward-vpn', labels: { 'app.kubernetes.io/name': 'ward-wireguard-gateway', 'app.kubernetes.io/component': 'admin-gateway' } };
const INTERNAL_GW = { namespace: 'istio-system', labels: { istio: 'internal-ingressgateway' } };
const REGISTRY = { namespace: 'dev', labels: { app: 'odoo' } };
const MINIO = { namespace: 'dev', labels: { app: 'minio' } };

const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];

function podLevelViolations(pod: any): string[] {
  const out: string[] = [];
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) out.push('host namespaces');
  for (const s of pod.securityContext?.sysctls ?? []) out.push(`sysctl ${String(s.name)}`);
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name') ?? '';
    if (!RESTRICTED_VOLUMES.includes(type)) out.push(`volume ${type}`);
  }
  return out;
}

function containerViolations(c: any, psc: any): string[] {
  const sc = c.securityContext ?? {};
  const seccomp = (sc.seccompProfile ?? psc.seccompProfile)?.type;
  const checks: [boolean, string][] = [
    [sc.privileged === true, 'privileged'],
    [sc.allowPrivilegeEscalation !== false, 'allowPrivilegeEscalation'],
    [(sc.runAsNonRoot ?? psc.runAsNonRoot) !== true, 'runAsNonRoot'],
    [(sc.runAsUser ?? psc.runAsUser) === 0, 'runAsUser 0'],
    [seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost', 'seccomp'],
    [!(sc.capabilities?.drop ?? []).includes('ALL'), 'drop ALL'],
    [(c.ports ?? []).some((p: any) => p.hostPort), 'hostPort'],
  ];
  const adds = (sc.capabilities?.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE').map((cap: string) => `add ${cap}`);
  return [...checks.filter(([bad]) => bad).map(([, what]) => what), ...adds];
}

/** Pod Security "restricted" checks of one pod spec (shared/reference/network-security.md), as violation strings. */
function restrictedViolations(pod: any): string[] {
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
  return [...podLevelViolations(pod), ...containers.flatMap((c) => containerViolations(c, pod.securityContext ?? {}))];
}

function podSpecs(objects: readonly KubeObject[]): { namespace: string; name: string; pod: any }[] {
  return objects.flatMap((o: any) => {
    if (o.kind === 'Pod') return [{ namespace: o.metadata.namespace, name: o.metadata.name, pod: o.spec }];
    const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    return pod ? [{ namespace: o.metadata.namespace, name: o.metadata.name, pod }] : [];
  });
}

describe('WireGuard gateway synthesis', () => {
  const objects = synthesize(spec());

  it('emits the gateway objects with explicit names', () => {
    const mine = objects
      .filter((o) => o.metadata.namespace === 'ward-vpn' || o.metadata.name === 'ward-vpn' || o.metadata.namespace === 'istio-system' || /admin/.test(o.metadata.name))
      .map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(mine).toMatchInlineSnapshot(`
      [
        "Namespace /ward-vpn",
        "ServiceAccount ward-vpn/wireguard-gateway",
        "ConfigMap ward-vpn/wireguard-gateway",
        "AuthorizationPolicy dev/admin-access-minio",
        "AuthorizationPolicy dev/admin-access-registry",
        "NetworkPolicy dev/admin-access-minio",
        "NetworkPolicy dev/admin-access-registry",
        "NetworkPolicy istio-system/ward-admin-from-vpn",
        "NetworkPolicy ward-vpn/default-deny",
        "NetworkPolicy ward-vpn/wireguard-gateway",
        "Service ward-vpn/wireguard-gateway",
        "Deployment ward-vpn/wireguard-gateway",
        "Gateway istio-system/ward-admin",
        "VirtualService dev/admin-minio-console-internal",
        "VirtualService dev/admin-registry-admin-internal",
      ]
    `);
    for (const o of objects) expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('ward');
  });

  it('labels the gateway namespace privileged for enforcement, restricted for audit and warn, outside the mesh', () => {
    expect(find(objects, 'Namespace', undefined, 'ward-vpn').metadata.labels).toEqual({
      'app.kubernetes.io/managed-by': 'ward',
      'ward.g2p.dev/owner': 'dev.openg2p',
      'istio-injection': 'disabled',
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
    });
  });

  it('creates no other privileged namespace', () => {
    const privileged = objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted').map((o) => o.metadata.name);
    expect(privileged).toEqual(['ward-vpn']);
  });

  it('passes Pod Security restricted everywhere but the gateway namespace, where only NET_ADMIN, root and the forwarding sysctl differ', () => {
    const pods = podSpecs(objects);
    expect(pods.filter((p) => p.namespace !== 'ward-vpn').flatMap((p) => restrictedViolations(p.pod))).toEqual([]);
    expect(pods.filter((p) => p.namespace === 'ward-vpn').map((p) => [p.name, restrictedViolations(p.pod)])).toEqual([
      ['wireguard-gateway', ['sysctl net.ipv4.ip_forward', 'runAsNonRoot', 'runAsUser 0', 'add NET_ADMIN']],
    ]);
  });

  it('hardens the gateway container: only NET_ADMIN, read-only root, limits, no token', () => {
    const pod = find(objects, 'Deployment', 'ward-vpn', 'wireguard-gateway').spec.template.spec;
    const c = pod.containers[0];
    expect(c.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
      runAsUser: 0,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.resources.limits).toEqual({ cpu: '500m', memory: '128Mi' });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', 'ward-vpn', 'wireguard-gateway').automountServiceAccountToken).toBe(false);
    expect(pod.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_forward', value: '1' }]);
  });

  it('mounts the private key only from the named Secret, and preshared keys from theirs', () => {
    const pod = find(objects, 'Deployment', 'ward-vpn', 'wireguard-gateway').spec.template.spec;
    const secrets = pod.volumes.filter((v: any) => v.secret).map((v: any) => [v.name, v.secret.secretName, v.secret.items]);
    expect(secrets).toEqual([
      ['private-key', 'ward-wireguard-key', [{ key: 'privatekey', path: 'privatekey' }]],
      ['psk-1', 'bob-psk', [{ key: 'presharedkey', path: 'presharedkey' }]],
    ]);
    expect(pod.containers[0].env.filter((e: any) => e.valueFrom !== undefined)).toEqual([]);
  });

  it('publishes only UDP on the listen port', () => {
    const svc = find(objects, 'Service', 'ward-vpn', 'wireguard-gateway');
    expect(svc.spec.ports).toEqual([{ name: 'wireguard', port: 51820, protocol: 'UDP', targetPort: 51820 }]);
    expect(svc.spec.type).toBe('LoadBalancer');
  });

  it('lets the VPN pod reach only the internal gateway ports and DNS', () => {
    expect(isolated(objects, VPN, 'Ingress') && isolated(objects, VPN, 'Egress')).toBe(true);
    expect(egressAllowedBy(objects, VPN, INTERNAL_GW, 8080, 'TCP')).toEqual(['wireguard-gateway']);
    expect(egressAllowedBy(objects, VPN, { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, 53, 'UDP')).toEqual(['wireguard-gateway']);
    expect(egressAllowedBy(objects, VPN, REGISTRY, 8069, 'TCP')).toEqual([]);
    expect(egressAllowedBy(objects, VPN, INTERNAL_GW, 15021, 'TCP')).toEqual([]);
    const ingress = find(objects, 'NetworkPolicy', 'ward-vpn', 'wireguard-gateway').spec.ingress;
    expect(ingress).toEqual([{ ports: [{ port: 51820, protocol: 'UDP' }] }]);
  });

  it('lets the internal gateway accept the VPN pod and reach exactly the routed targets', () => {
    expect(ingressAllowedBy(objects, VPN, INTERNAL_GW, 8080, 'TCP')).toEqual(['ward-admin-from-vpn']);
    expect(ingressAllowedBy(objects, REGISTRY, INTERNAL_GW, 8080, 'TCP')).toEqual([]);
    expect(ingressAllowedBy(objects, INTERNAL_GW, REGISTRY, 8069, 'TCP')).toEqual(['admin-access-registry']);
    expect(ingressAllowedBy(objects, INTERNAL_GW, MINIO, 9001, 'TCP')).toEqual(['admin-access-minio']);
    expect(ingressAllowedBy(objects, INTERNAL_GW, MINIO, 9000, 'TCP')).toEqual([]);
  });

  it('allows the internal gateway identity to exactly the routed ports, with no mTLS exception', () => {
    const principal = 'cluster.local/ns/istio-system/sa/istio-internal-ingressgateway-service-account';
    expect(allowRulesFor(objects, MINIO).filter((r) => r.principal === principal)).toEqual([{ policy: 'admin-access-minio', principal, port: '9001' }]);
    expect(allowRulesFor(objects, REGISTRY).filter((r) => r.principal === principal)).toEqual([{ policy: 'admin-access-registry', principal, port: '8069' }]);
    const modes = objects.filter((o: any) => o.kind === 'PeerAuthentication').map((o: any) => o.spec.mtls.mode);
    expect(modes.every((m) => m === 'STRICT')).toBe(true);
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toEqual([]);
  });

  it('routes each admin host on the internal gateway only, never "*"', () => {
    const gw = find(objects, 'Gateway', 'istio-system', 'ward-admin');
    expect(gw.spec).toEqual({
      selector: { istio: 'internal-ingressgateway' },
      servers: [{ hosts: ['minio-console.internal', 'registry-admin.internal'], port: { name: 'http-admin-80', number: 80, protocol: 'HTTP' } }],
    });
    expect(find(objects, 'VirtualService', 'dev', 'admin-registry-admin-internal').spec).toEqual({
      gateways: ['istio-system/ward-admin'],
      hosts: ['registry-admin.internal'],
      http: [{
        route: [{ destination: { host: 'openg2p-registry.dev.svc.cluster.local', port: { number: 8069 } } }],
        // Plain HTTP inside the tunnel: the security headers, but no HSTS (browsers ignore it without TLS).
        headers: { response: { set: { 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'referrer-policy': 'strict-origin-when-cross-origin', 'content-security-policy-report-only': "frame-ancestors 'self'" } } },
      }],
    });
  });

  it('checks clean under the strict profile, every exception an explicit waiver with a reason', () => {
    const result = runCheck({ objects, now: new Date('2026-01-01T00:00:00Z') });
    expect(result.findings.filter((f) => !f.suppressed).map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
    const waived = result.findings.filter((f) => f.suppressed).map((f) => `${f.ruleId} ${f.object.kind} ${f.object.namespace ?? ''}/${f.object.name}`);
    expect(waived.sort()).toEqual([
      'WARD-AUTHZ-006 Gateway istio-system/ward-admin',
      'WARD-NET-006 NetworkPolicy ward-vpn/wireguard-gateway',
      'WARD-NET-008 Service ward-vpn/wireguard-gateway',
      'WARD-POD-003 Deployment ward-vpn/wireguard-gateway',
      'WARD-POD-004 Deployment ward-vpn/wireguard-gateway',
      'WARD-POD-008 Deployment ward-vpn/wireguard-gateway',
      'WARD-POD-016 Deployment ward-vpn/wireguard-gateway',
      'WARD-POD-018 Deployment ward-vpn/wireguard-gateway',
    ]);
  });

  it('narrows the endpoint to sourceRanges and serves HTTPS when given a credential, without those waivers', () => {
    const narrowed = synthesize(spec({ sourceRanges: ['198.51.100.0/24'], adminGateway: { address: '10.96.20.10/32', ports: [{ port: 443, targetPort: 8443, credentialName: 'admin-tls' }] }, image: 'ward/wireguard-gateway@sha256:' + 'a'.repeat(64) }));
    expect(find(narrowed, 'NetworkPolicy', 'ward-vpn', 'wireguard-gateway').spec.ingress).toEqual([{ from: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 51820, protocol: 'UDP' }] }]);
    expect(find(narrowed, 'Service', 'ward-vpn', 'wireguard-gateway').spec.loadBalancerSourceRanges).toEqual(['198.51.100.0/24']);
    expect(find(narrowed, 'Gateway', 'istio-system', 'ward-admin').spec.servers[0].tls).toEqual({ credentialName: 'admin-tls', mode: 'SIMPLE' });
    const result = runCheck({ objects: narrowed, now: new Date('2026-01-01T00:00:00Z') });
    expect(result.findings.filter((f) => !f.suppressed)).toEqual([]);
    expect(result.findings.map((f) => f.ruleId).sort()).toEqual(['WARD-NET-008', 'WARD-POD-003', 'WARD-POD-004', 'WARD-POD-008', 'WARD-POD-018']);
  });

  it('routes to a component in another namespace but writes no policy there', () => {
    const input = wgSpec();
    const other = synthesize(
      (() => {
        const r = parseRegistrySpec({ ...input, components: [...(input.components ?? []), { name: 'keycloak', namespace: 'keycloak', selector: { app: 'keycloak' }, serviceAccount: 'keycloak', ports: [{ name: 'http', port: 8080 }] }], wireguard: { ...input.wireguard, routes: [{ host: 'keycloak-admin.internal', component: 'keycloak', port: 8080 }] } });
        if (!r.ok) throw new Error(JSON.stringify(r.issues));
        return r.spec;
      })(),
    );
    expect(other.filter((o) => o.metadata.namespace === 'keycloak')).toEqual([]);
    expect(find(other, 'VirtualService', 'dev', 'admin-keycloak-admin-internal').spec.http[0].route[0].destination).toEqual({ host: 'openg2p-keycloak.keycloak.svc.cluster.local', port: { number: 8080 } });
  });

  it('rolls the gateway pod when the peers change, and only then', () => {
    const digest = (o: readonly KubeObject[]): string => find(o, 'Deployment', 'ward-vpn', 'wireguard-gateway').spec.template.metadata.annotations['ward.g2p.dev/config-sha256'];
    expect(digest(objects)).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(synthesize(spec()))).toBe(digest(objects));
    expect(digest(synthesize(spec({ peers: [] })))).not.toBe(digest(objects));
  });

  it('emits nothing for a disabled gateway', () => {
    const off = synthesize(spec({ enabled: false }));
    expect(off.filter((o) => o.metadata.namespace === 'ward-vpn' || o.metadata.name === 'ward-vpn' || o.metadata.namespace === 'istio-system')).toEqual([]);
  });

  it('never puts a private key into the output, and is byte-for-byte deterministic', () => {
    const { privateKey } = generateKeyPair();
    const yaml = toYaml(objects);
    expect(yaml).not.toContain(privateKey);
    expect(yaml).not.toMatch(/PrivateKey\s*=|PresharedKey\s*=/);
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    expect(toYaml(synthesize(spec()))).toBe(yaml);
  });
});
