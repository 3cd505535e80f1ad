import {
  AuthenticationV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  RbacAuthorizationV1Api,
  type KubernetesObject,
  type V1NetworkPolicy,
} from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { beforeAll, expect, inject, it, vi } from 'vitest';
import { installCrds, WARD_CRD_FILE } from '../../dev-cluster/crds.js';
import { serverSideApplyRaw } from '../../dev-cluster/raw.js';
import { adminKubeConfig, describeCluster, freshNamespace, kubeconfigPath, restrictedKubeConfig, serviceAccountToken, waitForCrdEstablished } from './helpers.js';

const FIELD_MANAGER = 'ward-operator';

/** Server-side apply through client-node's generic object API, as the operator does it. */
async function ssa<T extends KubernetesObject>(obj: T): Promise<T> {
  const client = KubernetesObjectApi.makeApiClient(adminKubeConfig());
  return client.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
}

async function readBack<T extends KubernetesObject>(obj: T): Promise<T> {
  const client = KubernetesObjectApi.makeApiClient(adminKubeConfig());
  const { apiVersion, kind, metadata } = obj;
  return client.read<T>({ apiVersion, kind, metadata: { name: metadata?.name ?? '', namespace: metadata?.namespace ?? '' } });
}

const statusCode = (err: unknown): number | undefined => (err as { code?: number }).code;

