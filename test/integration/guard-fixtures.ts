/**
 * Objects for the guard tests: a fixture table per exported rule (at least one object the rule finds
 * and one it passes, as `ward check` judges them) and fast-check generators of the kinds the guard
 * matches. Every object is valid for the API server (schema, Istio CRDs), so its verdict comes from
 * the policies and not from validation.
 */
import fc from 'fast-check';
import type { KubeObject } from '../../charts-src/kube.js';

type Obj = Record<string, unknown>;

const LABELS = { app: 'guarded' };

/** A Deployment (or another workload kind) around a pod spec. */
export function workload(kind: string, podSpec: Obj, annotations: Record<string, string> = {}, templateAnnotations: Record<string, string> = {}): KubeObject {
  const template = { metadata: { labels: LABELS, ...(Object.keys(templateAnnotations).length ? { annotations: templateAnnotations } : {}) }, spec: podSpec };
  const meta = { name: `w-${kind.toLowerCase()}`, ...(Object.keys(annotations).length ? { annotations } : {}) };
  const jobSpec = { template: { ...template, spec: { restartPolicy: 'Never', ...podSpec } } };
  switch (kind) {
    case 'Pod': return { apiVersion: 'v1', kind, metadata: { ...meta, labels: LABELS, ...(template.metadata.annotations ? { annotations: { ...meta.annotations, ...template.metadata.annotations } } : {}) }, spec: podSpec };
    case 'Job': return { apiVersion: 'batch/v1', kind, metadata: meta, spec: jobSpec };
    case 'CronJob': return { apiVersion: 'batch/v1', kind, metadata: meta, spec: { schedule: '0 3 * * *', jobTemplate: { spec: jobSpec } } };
    default: return { apiVersion: 'apps/v1', kind, metadata: meta, spec: { selector: { matchLabels: LABELS }, template } };
  }
}

/** The restricted-plus container: passes every POD rule the guard exports. */
export const HARDENED_SC = {
  allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 10001, readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' },
};

export const container = (extra: Obj = {}, sc: Obj = HARDENED_SC): Obj => ({ name: 'app', image: 'registry.example.org/app:1.0', securityContext: sc, ...extra });
const pod = (extra: Obj = {}, containers: Obj[] = [container()]): Obj => ({ containers, ...extra });

const pa = (spec: Obj, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'pa', ...(annotations ? { annotations } : {}) }, spec });
const np = (spec: Obj, annotations?: Record<string, string>): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', ...(annotations ? { annotations } : {}) }, spec: { podSelector: {}, ...spec } });
const ap = (spec: Obj): KubeObject => ({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'ap' }, spec });
const gw = (servers: Obj[]): KubeObject => ({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'gw' }, spec: { selector: { istio: 'ingressgateway' }, servers } });
const svc = (type: string | undefined, selector: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ...(type ? { type } : {}), selector, ports: [{ port: 8080 }] } });
const port = (protocol: string, n = 443): Obj => ({ number: n, name: `p-${protocol.toLowerCase()}-${String(n)}`, protocol });

/** Pod labels of the parity spec's ingress gateway (mesh.ingressGateway.selector). */
export const SPEC_GATEWAY = { app: 'edge-gateway' };

