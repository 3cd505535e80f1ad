/**
 * The edge objects on a real API server with Istio's CRDs (dev-cluster/crds/istio.yaml): the
 * admin-path DENYs (workload and gateway), the RequestAuthentication with its cookie rule, the ALLOW
 * requiring request principals and claims, and the MUTUAL admin gateway are admitted as synthesised
 * and stored unchanged; the CRD's own validation refuses a jwtRule with both jwks and jwksUri.
 */
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec } from '../../charts-src/model/index.js';
import { synthesize } from '../../charts-src/synthesize.js';
import { wgSpec } from '../unit/wireguard/fixtures.js';
import { adminKubeConfig, applyAsAdmin, describeCluster, freshNamespace, waitForCrdEstablished } from './helpers.js';

function edgeSpec(ns: string): KubeObject[] {
  const s = wgSpec({ namespace: `${ns}-vpn`, adminGateway: { namespace: `${ns}-gw`, address: '10.0.0.10/32' } }) as Record<string, unknown> & { components: Record<string, unknown>[] };
  s.components[0] = { ...s.components[0], exposure: { type: 'ingress', hosts: ['sr.example.org'], adminPaths: { paths: ['/web/database/*', '/xmlrpc/2/db'], queryParams: ['debug'] }, route: { gateway: 'internal', rootRedirect: '/web' } } };
  s.components[2] = { name: 'portal', selector: { app: 'portal' }, serviceAccount: 'portal', ports: [{ name: 'http', port: 8080 }], exposure: { type: 'ingress', hosts: ['portal.example.org'], adminPaths: { paths: ['/admin/*'] }, allowedSources: ['198.51.100.0/24'] } };
  s.components[1] = { ...s.components[1], exposure: { type: 'none', auth: { issuers: [{ issuer: 'https://keycloak.example.org/realms/master', jwksUri: 'http://keycloak.keycloak.svc.cluster.local/realms/master/protocol/openid-connect/certs', audiences: ['sr'], fromCookie: 'Authorization' }], requiredClaims: [{ claim: 'realm_access.roles', values: ['KEYMANAGER_ADMIN'] }], inMesh: true } } };
  const r = parseRegistrySpec({
    ...s, namespace: ns,
    flows: [{ from: 'registry', to: { component: 'minio' }, ports: [{ port: 9000 }] }],
    mesh: { ingressGateway: { namespace: `${ns}-gw` }, ingress: { trustedProxies: 1 } },
    adminAccess: { clientCertificates: { credentialName: 'ward-admin-clients' } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return synthesize(r.spec);
}

const key = (o: { kind?: string; metadata?: { namespace?: string; name?: string } }): string => `${o.kind ?? ''} ${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

describeCluster('edge objects on a real API server with Istio CRDs', () => {
  it('are admitted and stored as synthesised', async () => {
    for (const crd of ['gateways.networking.istio.io', 'virtualservices.networking.istio.io', 'authorizationpolicies.security.istio.io', 'requestauthentications.security.istio.io']) await waitForCrdEstablished(crd);
    const ns = await freshNamespace('ward-edge-it-');
    await adminKubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: `${ns}-gw` } } });
    const objects = edgeSpec(ns);
    const wanted = [`VirtualService ${ns}/public-registry`, `AuthorizationPolicy ${ns}-gw/ward-admin-paths-${ns}-portal`, `RequestAuthentication ${ns}/jwt-minio`, `AuthorizationPolicy ${ns}/admin-paths-registry`, `AuthorizationPolicy ${ns}-gw/ward-admin-paths-${ns}-registry`, `AuthorizationPolicy ${ns}/allow-minio`, `Gateway ${ns}-gw/ward-admin`];
    expect(objects.map(key)).toEqual(expect.arrayContaining(wanted));
    for (const o of objects) {
      const stored = await applyAsAdmin(o as KubernetesObject);
      expect(key(stored)).toBe(key(o));
      if (wanted.includes(key(o))) expect((stored as KubeObject).spec).toEqual(o.spec);
    }
  });

  it('the CRD refuses a jwtRule with both jwks and jwksUri (what the spec validation also refuses)', async () => {
    await waitForCrdEstablished('requestauthentications.security.istio.io');
    const ns = await freshNamespace('ward-edge-it-');
    const bad = { apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: { name: 'both', namespace: ns }, spec: { jwtRules: [{ issuer: 'https://a.example.org', jwks: '{"keys":[]}', jwksUri: 'https://a.example.org/certs' }] } };
    const err = await applyAsAdmin(bad as KubernetesObject).then(() => 'admitted', (e: unknown) => String((e as { body?: unknown }).body ?? e));
    expect(err).toContain('only one of jwks or jwksUri can be set');
  });
});
