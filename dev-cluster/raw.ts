/**
 * A raw JSON request to the API server with the KubeConfig's credentials, bypassing client-node's
 * typed ObjectSerializer. Needed for CustomResourceDefinitions: given plain JSON, the serializer of
 * `KubernetesObjectApi` drops every `x-kubernetes-*` schema key (its model spells them
 * `xKubernetesIntOrString` ...), and the server then rejects Istio's CRDs.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { request, type RequestOptions } from 'node:https';

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
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const opts: RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) };
  const url = new URL(path, cluster.server);
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status >= 300) return reject(new RawApiError(status, text, `${method} ${path}`));
        resolve(text ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Server-side apply of a cluster-scoped object at `collectionPath` (e.g. `/apis/apiextensions.k8s.io/v1/customresourcedefinitions`). */
export async function serverSideApplyRaw(kc: KubeConfig, collectionPath: string, obj: { metadata?: { name?: string } }, fieldManager: string): Promise<unknown> {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`object to apply at ${collectionPath} has no metadata.name`);
  const query = new URLSearchParams({ fieldManager, force: 'true' });
  return rawRequest(kc, 'PATCH', `${collectionPath}/${encodeURIComponent(name)}?${query.toString()}`, obj, 'application/apply-patch+yaml');
}