/** Fixture table: rule id → named objects. */
export const FIXTURES: Readonly<Record<string, readonly (readonly [string, KubeObject])[]>> = {
  'WARD-POD-001': [['a hardened Deployment', workload('Deployment', pod())], ['a privileged Deployment container', workload('Deployment', pod({}, [container({}, { ...HARDENED_SC, allowPrivilegeEscalation: true, privileged: true })]))]],
  'WARD-POD-002': [['allowPrivilegeEscalation false', workload('StatefulSet', pod())], ['allowPrivilegeEscalation unset on an init container', workload('StatefulSet', pod({ initContainers: [container({ name: 'init' }, { ...HARDENED_SC, allowPrivilegeEscalation: undefined })] }))]],
  'WARD-POD-003': [['runAsNonRoot inherited from the pod', workload('Job', pod({ securityContext: { runAsNonRoot: true } }, [container({}, { ...HARDENED_SC, runAsNonRoot: undefined })]))], ['runAsNonRoot nowhere', workload('Job', pod({}, [container({}, { ...HARDENED_SC, runAsNonRoot: undefined })]))], ['container false overrides pod true', workload('Pod', pod({ securityContext: { runAsNonRoot: true } }, [container({}, { ...HARDENED_SC, runAsNonRoot: false })]))]],
  'WARD-POD-004': [['UID 0 at pod level', workload('DaemonSet', pod({ securityContext: { runAsUser: 0 } }, [container({}, { ...HARDENED_SC, runAsUser: undefined })]))], ['container UID overrides pod UID 0', workload('DaemonSet', pod({ securityContext: { runAsUser: 0 } }))]],
  'WARD-POD-005': [['UID 1337 in an application container', workload('Deployment', pod({}, [container({}, { ...HARDENED_SC, runAsUser: 1337 })]))], ['UID 1337 in istio-proxy', workload('Deployment', pod({}, [container({ name: 'istio-proxy' }, { ...HARDENED_SC, runAsUser: 1337 })]))], ['UID 1337 inherited from the pod', workload('Pod', pod({ securityContext: { runAsUser: 1337 } }, [container({}, { ...HARDENED_SC, runAsUser: undefined })]))]],
  'WARD-POD-014': [['no limits', workload('Deployment', pod())], ['cpu and memory limits', workload('Deployment', pod({}, [container({ resources: { limits: { cpu: '500m', memory: '256Mi' } } })]))], ['memory only', workload('Job', pod({}, [container({ resources: { limits: { memory: '256Mi' } } })]))]],
  'WARD-POD-018': [['a safe sysctl', workload('Deployment', pod({ securityContext: { sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] } }))], ['ip_forward', workload('Deployment', pod({ securityContext: { sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] } }))]],
  'WARD-POD-006': [['seccomp from the pod', workload('CronJob', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, [container({}, { ...HARDENED_SC, seccompProfile: undefined })]))], ['Unconfined container over a RuntimeDefault pod', workload('CronJob', pod({ securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, [container({}, { ...HARDENED_SC, seccompProfile: { type: 'Unconfined' } })]))]],
  'WARD-POD-007': [['drops NET_RAW only', workload('Deployment', pod({}, [container({}, { ...HARDENED_SC, capabilities: { drop: ['NET_RAW'] } })]))], ['drops ALL', workload('Deployment', pod())]],
  'WARD-POD-008': [['adds NET_BIND_SERVICE', workload('Deployment', pod({}, [container({}, { ...HARDENED_SC, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })]))], ['adds NET_ADMIN', workload('Deployment', pod({}, [container({}, { ...HARDENED_SC, capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } })]))]],
  'WARD-POD-009': [['hostPID', workload('Pod', pod({ hostPID: true }))], ['hostNetwork false', workload('Pod', pod({ hostNetwork: false }))]],
  'WARD-POD-010': [['a hostPath volume', workload('Deployment', pod({ volumes: [{ name: 'h', hostPath: { path: '/var/run' } }] }))], ['an emptyDir volume', workload('Deployment', pod({ volumes: [{ name: 'e', emptyDir: {} }] }))]],
  'WARD-POD-011': [['hostPort 8080', workload('Deployment', pod({}, [container({ ports: [{ containerPort: 8080, hostPort: 8080 }] })]))], ['containerPort only', workload('Deployment', pod({}, [container({ ports: [{ containerPort: 8080 }] })]))]],
  'WARD-POD-013': [['writable root in an init container', workload('Deployment', pod({ initContainers: [container({ name: 'init' }, { ...HARDENED_SC, readOnlyRootFilesystem: false })] }))], ['waived on the pod template', workload('Deployment', pod({}, [container({}, { ...HARDENED_SC, readOnlyRootFilesystem: false })]), {}, { 'ward.g2p.dev/waive': 'WARD-POD-013: Odoo writes its session store to /var/lib/odoo; owner=registry' })]],
  'WARD-SEC-001': [
    ['DB_PASSWORD as a literal', workload('Deployment', pod({}, [container({ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] })]))],
    ['DB_PASSWORD from a Secret', workload('Deployment', pod({}, [container({ env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }] })]))],
    ['TOKEN_URL is not a secret', workload('Deployment', pod({}, [container({ env: [{ name: 'AUTH_TOKEN_URL', value: 'https://keycloak/token' }] })]))],
    ['a reference $(DB_PASS)', workload('Deployment', pod({}, [container({ env: [{ name: 'PGPASSWORD', value: '$(DB_PASS)' }] })]))],
    ['a boolean', workload('Deployment', pod({}, [container({ env: [{ name: 'USE_PASSWORD', value: 'true' }] })]))],
  ],
  'WARD-MTLS-006': [
    ['namespace-wide PERMISSIVE', pa({ mtls: { mode: 'PERMISSIVE' } })],
    ['namespace-wide STRICT', pa({ mtls: { mode: 'STRICT' } })],
    ['PERMISSIVE with a waiver and its reason', pa({ mtls: { mode: 'PERMISSIVE' } }, { 'ward.g2p.dev/waive': 'WARD-MTLS-006: the legacy SMS gateway cannot do mTLS; expires=2099-01-01; owner=ops' })],
    ['PERMISSIVE with a waiver without reason', pa({ mtls: { mode: 'PERMISSIVE' } }, { 'ward.g2p.dev/waive': 'WARD-MTLS-006: ; owner=ops' })],
    ['a selector policy with a DISABLE port', pa({ selector: { matchLabels: { app: 'db' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 5432: { mode: 'DISABLE' } } })],
    ['UNSET inherits', pa({ mtls: { mode: 'UNSET' } })],
  ],
  'WARD-AUTHZ-002': [
    ['ALLOW without from', ap({ rules: [{ to: [{ operation: { methods: ['GET'] } }] }] })],
    ['ALLOW from principals', ap({ rules: [{ from: [{ source: { principals: ['cluster.local/ns/x/sa/y'] } }] }] })],
    ['DENY without from', ap({ action: 'DENY', rules: [{ to: [{ operation: { paths: ['/admin'] } }] }] })],
    ['allow-nothing', ap({})],
    ['one empty source among two', ap({ rules: [{ from: [{ source: { namespaces: ['a'] } }, {}] }] })],
  ],
  'WARD-AUTHZ-006': [
    ['HTTP without redirect', gw([{ port: port('HTTP', 80), hosts: ['r.example.org'] }])],
    ['HTTP with httpsRedirect', gw([{ port: port('HTTP', 80), hosts: ['r.example.org'], tls: { httpsRedirect: true } }])],
    ['HTTPS SIMPLE', gw([{ port: port('HTTPS'), hosts: ['r.example.org'], tls: { mode: 'SIMPLE', credentialName: 'r-cert' } }])],
    ['plain TCP 5432', gw([{ port: port('TCP', 5432), hosts: ['*'] }])],
    ['lower-case https with tls', gw([{ port: port('https'), hosts: ['r.example.org'], tls: { mode: 'SIMPLE', credentialName: 'c' } }])],
  ],
  'WARD-NET-006': [
    ['ingress rule without from', np({ policyTypes: ['Ingress'], ingress: [{}] })],
    ['default deny', np({ policyTypes: ['Ingress', 'Egress'] })],
    ['egress to 0.0.0.0/0', np({ policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
    ['namespaceSelector {} alone', np({ ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    ['namespaceSelector {} with a podSelector', np({ ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'x' } } }] }] })],
    ['egress rules when policyTypes is Ingress only', np({ policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{}] })],
    ['allow-all waived with a reason', np({ ingress: [{}] }, { 'ward.g2p.dev/waive': 'WARD-NET-006: metrics scraped from every namespace' })],
  ],
  'WARD-NET-008': [
    ['NodePort to an app', svc('NodePort', { app: 'registry' })],
    ['LoadBalancer to the spec gateway', svc('LoadBalancer', SPEC_GATEWAY)],
    ['LoadBalancer to istio: ingressgateway', svc('LoadBalancer', { istio: 'ingressgateway', extra: 'x' })],
    ['ClusterIP', svc(undefined, { app: 'registry' })],
  ],
};

