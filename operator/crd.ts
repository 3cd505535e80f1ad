import { z } from 'zod';
import { API_GROUP, isRecord, KIND, type KubeObject } from '../charts-src/kube.js';
import { registrySpecSchema } from '../charts-src/model/index.js';

/**
 * The RegistryDeployment CustomResourceDefinition, generated from the zod model (the one source of
 * truth): `z.toJSONSchema(..., {io: 'input'})` turned into a Kubernetes structural schema, plus the
 * CEL rules for cross-field checks, the status subresource and printer columns. Pure.
 */

export const PLURAL = 'registrydeployments';
export const SINGULAR = 'registrydeployment';
export const CRD_NAME = `${PLURAL}.${API_GROUP}`;
export const VERSION = 'v1alpha1';

type Json = Record<string, unknown>;

/** Upper bounds for lists, so the API server can bound the cost of the CEL rules that iterate them. */
const MAX_ITEMS: Readonly<Record<string, number>> = {
  components: 64,
  flows: 256,
  ports: 32,
  hosts: 32,
  secrets: 128,
  keys: 32,
  usedBy: 64,
  peers: 64,
  adminTargets: 128,
};
const DEFAULT_MAX_ITEMS = 256;
const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
/** Formats the API server knows; other JSON-schema formats (zod's cidrv4 ...) are dropped (the pattern stays). */
const KNOWN_FORMATS = new Set(['uri', 'ipv4', 'ipv6', 'cidr', 'date-time', 'byte']);
/** Longest valid value of a format: bounds CEL cost estimates on these strings. */
const FORMAT_MAX_LENGTH: Readonly<Record<string, number>> = { cidrv4: 18, ipv4: 15 };
/** Fields filled from elsewhere when absent: `namespace` comes from the CR's metadata.namespace. */
const OPTIONAL_IN_CR = new Set(['namespace']);

function withDefaultNote(description: string | undefined, def: unknown): string | undefined {
  if (def === undefined || description === undefined) return description;
  const shown = JSON.stringify(def);
  if (shown.length > 80 || /default/i.test(description)) return description;
  return `${description} Default: ${shown}.`;
}

type KeyHandler = (out: Json, value: unknown, name: string) => void;

/** How each JSON-schema key becomes structural; keys not listed are copied as they are. */
const KEY_HANDLERS: Readonly<Record<string, KeyHandler>> = {
  $schema: () => undefined,
  propertyNames: () => undefined,
  default: () => undefined,
  const: (out, v) => {
    out.enum = [v];
  },
  format: (out, v) => {
    if (typeof v !== 'string') return;
    if (KNOWN_FORMATS.has(v)) out.format = v;
    if (FORMAT_MAX_LENGTH[v] !== undefined) out.maxLength = FORMAT_MAX_LENGTH[v];
  },
  additionalProperties: (out, v) => {
    if (isRecord(v)) out.additionalProperties = toStructural(v);
  },
  properties: (out, v) => {
    out.properties = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toStructural(s as Json, p)]));
  },
  items: (out, v) => {
    out.items = toStructural(v as Json);
  },
  anyOf: (_out, _v, name) => notStructural(name, 'anyOf'),
  oneOf: (_out, _v, name) => notStructural(name, 'oneOf'),
  allOf: (_out, _v, name) => notStructural(name, 'allOf'),
};

function notStructural(name: string, key: string): never {
  throw new Error(`schema at "${name}" uses ${key}: not structural; express it with a single type and a CEL rule`);
}

/** Bounds lists and strings so the API server can estimate the cost of CEL rules. */
function addBounds(out: Json, name: string): void {
  if (out.type === 'array' && out.maxItems === undefined) out.maxItems = MAX_ITEMS[name] ?? DEFAULT_MAX_ITEMS;
  if (out.type !== 'string' || out.maxLength !== undefined || out.enum !== undefined) return;
  out.maxLength = out.pattern === DNS_LABEL_PATTERN ? 63 : 1024;
}

/**
 * Converts one JSON-schema node into a structural schema node: no `$schema`, `const`,
 * `propertyNames` or `additionalProperties: false`; defaults moved into the description (the
 * operator applies them through zod, so the stored CR stays as written); lists and strings bounded.
 */
