/**
 * Reading a live cluster for `--cluster` (flows, init): the read-only reader, loaded only when asked
 * for (it pulls in the Kubernetes client), its failures as one usage error.
 */
import type { KubeObject } from '../charts-src/kube.js';
import { UsageError } from './exit-codes.js';

export interface ClusterFlags {
  readonly context?: string;
  readonly kubeconfig?: string;
}

/** Every object of the audited kinds (Secrets as metadata only), or a UsageError "cannot read the cluster: why". */
export async function readClusterObjects(flags: ClusterFlags): Promise<KubeObject[]> {
  const { readCluster } = await import('../policies/cluster.js');
  try {
    return await readCluster({ ...(flags.context ? { context: flags.context } : {}), ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}) });
  } catch (err) {
    throw new UsageError(`cannot read the cluster: ${err instanceof Error ? err.message : String(err)}`);
  }
}
