import { API_VERSION, KIND } from '../kube.js';

/**
 * The owner a RegistryDeployment document names (`metadata.namespace` / `metadata.name`), so that
 * `ward synth -f rd.yaml` labels its output as the operator would (`ward.g2p.dev/owner:
 * <namespace>.<name>`). Undefined for a bare spec or an incomplete document. Pure.
 */
export function registryDeploymentOwner(input: unknown): { name: string; namespace: string } | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const doc = input as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
  if (doc.apiVersion !== API_VERSION || doc.kind !== KIND) return undefined;
  const { name, namespace } = doc.metadata ?? {};
  return typeof name === 'string' && typeof namespace === 'string' && name !== '' && namespace !== '' ? { name, namespace } : undefined;
}