export function toStructural(node: Json, name = ''): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    const handler = KEY_HANDLERS[k];
    if (handler) handler(out, v, name);
    else out[k] = v;
  }
  const description = withDefaultNote(typeof node.description === 'string' ? node.description : undefined, node.default);
  if (description !== undefined) out.description = description;
  addBounds(out, name);
  return out;
}

/** A CEL rule with the message the API server returns when it fails. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueForbidden';
}

/**
 * Cross-field rules checked at admission. Flow endpoints are only checked against `components` when
 * no `preset` is set: a preset supplies components the API server cannot see, so such specs are
 * checked by the operator (SpecValid=False with paths) instead.
 */
export const SPEC_RULES: readonly CelRule[] = [
  {
    rule: 'has(self.preset) || !has(self.components) || self.components.all(c, has(c.selector) && has(c.serviceAccount))',
    message: 'every component needs selector and serviceAccount (with a preset, a component may name only the fields it overrides)',
    fieldPath: '.components',
    reason: 'FieldValueRequired',
  },
  {
    rule: "has(self.preset) || !has(self.flows) || self.flows.all(f, has(self.components) && self.components.exists(c, c.name == f.from))",
    message: 'every flow.from must name a component declared in spec.components (checked at admission only when no preset is set)',
    fieldPath: '.flows',
    reason: 'FieldValueInvalid',
  },
  {
    rule: "has(self.preset) || !has(self.flows) || self.flows.all(f, !has(f.to.component) || (has(self.components) && self.components.exists(c, c.name == f.to.component)))",
    message: 'every flow.to.component must name a component declared in spec.components (checked at admission only when no preset is set)',
    fieldPath: '.flows',
    reason: 'FieldValueInvalid',
  },
];

export const MESH_RULES: readonly CelRule[] = [
  {
    rule: "!has(self.mtlsMode) || self.mtlsMode == 'STRICT' || (has(self.mtlsReason) && self.mtlsReason.trim().size() > 0)",
    message: 'mtlsMode weaker than STRICT needs mtlsReason: state why, or use STRICT',
    fieldPath: '.mtlsReason',
    reason: 'FieldValueRequired',
  },
];

export const FLOW_TARGET_RULES: readonly CelRule[] = [
  { rule: 'has(self.component) != has(self.cidr)', message: 'set exactly one of component or cidr', reason: 'FieldValueInvalid' },
];

export const WIREGUARD_PEER_RULES: readonly CelRule[] = [
  {
    rule: '!has(self.peers) || self.peers.all(p, !has(p.address) || self.peers.exists_one(q, has(q.address) && q.address == p.address))',
    message: 'WireGuard peer addresses must be unique',
    fieldPath: '.peers',
    // FieldValueDuplicate would make the API server print "Duplicate value" without this message.
    reason: 'FieldValueInvalid',
  },
];

function addRules(node: Json | undefined, rules: readonly CelRule[]): void {
  if (!node) return;
  node['x-kubernetes-validations'] = rules.map((r) => ({ ...r }));
}

function prop(node: Json | undefined, ...path: string[]): Json | undefined {
  let cur = node;
  for (const p of path) {
    const props = cur?.properties;
    cur = isRecord(props) && isRecord(props[p]) ? props[p] : undefined;
  }
  return cur;
}

/** The spec's structural schema with the CEL rules attached. */
export function specSchema(): Json {
  const spec = toStructural(z.toJSONSchema(registrySpecSchema, { io: 'input', unrepresentable: 'any' }), 'spec');
  if (Array.isArray(spec.required)) {
    const required = spec.required.filter((r) => typeof r === 'string' && !OPTIONAL_IN_CR.has(r));
    if (required.length > 0) spec.required = required;
    else delete spec.required;
  }
  // With a preset, a component may state only its name and the fields it overrides (merged by name):
  // only `name` is required structurally; SPEC_RULES require the rest when there is no preset.
  const components = prop(spec, 'components');
  if (isRecord(components?.items)) components.items.required = ['name'];
  addRules(spec, SPEC_RULES);
  addRules(prop(spec, 'mesh'), MESH_RULES);
  const flows = prop(spec, 'flows');
  addRules(isRecord(flows?.items) ? prop(flows.items, 'to') : undefined, FLOW_TARGET_RULES);
  const wg = prop(spec, 'wireguard');
  const peers = prop(wg, 'peers');
  if (isRecord(peers?.items) && prop(peers.items, 'address')) addRules(wg, WIREGUARD_PEER_RULES);
  return spec;
}