// ---- fast-check generators: small vocabularies that reach every branch of the exported rules ----

const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
const prune = (o: Obj): Obj => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const ENV_NAMES = ['DB_PASSWORD', 'API_KEY', 'AUTH_TOKEN_URL', 'LOG_LEVEL', 'KEYMANAGER_AUTH_CLIENT_SECRET', 'ODOO_PIN', 'SECRET_MODE', 'client_secret'];
const ENV_VALUES = ['hunter2', ' ', 'true', 'NO', '$(OTHER)', '{{ .Values.x }}', 'plain words here', 'Zq8vP2rX9kLm4Tn7Wb3Yc6Hd'];

const envArb = fc.uniqueArray(fc.record({ name: fc.constantFrom(...ENV_NAMES), value: fc.constantFrom(...ENV_VALUES), fromSecret: fc.boolean() }), { selector: (e) => e.name, maxLength: 3 })
  .map((list) => list.map((e) => (e.fromSecret ? { name: e.name, valueFrom: { secretKeyRef: { name: 's', key: 'k' } } } : { name: e.name, value: e.value })));

const seccompArb = opt(fc.constantFrom({ type: 'RuntimeDefault' }, { type: 'Unconfined' }, { type: 'Localhost', localhostProfile: 'p.json' }));
const uidArb = opt(fc.constantFrom(0, 1337, 10001));

