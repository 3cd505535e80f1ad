/**
 * The vocabulary of the audit (`ward policy-check`): severities, findings, rules and their control
 * mappings. Shared by the rule catalogue, the engine, the reporters, the operator's AuditPassed
 * condition and the flow engine. Pure types plus tiny pure helpers; no I/O.
 */
import type { ObjectIndex } from './index/object-index.js';

/** Severities from worst to least bad. */
export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1 };

/** Numeric rank of a severity: critical 4 … low 1. */
export function severityRank(s: Severity): number {
  return RANK[s];
}

/** True when `s` is at or above `threshold`. */
export function atOrAbove(s: Severity, threshold: Severity): boolean {
  return RANK[s] >= RANK[threshold];
}

/** One step up (low → medium → high → critical); used for workloads holding personal data. */
export function raise(s: Severity): Severity {
  return s === 'low' ? 'medium' : s === 'medium' ? 'high' : 'critical';
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** The object a finding is about. `namespace` is absent for cluster-scoped objects. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Where an object (or one of its fields) was read from. Absent for objects read from a live cluster. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  /** Helm template path from the `# Source:` comment of a `helm template` render. */
  readonly helmSource?: string;
}

/** Why a finding does not count: a governed waiver. */
export interface Suppression {
  /** `annotation` (ward.g2p.dev/waive on the object) or `file` (the central --waivers file). */
  readonly by: 'annotation' | 'file';
  readonly reason: string;
  readonly owner?: string;
  /** YYYY-MM-DD. */
  readonly expires?: string;
}

export interface Finding {
  /** `WARD-<AREA>-<NNN>`. */
  readonly ruleId: string;
  readonly severity: Severity;
  /** Names the object (kind/namespace/name, container when relevant) and what is wrong. Never a Secret value. */
  readonly message: string;
  readonly object: ObjectRef;
  readonly location?: SourceLocation;
  /** What to do about it. */
  readonly remediation: string;
  readonly suppressed?: Suppression;
}

/** Control mappings; the CIS id is stored with its benchmark version because numbers shift. */
export interface Controls {
  readonly cis1_12?: { readonly benchmark: 'CIS Kubernetes 1.12'; readonly id: string };
  /** Chapter (and section) of the NSA/CISA Kubernetes Hardening Guidance 1.2. */
  readonly nsa?: string;
  /** OWASP Kubernetes Top 10 2025. */
  readonly owasp2025?: 'K01' | 'K02' | 'K03' | 'K04' | 'K05';
}

/** Everything a rule may depend on besides the objects: injected, never read from the environment. */
export interface CheckContext {
  /** The clock (waiver expiry, credential age). */
  readonly now: Date;
  /** True when the objects were read from a live cluster (the whole namespace is visible). */
  readonly cluster: boolean;
}

export interface Rule {
  readonly id: string;
  readonly title: string;
  /** Default severity; a profile may override it and personal data may raise it per finding. */
  readonly severity: Severity;
  readonly rationale: string;
  readonly remediation: string;
  readonly controls: Controls;
  /** Pure: same index and context, same findings. */
  check(index: ObjectIndex, ctx: CheckContext): Finding[];
  /** The rule as CEL, for a ValidatingAdmissionPolicy (`ward guard`); only rules decided on one object have it. */
  readonly cel?: CelExport;
}

/** What `ward guard` needs of the stack to write a rule's CEL (e.g. which Services are its gateways). */
export interface GuardParams {
  /** Istio root namespace: a selector PeerAuthentication there is ignored by Istio. */
  readonly meshRootNamespace: string;
  /** Pod labels of the declared gateways: a NodePort/LoadBalancer Service selecting one of them is allowed. */
  readonly gatewaySelectors: readonly Readonly<Record<string, string>>[];
  /** Namespace of the WireGuard admin gateway, when the stack has one (its Services may be exposed). */
  readonly wireguardNamespace?: string;
}

/** The API resources a ValidatingAdmissionPolicy matches (CREATE and UPDATE). */
export interface CelResources {
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
}

/**
 * A rule written in CEL next to its TypeScript check. `ward guard` turns it into a
 * ValidatingAdmissionPolicy; the parity test (test/integration/guard-parity.test.ts) holds the API
 * server's verdict equal to the rule's findings on one object.
 */
export interface CelExport {
  readonly resources: readonly CelResources[];
  /** Named CEL values (`variables.<name>`), in order. */
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  /** CEL that is true when the object passes the rule (waivers are added by `ward guard`). */
  readonly expression: (params: GuardParams) => string;
  /** What the object does wrong, one line; `ward guard` puts the rule id in front. */
  readonly message: string;
  /** The findings this CEL stands for; all of the rule's when absent (narrower where a branch needs another object or a value's entropy). */
  readonly covers?: (f: Finding) => boolean;
  /** What the CEL leaves to `ward check`, for docs/guard.md; absent when it decides exactly what the check does on one object. */
  readonly leavesToCheck?: string;
}

/** Short human reference of an object: `Deployment dev/registry` or `ClusterRole admin`. */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** Stable key of an object reference, for grouping. */
export function refKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}
