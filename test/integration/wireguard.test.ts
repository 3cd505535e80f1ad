/**
 * The WireGuard gateway's objects on a real API server: every synthesised object is accepted
 * (server-side apply), and Pod Security admission, driven by ward's namespace labels, admits the
 * gateway pod in its own privileged namespace while rejecting the very same pod in the registry
 * namespace (enforce: restricted), naming what the gateway needs: NET_ADMIN, root, the sysctl.
 */
import { CoreV1Api, type KubernetesObject, type V1Pod, type V1PodSpec } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { wgSpec } from '../unit/wireguard/fixtures.js';
import { adminKubeConfig, applyAsAdmin, describeCluster, freshNamespace, waitForCrdEstablished } from './helpers.js';

function synthFor(ns: string): KubeObject[] {
  const input = wgSpec({ namespace: `${ns}-vpn`, adminGateway: { namespace: `${ns}-gw`, address: '10.0.0.10/32' } });
  const r = parseRegistrySpec({ ...input, namespace: ns });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return synthesize(r.spec);
}

function podFrom(objects: readonly KubeObject[], namespace: string): V1Pod {
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'wireguard-gateway') as { spec: { template: { metadata: { labels: Record<string, string> }; spec: V1PodSpec } } } | undefined;
  if (!d) throw new Error('no gateway Deployment');
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'wireguard-gateway-probe', namespace, labels: d.spec.template.metadata.labels }, spec: d.spec.template.spec };
}

describeCluster('WireGuard gateway objects on a real API server', () => {
  it('are all accepted, and Pod Security admits the gateway pod only in its own namespace', async () => {
    for (const crd of ['gateways.networking.istio.io', 'virtualservices.networking.istio.io', 'authorizationpolicies.security.istio.io']) await waitForCrdEstablished(crd);
    const ns = await freshNamespace('ward-wg-it-');
    const core = adminKubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: `${ns}-gw` } } });
    const objects = synthFor(ns);
    for (const o of objects) {
      const stored = await applyAsAdmin(o as KubernetesObject);
      expect(`${stored.kind ?? ''} ${stored.metadata?.namespace ?? ''}/${stored.metadata?.name ?? ''}`).toBe(`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    }

    const admitted = await core.createNamespacedPod({ namespace: `${ns}-vpn`, body: podFrom(objects, `${ns}-vpn`) });
    expect(admitted.spec?.containers[0]?.securityContext?.capabilities).toEqual({ add: ['NET_ADMIN'], drop: ['ALL'] });

    const rejected = await core.createNamespacedPod({ namespace: ns, body: podFrom(objects, ns) }).then(
      () => 'admitted',
      (e: unknown) => (JSON.parse(String((e as { body?: unknown }).body)) as { message: string }).message,
    );
    expect(rejected).toBe(
      'pods "wireguard-gateway-probe" is forbidden: violates PodSecurity "restricted:latest": forbidden sysctls (net.ipv4.ip_forward), ' +
        'unrestricted capabilities (container "wireguard" must not include "NET_ADMIN" in securityContext.capabilities.add), ' +
        'runAsNonRoot != true (container "wireguard" must not set securityContext.runAsNonRoot=false), runAsUser=0 (container "wireguard" must not set runAsUser=0)',
    );
  });
});
