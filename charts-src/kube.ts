/**
 * The shape every part of ward shares for a Kubernetes object: what synthesis emits, what the
 * checker loads, what the operator applies. Plain JSON (no class instances), so it serialises the
 * same everywhere and custom resources (Istio, ward) keep every field.
 */
export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [key: string]: unknown;
}

/** True for a plain mapping (not null, not an array): the first check on any untrusted YAML/JSON value. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Labels and annotations ward puts on what it creates (DESIGN.md "Names"). */
export const Labels = {
  managedBy: 'app.kubernetes.io/managed-by',
  managedByValue: 'ward',
  owner: 'ward.g2p.dev/owner',
  ownerUid: 'ward.g2p.dev/owner-uid',
} as const;

/** Labels and annotations of Kubernetes and Istio that ward writes and the checker reads. */
export const WellKnownLabels = {
  /** Set by the API server on every Namespace: what a namespaceSelector matches a namespace by. */
  namespaceName: 'kubernetes.io/metadata.name',
  /** Namespace label: `enabled` or `disabled` sidecar injection. */
  istioInjection: 'istio-injection',
  /** Namespace label selecting an Istio revision (injection on). */
  istioRevision: 'istio.io/rev',
  /** Pod label or annotation that overrides the namespace's injection. */
  sidecarInject: 'sidecar.istio.io/inject',
} as const;

export const Annotations = {
  waive: 'ward.g2p.dev/waive',
  /** Set on objects whose mTLS is weaker than STRICT, carrying the spec's reason. */
  mtlsException: 'ward.g2p.dev/mtls-exception-reason',
} as const;

export const API_GROUP = 'ward.g2p.dev';
export const API_VERSION = 'ward.g2p.dev/v1alpha1';
export const KIND = 'RegistryDeployment';
export const FIELD_MANAGER = 'ward-operator';
