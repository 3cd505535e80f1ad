/**
 * Reads the kinds the rules understand from a live cluster with a read-only identity. Secrets are
 * listed as metadata only (PartialObjectMetadataList): their values are never requested.
 */
import type { KubeObject } from '../charts-src/kube.js';

export interface ClusterOptions {
  readonly context?: string;
  readonly kubeconfig?: string;
}

export function readCluster(_options: ClusterOptions): Promise<KubeObject[]> {
  return Promise.reject(new Error('--cluster is not implemented yet'));
}
