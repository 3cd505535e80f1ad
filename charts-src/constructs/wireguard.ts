import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import {
  IntOrString,
  KubeConfigMap,
  KubeDeployment,
  KubeNamespace,
  KubeNetworkPolicy,
  KubeService,
  KubeServiceAccount,
  Quantity,
  type Container,
  type EnvVar,
  type NetworkPolicyPort,
  type Volume,
  type VolumeMount,
} from '../imports/k8s.js';
import { Annotations, WellKnownLabels } from '../kube.js';
import type { RegistrySpec } from '../model/index.js';
import type { WireguardSpec } from '../model/wireguard.js';
import { GATEWAY_INTERFACE, PRESHARED_KEY_DIR, gatewayInterfaceAddress, renderFirewall, renderPresharedKeyMap, renderServerConfig } from '../wireguard/render.js';
import { namespaceSelector } from './common.js';
import { KUBE_DNS } from './network.js';
import { podSecurityLabels, PodSecurityLabels } from './namespace.js';
import { AdminMeshAccess } from './wireguard-mesh.js';

/**
 * The WireGuard admin gateway (issue 3): administrators reach internal consoles only through it.
 * - Namespace `<wireguard.namespace>`: Pod Security enforce `privileged` (NET_ADMIN and the
 *   `net.ipv4.ip_forward` sysctl need it), audit/warn `restricted` so the exception stays visible;
 *   outside the mesh (`istio-injection: disabled`). The only privileged namespace ward creates.
 * - ServiceAccount without token automount; Deployment (one replica, Recreate): adds only NET_ADMIN,
 *   drops ALL, no privilege escalation, seccomp RuntimeDefault, read-only root, limits; the private
 *   key only from the named Secret; peers + firewall from the ConfigMap (public data only).
 * - Service: UDP on the listen port. NetworkPolicy: default-deny; ingress UDP listen port only;
 *   egress only to the admin gateway pods/ports and DNS.
 * - In the mesh (AdminMeshAccess): Gateway + VirtualServices on the internal gateway, ALLOW from its
 *   identity to exactly the routed targets, NetworkPolicies from the VPN namespace to it and from it
 *   to the targets. No mTLS exception anywhere.
 */
export interface WireguardGatewayProps {
  /** The parsed spec (`parseRegistrySpec`): the registry's namespace and components (the admin targets). */
  readonly spec: RegistrySpec;
  /**
   * The gateway: namespace, listen port, subnet, peers (public keys only), admin targets.
   * @default spec.wireguard (required when the spec has none)
   */
  readonly wireguard?: WireguardSpec;
}

export const GATEWAY_NAME = 'wireguard-gateway';
export const GATEWAY_LABELS = { 'app.kubernetes.io/name': 'ward-wireguard-gateway', 'app.kubernetes.io/component': 'admin-gateway' } as const;
const CONFIG_DIR = '/etc/wireguard/config';
const KEY_DIR = '/etc/wireguard/key';

/** Why the gateway pod is exempt from the restricted pod rules: a waiver on the Deployment (visible in every report). */
const GATEWAY_POD_WAIVERS = [
  'WARD-POD-003: the WireGuard gateway runs as root to use NET_ADMIN (the only capability added; ALL others dropped); namespace enforces privileged, audits restricted',
  'WARD-POD-004: the WireGuard gateway runs as UID 0 to configure its interface and nftables; no privilege escalation, read-only root',
  'WARD-POD-008: NET_ADMIN is required to create the WireGuard interface, routes and nftables rules in the pod network namespace',
  'WARD-POD-018: net.ipv4.ip_forward=1 is required to forward tunnel traffic to the admin gateway (kubelet --allowed-unsafe-sysctls)',
];

/** The Deployment's waivers; an image without a digest is waived only with the way to fix it. */
export function gatewayWaivers(wg: WireguardSpec): string {
  const digest = wg.image.includes('@sha256:') ? [] : ['WARD-POD-016: default gateway image tag; build gateway/Dockerfile and set spec.wireguard.image to repo@sha256:<digest>'];
  return [...GATEWAY_POD_WAIVERS, ...digest].join('\n');
}

