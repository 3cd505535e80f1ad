import { z } from 'zod';
import { dnsSubdomainName, hostName, labelMap } from './kube-names.js';
import { adminAccessSchema, adminPathsSchema, exposureAuthSchema, meshIngressSchema, publicRouteSchema } from './edge.js';
import { wireguardSchema } from './wireguard.js';
import { dataTierSchema } from './data-tier.js';

/**
 * The RegistryDeployment spec: the one source of truth for the CR's spec, the `ward synth -f` input
 * file and (through z.toJSONSchema) the CRD's OpenAPI schema. Every field carries a description:
 * they become `kubectl explain` text. Defaults are the hardened values.
 */

/** DNS-1123 label: lowercase alphanumerics and '-', at most 63 characters. */
export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    message: 'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  });


export const protocolSchema = z.enum(['TCP', 'UDP']).default('TCP').describe('Transport protocol: TCP (default) or UDP.');

export const portNumber = z
  .number()
  .int({ message: 'must be a whole number between 1 and 65535' })
  .min(1, { message: 'must be between 1 and 65535' })
  .max(65535, { message: 'must be between 1 and 65535' });

export const componentPortSchema = z.strictObject({
    name: z.string().min(1).max(15).describe('Port name (IANA_SVC_NAME, at most 15 characters), e.g. "http" or "tcp-postgres".'),
    port: portNumber.describe('Container port the component listens on (after Service translation).'),
    protocol: protocolSchema,
  })
  .describe('A port the component listens on.');

export const exposureSchema = z.strictObject({
    type: z.enum(['none', 'ingress']).default('none').describe('"none" (default): reachable only through declared flows; "ingress": published through the Istio ingress gateway.'),
    hosts: z.array(hostName).default([]).describe('Host names published through the ingress gateway (type ingress). Never "*".'),
    port: portNumber.optional().describe('Container port the ingress gateway may reach; defaults to the first port of the component.'),
    adminPaths: adminPathsSchema.optional(),
    allowedSources: z.array(z.cidrv4({ error: cidrError })).optional().describe('Address ranges (e.g. the office) from which adminPaths may also be used through the public ingress gateway; needs mesh.ingress.trustedProxies. Absent (default): admin paths only through the admin gateway.'),
    auth: exposureAuthSchema.optional(),
    route: publicRouteSchema.optional(),
  })
  .describe('How the component is reached from outside the namespace.');

export const componentSchema = z.strictObject({
    name: dnsLabel.describe('Component name, unique in the spec, used in flows, e.g. "registry", "postgresql".'),
    namespace: dnsLabel.optional().describe('Namespace the component runs in; defaults to the spec namespace.'),
    selector: labelMap.refine((m) => Object.keys(m).length > 0, { message: 'must have at least one label: an empty selector would select every pod' }).describe('Pod labels that select the component\'s pods (matchLabels).'),
    serviceAccount: dnsLabel.describe('Service account the component\'s pods run as: its mesh identity (cluster.local/ns/<ns>/sa/<sa>).'),
    ports: z.array(componentPortSchema).default([]).describe('Ports the component listens on.'),
    personalData: z.boolean().default(false).describe('True when the component stores or processes personal data; raises the severity of audit findings.'),
    exposure: exposureSchema.default({ type: 'none', hosts: [] }),
    sharedIdentityReason: z.string().min(1).optional().describe('Why this component shares its service account with an earlier component (the chart offers no own account). Istio authorization then admits every pod of that account; NetworkPolicy still tells the pods apart by their labels.'),
  })
  .describe('A workload of the registry stack.');

export const flowPortSchema = z.strictObject({
    port: portNumber.describe('Destination port (container port for components).'),
    protocol: protocolSchema,
  })
  .describe('A destination port of a flow.');

/** "CIDR mask is missing in "10.0.0.1". Did you mean "10.0.0.1/32"?" (STYLE.md 2). */
function cidrError(issue: { input?: unknown }): string {
  const input = issue.input;
  if (typeof input === 'string' && /^\d{1,3}(\.\d{1,3}){3}$/.test(input)) return `CIDR mask is missing in "${input}": did you mean "${input}/32"?`;
  return `must be an IPv4 CIDR such as 203.0.113.0/24 (add /32 for a single address)${typeof input === 'string' ? `, got "${input}"` : ''}`;
}