describeCluster('the integration control plane is a real kube-apiserver', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await freshNamespace();
  });

  it('points KUBECONFIG of the test processes at this cluster, never at a developer\'s own', () => {
    expect(process.env.KUBECONFIG).toBe(kubeconfigPath);
    expect(process.env.WARD_TEST_KUBECONFIG).toBe(kubeconfigPath);
  });

  it('serves the Istio CRDs installed by the dev cluster', async () => {
    await waitForCrdEstablished('peerauthentications.security.istio.io');
    await waitForCrdEstablished('authorizationpolicies.security.istio.io');
  });

  it('accepts ward\'s own CRD from deploy/crd.yaml (when it exists) and serves it', async () => {
    expect(inject('wardCrdError')).toBe('');
    if (existsSync(WARD_CRD_FILE)) await waitForCrdEstablished('registrydeployments.ward.g2p.dev');
  });

  it('server-side applies a NetworkPolicy and reads it back with every field intact', async () => {
    const policy: V1NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'odoo-from-gateway', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'ward' } },
      spec: {
        podSelector: { matchLabels: { app: 'odoo' } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{
          _from: [
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istio-ingressgateway' } } },
            { ipBlock: { cidr: '10.8.0.0/24', except: ['10.8.0.1/32'] } },
          ],
          ports: [{ protocol: 'TCP', port: 8069 }, { protocol: 'TCP', port: 9000, endPort: 9010 }],
        }],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgresql' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
      },
    };
    const applied = await ssa(policy);
    expect(applied.metadata?.managedFields?.map((f) => f.manager)).toContain(FIELD_MANAGER);
    const stored = await readBack(policy);
    expect(stored.spec).toEqual(policy.spec);
    expect(stored.metadata?.labels).toEqual(policy.metadata?.labels);
  });

  // cdk8s and YAML give plain JSON (`from`), while client-node's typed model spells it `_from`: its
  // serializer drops the unknown key, and an ingress rule without `from` admits every source.
  // Plain JSON of built-in kinds must go through a raw apply (dev-cluster/raw.ts) or be deserialized first.
  it('documents the client-node hazard: a plain-JSON NetworkPolicy loses `from`, the raw apply keeps it', async () => {
    const plain = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'plain-json', namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: 'odoo' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'nginx' } } }], ports: [{ protocol: 'TCP', port: 8069 }] }],
      },
    };
    const viaClient = (await ssa(plain)) as unknown as V1NetworkPolicy;
    expect(viaClient.spec?.ingress?.[0]?._from).toBeUndefined();
    await serverSideApplyRaw(adminKubeConfig(), `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, plain, FIELD_MANAGER);
    const stored = await readBack(plain as unknown as V1NetworkPolicy);
    expect(stored.spec?.ingress?.[0]?._from).toEqual([{ podSelector: { matchLabels: { app: 'nginx' } } }]);
  });

  it('server-side applies Istio PeerAuthentication and AuthorizationPolicy as plain JSON without losing fields', async () => {
    const peer = {
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'strict', namespace: ns },
      spec: { selector: { matchLabels: { app: 'odoo' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8069': { mode: 'STRICT' }, '9100': { mode: 'PERMISSIVE' } } },
    };
    const authz = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'odoo-allow', namespace: ns },
      spec: {
        selector: { matchLabels: { app: 'odoo' } },
        action: 'ALLOW',
        rules: [{
          from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'], notNamespaces: ['default'] } }],
          to: [{ operation: { ports: ['8069'], methods: ['GET', 'POST'], notPaths: ['/web/database/*'] } }],
          when: [{ key: 'request.headers[x-ward]', values: ['1'] }],
        }],
      },
    };
    for (const obj of [peer, authz]) {
      await ssa(obj);
      const stored = await readBack(obj);
      expect(stored).toMatchObject({ apiVersion: obj.apiVersion, kind: obj.kind });
      expect((stored as unknown as { spec: unknown }).spec).toEqual(obj.spec);
    }
  });

  it('rejects an object that breaks a CRD CEL rule with the rule message', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.it.ward.g2p.dev' },
      spec: {
        group: 'it.ward.g2p.dev',
        names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
        scope: 'Namespaced',
        versions: [{
          name: 'v1', served: true, storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                spec: {
                  type: 'object',
                  properties: { replicas: { type: 'integer' }, maxReplicas: { type: 'integer' }, port: { 'x-kubernetes-int-or-string': true } },
                  'x-kubernetes-validations': [{ rule: 'self.replicas <= self.maxReplicas', message: 'replicas must not exceed maxReplicas' }],
                },
              },
            },
          },
        }],
      },
    };
    await installCrds(adminKubeConfig(), [crd]);
    const widget = (name: string, replicas: number) => ({
      apiVersion: 'it.ward.g2p.dev/v1', kind: 'Widget', metadata: { name, namespace: ns }, spec: { replicas, maxReplicas: 3, port: 'http' },
    });
    const client = KubernetesObjectApi.makeApiClient(adminKubeConfig());
    await expect(client.create(widget('ok', 2))).resolves.toMatchObject({ spec: { replicas: 2, port: 'http' } });
    const rejection = await client.create(widget('too-many', 5)).then(() => undefined, (err: unknown) => err);
    expect(statusCode(rejection)).toBe(422);
    expect(JSON.stringify((rejection as { body?: unknown }).body)).toContain('replicas must not exceed maxReplicas');
  });

  it('gives the restricted user a 403 on secrets until a RoleBinding grants it', async () => {
    const restricted = restrictedKubeConfig().makeApiClient(CoreV1Api);
    const denied = await restricted.listNamespacedSecret({ namespace: ns }).then(() => undefined, (err: unknown) => err);
    expect(statusCode(denied)).toBe(403);

    const rbac = adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }] } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'restricted-reads-secrets' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'restricted' }],
      },
    });
    // The RBAC authorizer reads through an informer: wait for it to see the binding.
    await vi.waitFor(() => restricted.listNamespacedSecret({ namespace: ns }), { timeout: 10_000, interval: 100 });
    const otherNs = await freshNamespace();
    const stillDenied = await restricted.listNamespacedSecret({ namespace: otherNs }).then(() => undefined, (err: unknown) => err);
    expect(statusCode(stillDenied)).toBe(403);
  });

  it('acts as a ServiceAccount through a TokenRequest token', async () => {
    const kc = await serviceAccountToken(ns, 'ward-operator');
    const review = await kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${ns}:ward-operator`);
    expect(review.status?.userInfo?.groups).toContain('system:serviceaccounts');
    const denied = await kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns }).then(() => undefined, (err: unknown) => err);
    expect(statusCode(denied)).toBe(403);
  });
});