/** Waivers for an endpoint open to any source address (no spec.wireguard.sourceRanges). */
export const OPEN_ENDPOINT_WAIVERS = {
  networkPolicy: 'WARD-NET-006: administrators connect from changing addresses; only the WireGuard UDP port is open and WireGuard answers only to known keys (set spec.wireguard.sourceRanges to narrow it)',
  service: 'WARD-NET-008: the WireGuard admin gateway endpoint: UDP only, the single way administrators enter the cluster',
} as const;

/**
 * Pod-template annotation carrying a digest of the ConfigMap data: the entrypoint applies the rendered
 * files once at start, so a changed peer list or ruleset must roll the pod. Deterministic (content only).
 */
export const CONFIG_DIGEST_ANNOTATION = 'ward.g2p.dev/config-sha256';

export function configDigest(data: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const key of Object.keys(data).sort()) h.update(`${key}\0${data[key] ?? ''}\0`);
  return h.digest('hex');
}

/** ConfigMap data: the rendered `wg setconf` peers, nftables ruleset and preshared-key map. Public data only. */
export function gatewayConfigData(wg: WireguardSpec): Record<string, string> {
  return {
    'wg0.conf': renderServerConfig(wg),
    'nftables.conf': renderFirewall(wg, GATEWAY_INTERFACE),
    presharedkeys: renderPresharedKeyMap(wg),
  };
}

function gatewayEnv(wg: WireguardSpec): EnvVar[] {
  return [
    { name: 'WG_INTERFACE', value: GATEWAY_INTERFACE },
    { name: 'WG_ADDRESS', value: gatewayInterfaceAddress(wg) },
    { name: 'WG_MTU', value: String(wg.mtu) },
    { name: 'WG_PRIVATE_KEY_FILE', value: `${KEY_DIR}/privatekey` },
    { name: 'WG_CONFIG_FILE', value: `${CONFIG_DIR}/wg0.conf` },
    { name: 'WG_FIREWALL_FILE', value: `${CONFIG_DIR}/nftables.conf` },
    { name: 'WG_PRESHARED_KEYS_FILE', value: `${CONFIG_DIR}/presharedkeys` },
  ];
}

function presharedKeyVolumes(wg: WireguardSpec): { volumes: Volume[]; mounts: VolumeMount[] } {
  const peers = [...wg.peers].sort((a, b) => a.name.localeCompare(b.name));
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  peers.forEach((p, i) => {
    const ref = p.presharedKeySecretRef;
    if (ref === undefined) return;
    const name = `psk-${String(i)}`;
    volumes.push({ name, secret: { secretName: ref.name, items: [{ key: ref.key, path: 'presharedkey' }], defaultMode: 0o400 } });
    mounts.push({ name, mountPath: `${PRESHARED_KEY_DIR}/${p.name}`, readOnly: true });
  });
  return { volumes, mounts };
}

function gatewayContainer(wg: WireguardSpec, pskMounts: readonly VolumeMount[]): Container {
  return {
    name: 'wireguard',
    image: wg.image,
    imagePullPolicy: 'IfNotPresent',
    env: gatewayEnv(wg),
    ports: [{ name: 'wireguard', containerPort: wg.listenPort, protocol: 'UDP' }],
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: false,
      runAsUser: 0,
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: {
      requests: { cpu: Quantity.fromString('50m'), memory: Quantity.fromString('32Mi') },
      limits: { cpu: Quantity.fromString('500m'), memory: Quantity.fromString('128Mi') },
    },
    livenessProbe: { exec: { command: ['wg', 'show', GATEWAY_INTERFACE] }, periodSeconds: 30 },
    volumeMounts: [
      { name: 'private-key', mountPath: KEY_DIR, readOnly: true },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'run', mountPath: '/var/run/wireguard' },
      ...pskMounts,
    ],
  };
}