const containerScArb = fc.record({
  privileged: opt(fc.boolean()), allowPrivilegeEscalation: opt(fc.boolean()), runAsNonRoot: opt(fc.boolean()), runAsUser: uidArb,
  readOnlyRootFilesystem: opt(fc.boolean()), seccompProfile: seccompArb,
  capabilities: opt(fc.record({ drop: opt(fc.subarray(['ALL', 'NET_RAW'])), add: opt(fc.subarray(['NET_BIND_SERVICE', 'NET_ADMIN'])) })),
}).map((sc) => {
  // The API server refuses privileged with allowPrivilegeEscalation: false.
  const fixed = sc.privileged === true && sc.allowPrivilegeEscalation === false ? { ...sc, allowPrivilegeEscalation: undefined } : sc;
  return prune({ ...fixed, ...(fixed.capabilities ? { capabilities: prune(fixed.capabilities) } : {}) });
});

const limitsArb = opt(fc.subarray(['cpu', 'memory'], { minLength: 1 }).map((keys) => ({ limits: Object.fromEntries(keys.map((k) => [k, k === 'cpu' ? '1' : '1Gi'])) })));
const containerArb = (name: string, containerPort: number): fc.Arbitrary<Obj> => fc.record({ sc: opt(containerScArb), env: envArb, hostPort: fc.boolean(), resources: limitsArb, proxy: fc.boolean() })
  .map(({ sc, env, hostPort, resources, proxy }) => prune({
    name: proxy && name === 'c0' ? 'istio-proxy' : name, image: 'registry.example.org/app:1.0', securityContext: sc, env: env.length ? env : undefined, resources,
    ports: [{ containerPort, ...(hostPort ? { hostPort: containerPort } : {}) }],
  }));

const waiverArb = opt(fc.constantFrom('WARD-POD-003: the image needs root at start; owner=ops', 'WARD-SEC-001:', 'WARD-POD-007: legacy; expires=2099-12-31', 'WARD-POD-013: '));

/** Workloads of every matched kind with pod- and container-level settings drawn from small sets. */
export const workloadArb: fc.Arbitrary<KubeObject> = fc.record({
  kind: fc.constantFrom('Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob'),
  podSc: opt(fc.record({ runAsNonRoot: opt(fc.boolean()), runAsUser: uidArb, seccompProfile: seccompArb, sysctls: opt(fc.subarray([{ name: 'net.ipv4.tcp_syncookies', value: '1' }, { name: 'net.ipv4.ip_forward', value: '1' }], { minLength: 1 })) }).map(prune)),
  host: fc.record({ hostNetwork: opt(fc.boolean()), hostPID: opt(fc.boolean()), hostIPC: opt(fc.boolean()) }).map(prune),
  hostPath: fc.boolean(),
  containers: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }).chain((l) => fc.tuple(...l.map((_, i) => containerArb(`c${String(i)}`, 8080 + i)))),
  init: opt(containerArb('init', 9090)),
  waiver: waiverArb,
}).map((w) => workload(w.kind, prune({
  // The API server refuses namespaced sysctls beside hostNetwork or hostIPC.
  securityContext: w.podSc && (w.host.hostNetwork === true || w.host.hostIPC === true) ? prune({ ...w.podSc, sysctls: undefined }) : w.podSc, ...w.host, containers: w.containers, initContainers: w.init ? [w.init] : undefined,
  volumes: w.hostPath ? [{ name: 'h', hostPath: { path: '/data' } }] : undefined,
}), {}, w.waiver ? { 'ward.g2p.dev/waive': w.waiver } : {}));

const peerArb = fc.constantFrom<Obj>({ namespaceSelector: {} }, { namespaceSelector: { matchLabels: { team: 'a' } } }, { podSelector: {} }, { namespaceSelector: {}, podSelector: {} },
  { ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '::/0' } }, { namespaceSelector: { matchExpressions: [{ key: 'k', operator: 'Exists' }] } });