export const flowTargetSchema = z.strictObject({
    component: dnsLabel.optional().describe('Destination component name (declared in components).'),
    cidr: z.cidrv4({ error: cidrError }).optional().describe('Destination outside the cluster, as an IPv4 CIDR.'),
  })
  .describe('Destination of a flow: exactly one of component or cidr.');

export const flowSchema = z.strictObject({
    from: dnsLabel.describe('Source component name (declared in components).'),
    to: flowTargetSchema,
    ports: z.array(flowPortSchema).min(1, { message: 'must list at least one port: a flow without ports would allow every port' }).describe('Destination ports the flow allows.'),
    description: z.string().optional().describe('Why this flow exists (shown in reports).'),
  })
  .describe('An intended connection. Everything not listed is denied at L4 (NetworkPolicy) and L7 (AuthorizationPolicy).');

export const mtlsModeSchema = z.enum(['STRICT', 'PERMISSIVE', 'DISABLE']);

export const ingressGatewaySchema = z.strictObject({
    namespace: dnsLabel.default('istio-system').describe('Namespace of the Istio ingress gateway.'),
    serviceAccount: dnsLabel.default('istio-ingressgateway-service-account').describe('Service account of the ingress gateway pods (its mesh identity).'),
    selector: labelMap.default({ istio: 'ingressgateway' }).describe('Pod labels of the ingress gateway.'),
  })
  .describe('The Istio ingress gateway that publishes exposed components.');

