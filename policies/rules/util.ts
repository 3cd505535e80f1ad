/** Helpers shared by the rule families: control mappings and finding construction. */
import type { KubeObject } from '../../charts-src/kube.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { FieldPath } from '../load/types.js';
import { raise, type Controls, type Finding, type Rule, type Severity } from '../types.js';

/** A CIS Kubernetes Benchmark 1.12 (section 5) control id, stored with its version. */
export function cis(id: string): NonNullable<Controls['cis1_12']> {
  return { benchmark: 'CIS Kubernetes 1.12', id };
}

/** NSA/CISA Kubernetes Hardening Guidance 1.2 chapters. */
export const NSA = {
  podSecurity: 'Kubernetes Pod security',
  nonRoot: 'Kubernetes Pod security: Non-root containers and "rootless" container engines',
  immutable: 'Kubernetes Pod security: Immutable container file systems',
  images: 'Kubernetes Pod security: Building secure container images',
  tokens: 'Kubernetes Pod security: Protecting Pod service account tokens',
  hardening: 'Kubernetes Pod security: Hardening container environments',
  networkPolicies: 'Network separation and hardening: Network policies',
  resources: 'Network separation and hardening: Resource policies',
  encryption: 'Network separation and hardening: Encryption',
  secrets: 'Network separation and hardening: Secrets',
  namespaces: 'Network separation and hardening: Namespaces',
  authz: 'Authentication and authorization',
  app: 'Upgrading and application security practices',
} as const;

export interface FindingOptions {
  /** Field to point at (line/column); the object itself when absent. */
  readonly path?: FieldPath;
  /** Severity of this finding; the rule's default when absent. */
  readonly severity?: Severity;
  /** Raise the rule's default severity one step (personal data or plaintext at stake); ignored when `severity` is given. @default false */
  readonly raised?: boolean;
  /** Overrides the rule's remediation text. */
  readonly remediation?: string;
}

/** A finding of `rule` on `obj`. */
export function findingOf(index: ObjectIndex, rule: Rule, obj: KubeObject, message: string, options: FindingOptions = {}): Finding {
  const location = index.locate(obj, options.path ?? []);
  return {
    ruleId: rule.id,
    severity: options.severity ?? (options.raised === true ? raise(rule.severity) : rule.severity),
    message,
    object: index.ref(obj),
    ...(location ? { location } : {}),
    remediation: options.remediation ?? rule.remediation,
  };
}

/** Declares a rule (an identity function that keeps the literal type checked). */
export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Namespaces whose default-deny / allow-nothing posture is audited: workloads or Namespace objects, minus kube-*. */
export function auditedNamespaces(index: ObjectIndex): string[] {
  const set = new Set<string>(index.ofKind('Namespace').map((n) => n.metadata.name));
  for (const w of index.workloads) set.add(w.namespace);
  return [...set].filter((ns) => !ns.startsWith('kube-')).sort();
}

/** The Namespace object of `ns`, or a stand-in naming it when the input holds none (a finding needs an object). */
export function namespaceObject(index: ObjectIndex, ns: string): KubeObject {
  return index.get('Namespace', undefined, ns) ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
}
