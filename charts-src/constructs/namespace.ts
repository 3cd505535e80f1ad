import { Construct } from 'constructs';
import { KubeNamespace } from '../imports/k8s.js';
import { WellKnownLabels } from '../kube.js';
import type { RegistrySpec } from '../model/index.js';
import { mtlsExceptionAnnotations } from './common.js';

/** Pod Security Standards labels (https://kubernetes.io/docs/concepts/security/pod-security-admission/). */
export const PodSecurityLabels = {
  enforce: 'pod-security.kubernetes.io/enforce',
  enforceVersion: 'pod-security.kubernetes.io/enforce-version',
  audit: 'pod-security.kubernetes.io/audit',
  auditVersion: 'pod-security.kubernetes.io/audit-version',
  warn: 'pod-security.kubernetes.io/warn',
  warnVersion: 'pod-security.kubernetes.io/warn-version',
} as const;

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface NamespaceSecurityProps {
  /** The parsed spec (`parseRegistrySpec`): the namespace to label and its mesh settings. */
  readonly spec: RegistrySpec;
  /**
   * Pod Security level enforced, audited and warned about.
   * @default 'restricted'
   */
  readonly level?: PodSecurityLevel;
}

/** The Pod Security labels for one level, enforced, audited and warned at version `latest`. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    [PodSecurityLabels.enforce]: level,
    [PodSecurityLabels.enforceVersion]: 'latest',
    [PodSecurityLabels.audit]: level,
    [PodSecurityLabels.auditVersion]: 'latest',
    [PodSecurityLabels.warn]: level,
    [PodSecurityLabels.warnVersion]: 'latest',
  };
}

/**
 * The registry namespace: Pod Security `restricted` (enforce, audit, warn) and, unless the spec turns
 * it off, Istio sidecar injection. Carries the mTLS exception annotation when mTLS is weaker than STRICT.
 */
export class NamespaceSecurity extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceSecurityProps) {
    super(scope, id);
    const { spec } = props;
    const labels = podSecurityLabels(props.level ?? 'restricted');
    if (spec.mesh.sidecarInjection) labels[WellKnownLabels.istioInjection] = 'enabled';
    const annotations = mtlsExceptionAnnotations(spec);
    new KubeNamespace(this, 'namespace', {
      metadata: { name: spec.namespace, labels, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) },
    });
  }
}
