/**
 * A raw JSON request to the API server with the KubeConfig's credentials, bypassing client-node's
 * typed ObjectSerializer. Needed for CustomResourceDefinitions: given plain JSON, the serializer of
 * `KubernetesObjectApi` drops every `x-kubernetes-*` schema key (its model spells them
 * `xKubernetesIntOrString` ...), and the server then rejects Istio's CRDs.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { sendRequest } from '../operator/kube/rest.js';

export class RawApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
    what: string,
  ) {
    let message = body.slice(0, 500);
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? message;
    } catch {
      // not a Status: keep the raw text
    }
    super(`${what}: HTTP ${String(statusCode)}: ${message}`);
    this.name = 'RawApiError';
  }
}

export async function rawRequest(kc: KubeConfig, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<unknown> {
  const res = await sendRequest(kc, method, path, body === undefined ? undefined : JSON.stringify(body), { contentType });
  if (res.status < 200 || res.status >= 300) throw new RawApiError(res.status, res.text, `${method} ${path}`);
  return res.text ? JSON.parse(res.text) : undefined;
}

/** Server-side apply of a cluster-scoped object at `collectionPath` (e.g. `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`). */
export async function serverSideApplyRaw(kc: KubeConfig, collectionPath: string, obj: { metadata?: { name?: string } }, fieldManager: string): Promise<unknown> {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`object to apply at ${collectionPath} has no metadata.name`);
  const query = new URLSearchParams({ fieldManager, force: 'true' });
  return rawRequest(kc, 'PATCH', `${collectionPath}/${encodeURIComponent(name)}?${query.toString()}`, obj, 'application/apply-patch+yaml');
}