const conditionSchema: Json = {
  type: 'object',
  description: 'A metav1.Condition: one aspect of the RegistryDeployment\'s state.',
  required: ['type', 'status', 'lastTransitionTime', 'reason', 'message'],
  properties: {
    type: { type: 'string', maxLength: 316, description: 'Condition type in PascalCase, e.g. Ready, SecretsValid.' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'], description: 'True, False or Unknown.' },
    observedGeneration: { type: 'integer', format: 'int64', minimum: 0, description: 'metadata.generation the condition was computed for.' },
    lastTransitionTime: { type: 'string', format: 'date-time', description: 'When status last changed.' },
    reason: { type: 'string', maxLength: 1024, minLength: 1, description: 'Machine-readable reason in CamelCase.' },
    message: { type: 'string', maxLength: 32768, description: 'Human-readable detail; never contains a secret value.' },
  },
};

export function statusSchema(): Json {
  return {
    type: 'object',
    description: 'What the operator observed and did. Written by ward-operator only.',
    properties: {
      observedGeneration: { type: 'integer', format: 'int64', description: 'metadata.generation the status was computed for.' },
      conditions: {
        type: 'array',
        maxItems: 32,
        description: 'Ready (summary) plus SpecValid, MeshPolicyApplied, NetworkPolicyApplied, GatewayReady, SecretsValid, KeyManagerConfigured, KeyManagerReachable, DatabaseTLS, OdooDatabaseManagerDisabled and AttachmentsPrivate (spec.dataTier.probes), AuditPassed.',
        items: conditionSchema,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      },
      mtlsMode: { type: 'string', maxLength: 32, description: 'Effective namespace mTLS mode (STRICT, PERMISSIVE or DISABLE).' },
      flows: { type: 'integer', description: 'Number of intended flows (after the preset).' },
      secrets: { type: 'string', maxLength: 64, description: 'Secrets summary, e.g. "3/3 valid".' },
      keyManager: { type: 'string', maxLength: 64, description: 'Key manager summary: the reason of KeyManagerReachable or KeyManagerConfigured.' },
      children: { type: 'integer', description: 'Number of objects ward applied for this RegistryDeployment.' },
      wireguard: {
        type: 'object',
        description: 'What admins need to build WireGuard client configs. Never a private key.',
        properties: {
          publicKey: { type: 'string', maxLength: 64, description: 'Server public key (base64).' },
          endpoint: { type: 'string', maxLength: 512, description: 'Where clients connect (host:port), when known.' },
          serverKeySecret: { type: 'string', maxLength: 253, description: 'Name of the Secret holding the server private key.' },
        },
      },
    },
  };
}

const column = (name: string, jsonPath: string, type: string, description: string, priority = 0): Json => ({ name, type, jsonPath, description, ...(priority ? { priority } : {}) });

export const PRINTER_COLUMNS: readonly Json[] = [
  column('Ready', '.status.conditions[?(@.type=="Ready")].status', 'string', 'Summary condition.'),
  column('mTLS', '.status.mtlsMode', 'string', 'Effective mTLS mode.'),
  column('Flows', '.status.flows', 'integer', 'Intended flows.'),
  column('Secrets', '.status.secrets', 'string', 'Secrets that meet their rules.'),
  column('KeyManager', '.status.keyManager', 'string', 'Key manager state.'),
  column('Age', '.metadata.creationTimestamp', 'date', 'Time since creation.'),
  column('Reason', '.status.conditions[?(@.type=="Ready")].reason', 'string', 'Why Ready is what it is.', 1),
];

/** The CustomResourceDefinition object (apiextensions.k8s.io/v1). */
export function registryDeploymentCrd(): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: CRD_NAME, labels: { 'app.kubernetes.io/name': 'ward', 'app.kubernetes.io/part-of': 'ward' } },
    spec: {
      group: API_GROUP,
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: SINGULAR, shortNames: ['rd'], categories: ['ward'] },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: 'A registry stack holding personal data, hardened by ward: mesh mTLS and authorization, NetworkPolicies, a WireGuard admin gateway, and checks of its Secrets and key manager.',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion of this representation (ward.g2p.dev/v1alpha1).' },
                kind: { type: 'string', description: 'Kind of this representation (RegistryDeployment).' },
                metadata: { type: 'object' },
                spec: specSchema(),
                status: statusSchema(),
              },
            },
          },
        },
      ],
    },
  };
}
