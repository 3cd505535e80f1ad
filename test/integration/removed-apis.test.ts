/**
 * WARD-API-001's table against the real API server (kube-apiserver 1.34 of the dev cluster): its
 * discovery serves none of the removed API versions of a kind, serves every replacement, and a
 * create in a removed version is refused. A table entry that a server still serves fails here.
 */
import { expect, it } from 'vitest';
import { RawApiError, rawRequest } from '../../dev-cluster/raw.js';
import { REMOVED_APIS } from '../../policies/rules/api.js';
import { adminKubeConfig, describeCluster } from './helpers.js';

/** The kinds the API server serves in one group version, or none when it does not serve the version (404). */
async function servedKinds(apiVersion: string): Promise<Set<string>> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  try {
    const list = (await rawRequest(adminKubeConfig(), 'GET', path)) as { resources?: { kind: string; name: string }[] };
    return new Set((list.resources ?? []).filter((r) => !r.name.includes('/')).map((r) => r.kind));
  } catch (err) {
    if (err instanceof RawApiError && err.statusCode === 404) return new Set();
    throw err;
  }
}

describeCluster('removed API versions on the real API server (WARD-API-001)', () => {
  it('serves no removed version of a kind and every replacement', async () => {
    const cache = new Map<string, Set<string>>();
    const kindsOf = async (v: string): Promise<Set<string>> => {
      const got = cache.get(v) ?? (await servedKinds(v));
      cache.set(v, got);
      return got;
    };
    const stillServed: string[] = [];
    const missingReplacement: string[] = [];
    for (const r of REMOVED_APIS) {
      if ((await kindsOf(r.apiVersion)).has(r.kind)) stillServed.push(`${r.apiVersion} ${r.kind}`);
      if (r.replacement && !(await kindsOf(r.replacement)).has(r.kind)) missingReplacement.push(`${r.replacement} ${r.kind}`);
    }
    expect(stillServed).toEqual([]);
    expect(missingReplacement).toEqual([]);
    // PodSecurityPolicy has no replacement: no group version serves it.
    expect((await kindsOf('policy/v1')).has('PodSecurityPolicy')).toBe(false);
  });

  it('refuses a policy/v1beta1 PodDisruptionBudget and admits the same one as policy/v1', async () => {
    const pdb = (apiVersion: string) => ({ apiVersion, kind: 'PodDisruptionBudget', metadata: { name: `api-001-${apiVersion.replace(/\W/g, '')}`, namespace: 'default' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } } });
    const refused = await rawRequest(adminKubeConfig(), 'POST', '/apis/policy/v1beta1/namespaces/default/poddisruptionbudgets', pdb('policy/v1beta1')).then(() => undefined, (err: unknown) => err);
    expect(refused).toBeInstanceOf(RawApiError);
    expect((refused as RawApiError).statusCode).toBe(404);
    const admitted = (await rawRequest(adminKubeConfig(), 'POST', '/apis/policy/v1/namespaces/default/poddisruptionbudgets', pdb('policy/v1'))) as { metadata: { uid?: string } };
    expect(admitted.metadata.uid).toBeTruthy();
  });
});