export class WireguardGateway extends Construct {
  constructor(scope: Construct, id: string, props: WireguardGatewayProps) {
    super(scope, id);
    const { spec } = props;
    const wg = props.wireguard ?? spec.wireguard;
    if (!wg) throw new Error('WireguardGateway: the spec has no wireguard section and no wireguard prop was given; add spec.wireguard (see docs/wireguard.md)');
    const ns = wg.namespace;
    new KubeNamespace(this, 'namespace', {
      metadata: {
        name: ns,
        labels: {
          ...podSecurityLabels('restricted'),
          [PodSecurityLabels.enforce]: 'privileged',
          [WellKnownLabels.istioInjection]: 'disabled',
        },
      },
    });
    new KubeServiceAccount(this, 'service-account', { metadata: { name: GATEWAY_NAME, namespace: ns }, automountServiceAccountToken: false });
    new KubeConfigMap(this, 'config', { metadata: { name: GATEWAY_NAME, namespace: ns }, data: gatewayConfigData(wg) });
    this.deployment(wg);
    new KubeService(this, 'service', {
      metadata: { name: GATEWAY_NAME, namespace: ns, annotations: { [Annotations.waive]: OPEN_ENDPOINT_WAIVERS.service } },
      spec: {
        type: wg.service.type,
        externalTrafficPolicy: 'Local',
        ...(wg.service.type === 'LoadBalancer' && wg.sourceRanges.length > 0 ? { loadBalancerSourceRanges: [...wg.sourceRanges] } : {}),
        selector: { ...GATEWAY_LABELS },
        ports: [{ name: 'wireguard', protocol: 'UDP', port: wg.listenPort, targetPort: IntOrString.fromNumber(wg.listenPort), ...(wg.service.nodePort === undefined ? {} : { nodePort: wg.service.nodePort }) }],
      },
    });
    this.networkPolicies(wg);
    new AdminMeshAccess(this, 'mesh', { spec, wireguard: wg, gatewayLabels: GATEWAY_LABELS });
  }

  private deployment(wg: WireguardSpec): void {
    const psk = presharedKeyVolumes(wg);
    new KubeDeployment(this, 'deployment', {
      metadata: { name: GATEWAY_NAME, namespace: wg.namespace, labels: { ...GATEWAY_LABELS }, annotations: { [Annotations.waive]: gatewayWaivers(wg) } },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...GATEWAY_LABELS } },
        template: {
          metadata: { labels: { ...GATEWAY_LABELS }, annotations: { [CONFIG_DIGEST_ANNOTATION]: configDigest(gatewayConfigData(wg)) } },
          spec: {
            serviceAccountName: GATEWAY_NAME,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: { seccompProfile: { type: 'RuntimeDefault' }, sysctls: [{ name: 'net.ipv4.ip_forward', value: '1' }] },
            containers: [gatewayContainer(wg, psk.mounts)],
            volumes: [
              { name: 'private-key', secret: { secretName: wg.privateKeySecret.name, items: [{ key: wg.privateKeySecret.key, path: 'privatekey' }], defaultMode: 0o400 } },
              { name: 'config', configMap: { name: GATEWAY_NAME } },
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: Quantity.fromString('1Mi') } },
              ...psk.volumes,
            ],
          },
        },
      },
    });
  }

  private networkPolicies(wg: WireguardSpec): void {
    const ns = wg.namespace;
    const gw = wg.adminGateway;
    const gwPorts: NetworkPolicyPort[] = [...new Set(gw.ports.map((p) => p.targetPort ?? p.port))].sort((a, b) => a - b).map((p) => ({ protocol: 'TCP', port: IntOrString.fromNumber(p) }));
    new KubeNetworkPolicy(this, 'default-deny', { metadata: { name: 'default-deny', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
    const open = wg.sourceRanges.length === 0;
    new KubeNetworkPolicy(this, 'gateway-policy', {
      metadata: { name: GATEWAY_NAME, namespace: ns, ...(open ? { annotations: { [Annotations.waive]: OPEN_ENDPOINT_WAIVERS.networkPolicy } } : {}) },
      spec: {
        podSelector: { matchLabels: { ...GATEWAY_LABELS } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ ...(open ? {} : { from: wg.sourceRanges.map((cidr) => ({ ipBlock: { cidr } })) }), ports: [{ protocol: 'UDP', port: IntOrString.fromNumber(wg.listenPort) }] }],
        egress: [
          { to: [{ namespaceSelector: namespaceSelector(gw.namespace), podSelector: { matchLabels: { ...gw.selector } } }], ports: gwPorts },
          {
            to: [{ namespaceSelector: namespaceSelector(KUBE_DNS.namespace), podSelector: { matchLabels: { ...KUBE_DNS.selector } } }],
            ports: [
              { protocol: 'UDP', port: IntOrString.fromNumber(KUBE_DNS.port) },
              { protocol: 'TCP', port: IntOrString.fromNumber(KUBE_DNS.port) },
            ],
          },
        ],
      },
    });
  }
}