export const meshSchema = z.strictObject({
    mtlsMode: mtlsModeSchema.default('STRICT').describe('Namespace-wide mTLS mode. STRICT (default) refuses plaintext; anything weaker needs mtlsReason.'),
    mtlsReason: z.string().min(1).optional().describe('Required when mtlsMode is weaker than STRICT: why, recorded as an annotation on the output.'),
    meshWide: z.boolean().default(false).describe('Also emit a mesh-wide STRICT PeerAuthentication in the root namespace.'),
    rootNamespace: dnsLabel.default('istio-system').describe('Istio root namespace (mesh-wide policy lives here).'),
    istiodNamespace: dnsLabel.default('istio-system').describe('Namespace of istiod (sidecars need egress to it on 15012).'),
    ingressGateway: ingressGatewaySchema.default({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account', selector: { istio: 'ingressgateway' } }),
    sidecarInjection: z.boolean().default(true).describe('Label the namespace for Istio sidecar injection.'),
    ingress: meshIngressSchema.default({}),
  })
  .describe('Istio service-mesh settings.');

export const secretKeyRequirementSchema = z.strictObject({
    key: z.string().min(1).describe('Key inside the Secret.'),
    minLength: z.number().int().min(0).default(16).describe('Minimum length of the value in bytes.'),
    minEntropyBits: z.number().min(0).default(64).describe('Minimum estimated entropy of the value in bits.'),
    maxAgeDays: z.number().int().min(1).optional().describe('Maximum age in days (creation time or the rotation annotation).'),
  })
  .describe('A key a component needs in a Secret.');

export const secretRequirementSchema = z.strictObject({
    name: dnsSubdomainName.describe('Secret name in the spec namespace.'),
    keys: z.array(secretKeyRequirementSchema).min(1).describe('Keys that must exist and meet the strength rules.'),
    usedBy: z.array(dnsLabel).default([]).describe('Components that read this Secret.'),
  })
  .describe('A Secret the stack depends on. Values are never read into the spec, logs or status.');

export const secretKeyRefSchema = z.strictObject({
    name: dnsSubdomainName.describe('Secret name.'),
    key: z.string().min(1).describe('Key inside the Secret.'),
  })
  .describe('Reference to one key of a Secret in the spec namespace.');

export const keyManagerProbeSchema = z.strictObject({
    enabled: z.boolean().default(false).describe('Probe the key manager live: fetch a token, then the certificate.'),
    intervalSeconds: z.number().int().min(30).default(300).describe('Seconds between probes.'),
    timeoutSeconds: z.number().int().min(1).max(60).default(10).describe('Timeout of each probe request.'),
    certificateExpiryWarningDays: z.number().int().min(0).default(30).describe('Report the certificate as expiring when it expires within this many days.'),
    caSecretRef: secretKeyRefSchema.optional().describe('CA bundle to verify the key manager and token endpoint (defaults to the system roots).'),
  })
  .describe('Live probe of the key manager.');

export const keyManagerSchema = z.strictObject({
    component: dnsLabel.default('keymanager').describe('Component name of the key manager in this spec.'),
    apiBaseUrl: z.url().describe('Key manager REST base, e.g. https://keymanager.keymanager/v1/keymanager (KEYMANAGER_API_BASE_URL).'),
    tokenUrl: z.url().describe('OAuth2 token endpoint (KEYMANAGER_AUTH_URL).'),
    clientId: z.string().min(1).describe('OAuth2 client id (KEYMANAGER_AUTH_CLIENT_ID).'),
    clientSecretRef: secretKeyRefSchema.describe('Secret holding the client secret (KEYMANAGER_AUTH_CLIENT_SECRET); never a literal.'),
    grantType: z.literal('client_credentials').default('client_credentials').describe('OAuth2 grant type; only client_credentials is accepted.'),
    applicationId: z.string().min(1).default('REGISTRATION').describe('Key manager application id used for encryption.'),
    referenceId: z.string().min(1).default('ENCRYPT').describe('Key manager reference id used for encryption.'),
    piiEncryptionRequired: z.boolean().default(true).describe('Personal data fields must be encrypted through the key manager.'),
    probe: keyManagerProbeSchema.default({ enabled: false, intervalSeconds: 300, timeoutSeconds: 10, certificateExpiryWarningDays: 30 }),
  })
  .describe('MOSIP key manager configuration the registry depends on.');

export const monitoringSchema = z.strictObject({
    enabled: z.boolean().default(true).describe('Emit Istio Telemetry (access logs on the ingress gateway and in personal-data namespaces, a login-path tag on the gateway\'s request metric) and a prometheus-operator PrometheusRule of pre-warning alerts (docs/monitoring.md).'),
    loginPaths: z.array(z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, { message: 'must be a URL path such as /web/login' })).default(['/web/login', '/auth/']).describe('URL path prefixes counted as login requests on the public gateway (Odoo /web/login, Keycloak /auth/).'),
  })
  .describe('Run-time pre-warning: what the mesh logs and which alerts fire when someone behaves out of the ordinary.');

/** `audit`: Warn + Audit; `enforce`: Deny + Audit. */
export const guardModeSchema = z.enum(['audit', 'enforce']);

export const presetNameSchema = z.enum(['openg2p-social-registry', 'openg2p-commons']);

export const registrySpecSchema = z.strictObject({
    preset: presetNameSchema.optional().describe('Fill components and flows from a known stack; anything stated in the spec overrides the preset.'),
    release: dnsLabel.default('openg2p').describe('Helm release name of the stack (prefix of its object names).'),
    namespace: dnsLabel.describe('Namespace of the registry stack.'),
    components: z.array(componentSchema).default([]).describe('Workloads of the stack.'),
    flows: z.array(flowSchema).default([]).describe('Intended connections; everything else is denied.'),
    mesh: meshSchema.default({
      mtlsMode: 'STRICT',
      meshWide: false,
      rootNamespace: 'istio-system',
      istiodNamespace: 'istio-system',
      ingressGateway: { namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account', selector: { istio: 'ingressgateway' } },
      sidecarInjection: true,
      ingress: {},
    }),
    wireguard: wireguardSchema.optional(),
    secrets: z.array(secretRequirementSchema).default([]).describe('Secrets the stack depends on and their strength rules.'),
    keyManager: keyManagerSchema.optional(),
    dataTier: dataTierSchema.optional(),
    adminAccess: adminAccessSchema.optional(),
    monitoring: monitoringSchema.optional(),
    guard: guardModeSchema.optional().describe('What the admission guard (ward guard: ValidatingAdmissionPolicies in the stack\'s namespaces) does with an object that breaks an exported rule: audit (default) lets it in with a warning and an audit record, enforce refuses it.'),
  })
  .describe('A registry stack holding personal data, hardened by ward.');

/** The spec as written (before defaults), e.g. the input of a preset override. */
export type RegistrySpecInput = z.input<typeof registrySpecSchema>;
/** The spec after defaults: what synthesis and checks consume. */
export type RegistrySpec = z.output<typeof registrySpecSchema>;
export type Component = RegistrySpec['components'][number];
export type Flow = RegistrySpec['flows'][number];
export type MeshSpec = RegistrySpec['mesh'];
export type KeyManagerSpec = NonNullable<RegistrySpec['keyManager']>;
export type SecretRequirement = RegistrySpec['secrets'][number];