const npRuleArb = (field: 'from' | 'to'): fc.Arbitrary<Obj> => fc.record({ peers: opt(fc.array(peerArb, { maxLength: 2 })), ports: fc.boolean() })
  .map((r) => prune({ [field]: r.peers, ports: r.ports ? [{ port: 5432, protocol: 'TCP' }] : undefined }));

export const networkPolicyArb: fc.Arbitrary<KubeObject> = fc.record({
  policyTypes: opt(fc.subarray(['Ingress', 'Egress'], { minLength: 1 })), ingress: opt(fc.array(npRuleArb('from'), { maxLength: 2 })), egress: opt(fc.array(npRuleArb('to'), { maxLength: 2 })),
  waiver: opt(fc.constantFrom('WARD-NET-006: scraped by Prometheus', 'WARD-NET-006')),
}).map((s) => np(prune({ policyTypes: s.policyTypes, ingress: s.ingress, egress: s.egress }), s.waiver ? { 'ward.g2p.dev/waive': s.waiver } : undefined));

const modeArb = fc.constantFrom('UNSET', 'STRICT', 'PERMISSIVE', 'DISABLE');
export const peerAuthenticationArb: fc.Arbitrary<KubeObject> = fc.record({
  selector: fc.boolean(), mode: opt(modeArb), ports: fc.dictionary(fc.constantFrom('5432', '8080'), fc.record({ mode: modeArb }), { maxKeys: 2 }),
  waiver: opt(fc.constantFrom('WARD-MTLS-006: legacy client; owner=ops', 'WARD-MTLS-006: expires=2099-01-01', 'WARD-MTLS-001: not this rule')),
}).map((s) => pa(prune({
  selector: s.selector ? { matchLabels: { app: 'db' } } : undefined, mtls: s.mode ? { mode: s.mode } : undefined,
  portLevelMtls: s.selector && Object.keys(s.ports).length ? s.ports : undefined,
}), s.waiver ? { 'ward.g2p.dev/waive': s.waiver } : undefined));

const sourceArb = fc.constantFrom<Obj | undefined>(undefined, {}, { principals: ['cluster.local/ns/a/sa/b'] }, { namespaces: ['a'] }, { notIpBlocks: ['10.0.0.0/8'] }, { requestPrincipals: ['*'] });
export const authorizationPolicyArb: fc.Arbitrary<KubeObject> = fc.record({
  action: opt(fc.constantFrom('ALLOW', 'DENY', 'AUDIT')),
  rules: opt(fc.array(fc.record({ from: opt(fc.array(sourceArb, { maxLength: 2 })), to: fc.boolean() }), { maxLength: 2 })),
}).map((s) => ap(prune({
  action: s.action,
  rules: s.rules?.map((r) => prune({ from: r.from?.map((src) => (src === undefined ? {} : { source: src })), to: r.to ? [{ operation: { methods: ['GET'] } }] : undefined })),
})));

const serverArb = fc.record({
  protocol: fc.constantFrom('HTTP', 'HTTPS', 'TLS', 'TCP', 'http', 'GRPC', 'HTTP2'), n: fc.constantFrom(80, 443, 5432),
  tls: opt(fc.record({ mode: opt(fc.constantFrom('SIMPLE', 'PASSTHROUGH')), httpsRedirect: opt(fc.boolean()) }).map(prune)),
}).map((s) => prune({ port: port(s.protocol, s.n), hosts: ['r.example.org'], tls: s.tls && Object.keys(s.tls).length ? { ...s.tls, ...(s.tls.mode === 'SIMPLE' ? { credentialName: 'c' } : {}) } : undefined }));
export const gatewayArb: fc.Arbitrary<KubeObject> = fc.uniqueArray(serverArb, { minLength: 1, maxLength: 2, selector: (s) => JSON.stringify(s.port) }).map(gw);

export const serviceArb: fc.Arbitrary<KubeObject> = fc.record({
  type: opt(fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer')),
  selector: fc.constantFrom<Record<string, string>>({ istio: 'ingressgateway' }, SPEC_GATEWAY, { app: 'registry' }, { ...SPEC_GATEWAY, tier: 'edge' }, {}),
}).map((s) => svc(s.type, s.selector));
