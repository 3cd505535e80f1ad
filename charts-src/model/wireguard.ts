import { z } from 'zod';
import { dnsSubdomainName, hostName, labelMap } from './kube-names.js';

/**
 * The `wireguard` section of a RegistryDeployment: the admin gateway that replaces the hand-run
 * bastion. Only public data lives here: peers' public keys and addresses, the name of the Secret that
 * holds the server's private key. Cross-field rules (addresses inside the subnet, unique names, key
 * formats) are in wireguard-validate.ts. Defined locally (not imported from schema.ts) to keep the
 * module graph acyclic.
 */

const dnsLabel = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
  message: 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
});

const portNumber = z
  .number()
  .int({ message: 'must be a whole number between 1 and 65535' })
  .min(1, { message: 'must be between 1 and 65535' })
  .max(65535, { message: 'must be between 1 and 65535' });

const ipv4 = z.ipv4({ message: 'must be an IPv4 address such as 10.15.0.1' });
const cidr = z.cidrv4({ message: 'must be an IPv4 CIDR such as 10.15.0.0/24 (add /32 for a single address)' });

/** Defaults, exported so constructs and the CLI name them once. */
export const WIREGUARD_DEFAULTS = {
  namespace: 'ward-vpn',
  listenPort: 51820,
  subnet: '10.15.0.0/24',
  mtu: 1380,
  privateKeySecret: 'ward-wireguard-key',
  privateKeySecretKey: 'privatekey',
  image: 'ward/wireguard-gateway:0.1.0',
  adminGatewayNamespace: 'istio-system',
  adminGatewayServiceAccount: 'istio-internal-ingressgateway-service-account',
  adminGatewaySelector: { istio: 'internal-ingressgateway' },
} as const;

export const wireguardServiceSchema = z.strictObject({
    type: z.enum(['LoadBalancer', 'NodePort']).default('LoadBalancer').describe('How the UDP listen port is published: LoadBalancer (default; needs UDP support) or NodePort (when the cloud load balancer has no UDP).'),
    nodePort: z.number().int().min(30000, { message: 'must be in the NodePort range 30000-32767' }).max(32767, { message: 'must be in the NodePort range 30000-32767' }).optional().describe('Fixed node port (type NodePort only), 30000-32767; omitted: Kubernetes picks one.'),
  })
  .describe('The UDP Service in front of the gateway.');

export const presharedKeyRefSchema = z.strictObject({
    name: dnsLabel.describe('Secret in the gateway namespace.'),
    key: z.string().min(1).default('presharedkey').describe('Key inside the Secret (default "presharedkey").'),
  })
  .describe('Secret holding the peer\'s preshared key (32 random bytes, base64, `wg genpsk`). Mounted, never inlined.');

export const wireguardPeerSchema = z.strictObject({
    name: dnsLabel.describe('Administrator (or device) name, unique among peers, e.g. "alice-laptop".'),
    publicKey: z.string().describe('The peer\'s public key (`wg pubkey`, 44 characters of base64). The private key stays on the administrator\'s machine.'),
    address: cidr.describe('The peer\'s tunnel address: a /32 inside the subnet, unique, not the gateway\'s own address.'),
    presharedKeySecretRef: presharedKeyRefSchema.optional(),
  })
  .describe('An administrator allowed through the tunnel.');

export const adminGatewayPortSchema = z.strictObject({
    name: z.string().min(1).max(15).default('http').describe('Port name, e.g. "http".'),
    port: portNumber.describe('Service port administrators connect to through the tunnel (the firewall allows it), e.g. 80.'),
    targetPort: portNumber.optional().describe('Container port of the gateway pods (NetworkPolicy); defaults to port. Istio gateways: 80 → 8080.'),
    credentialName: dnsSubdomainName.optional().describe('TLS Secret (in the gateway namespace) for HTTPS on this port; omitted: plain HTTP inside the WireGuard tunnel (waived, visible in reports).'),
  })
  .describe('A TCP port of the internal Istio ingress gateway.');

export const adminGatewaySchema = z.strictObject({
    namespace: dnsLabel.default(WIREGUARD_DEFAULTS.adminGatewayNamespace).describe('Namespace of the internal Istio ingress gateway.'),
    serviceAccount: dnsLabel.default(WIREGUARD_DEFAULTS.adminGatewayServiceAccount).describe('Service account of the gateway pods: its mesh identity in AuthorizationPolicy.'),
    selector: labelMap.refine((m) => Object.keys(m).length > 0, { message: 'must have at least one label: an empty selector would select every pod' }).default({ ...WIREGUARD_DEFAULTS.adminGatewaySelector }).describe('Pod labels of the internal gateway.'),
    ports: z.array(adminGatewayPortSchema).min(1, { message: 'must list at least one port' }).default([{ name: 'http', port: 80, targetPort: 8080 }]).describe('Ports of the gateway the tunnel may reach.'),
    address: cidr.optional().describe('Address range of the gateway Service (ClusterIP or internal load balancer), e.g. 10.96.20.10/32: the only destination forwarded and the client\'s split-tunnel AllowedIPs.'),
  })
  .describe('The internal (in-mesh) Istio ingress gateway: the only thing the tunnel reaches.');

export const adminRouteSchema = z.strictObject({
    host: hostName.describe('Host name administrators use, e.g. registry-admin.internal. Never "*".'),
    component: dnsLabel.describe('Target component (declared in components).'),
    port: portNumber.describe('Target container port of the component (one of its declared ports).'),
    service: dnsLabel.optional().describe('Kubernetes Service name of the component; defaults to "<release>-<component>".'),
    servicePort: portNumber.optional().describe('Service port for the route; defaults to port.'),
  })
  .describe('An admin route: host → component:port, published only on the internal gateway.');

export const privateKeySecretSchema = z.strictObject({
    name: dnsLabel.default(WIREGUARD_DEFAULTS.privateKeySecret).describe('Secret in the gateway namespace holding the server\'s private key.'),
    key: z.string().min(1).default(WIREGUARD_DEFAULTS.privateKeySecretKey).describe('Key inside the Secret.'),
  })
  .describe('Where the server\'s private key lives. Only referenced by name: the key never appears in the spec or in manifests.');

export const wireguardSchema = z.strictObject({
    enabled: z.boolean().default(false).describe('Deploy the WireGuard admin gateway.'),
    namespace: dnsLabel.default(WIREGUARD_DEFAULTS.namespace).describe('Namespace of the gateway: the only privileged namespace ward creates, outside the mesh.'),
    listenPort: portNumber.default(WIREGUARD_DEFAULTS.listenPort).describe('UDP port WireGuard listens on (default 51820).'),
    subnet: cidr.default(WIREGUARD_DEFAULTS.subnet).describe('Tunnel subnet; the gateway takes the first address unless address is set, peers get /32s inside it.'),
    address: ipv4.optional().describe('The gateway\'s own tunnel address; defaults to the first host address of the subnet.'),
    publicKey: z.string().optional().describe('The gateway\'s public key (from `ward wg pubkey` or the operator\'s status), written into client configs by `ward wg peer`. Public data only.'),
    mtu: z.number().int().min(1280, { message: 'must be between 1280 and 1500' }).max(1500, { message: 'must be between 1280 and 1500' }).default(WIREGUARD_DEFAULTS.mtu).describe('Tunnel MTU for the clients (default 1380, safe on GKE; some paths need 1320).'),
    service: wireguardServiceSchema.default({ type: 'LoadBalancer' }),
    sourceRanges: z.array(cidr).default([]).describe('Address ranges administrators connect from (NetworkPolicy ipBlocks, loadBalancerSourceRanges); empty: anywhere, waived and visible in reports.'),
    peers: z.array(wireguardPeerSchema).default([]).describe('Administrators allowed through the tunnel (public keys only).'),
    adminGateway: adminGatewaySchema.default({
      namespace: WIREGUARD_DEFAULTS.adminGatewayNamespace,
      serviceAccount: WIREGUARD_DEFAULTS.adminGatewayServiceAccount,
      selector: { ...WIREGUARD_DEFAULTS.adminGatewaySelector },
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
    }),
    routes: z.array(adminRouteSchema).default([]).describe('Admin routes published on the internal gateway; the AuthorizationPolicy allows exactly these targets.'),
    privateKeySecret: privateKeySecretSchema.default({ name: WIREGUARD_DEFAULTS.privateKeySecret, key: WIREGUARD_DEFAULTS.privateKeySecretKey }),
    image: z.string().min(1).default(WIREGUARD_DEFAULTS.image).describe('Gateway image (built from gateway/Dockerfile); pin a digest in production.'),
  })
  .describe('WireGuard admin gateway: the only way administrators reach internal consoles.');

export type WireguardSpec = z.output<typeof wireguardSchema>;
export type WireguardInput = z.input<typeof wireguardSchema>;
export type WireguardPeer = WireguardSpec['peers'][number];
export type AdminGateway = WireguardSpec['adminGateway'];
export type AdminRoute = WireguardSpec['routes'][number];
