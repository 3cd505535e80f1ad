import { CoreV1Api, KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { down, up } from '../../dev-cluster/cluster.js';
import { supervisedWatch, type WatchEvent, type WatchLifecycle } from '../../operator/watch.js';
import { adminKubeConfig, compactEtcd, describeCluster, freshNamespace, runDir } from './helpers.js';

interface Recorder {
  readonly events: WatchEvent<V1ConfigMap>[];
  readonly lifecycle: WatchLifecycle[];
  readonly done: Promise<void>;
}

const summary = (events: readonly WatchEvent<V1ConfigMap>[], name: string): string[] =>
  events.filter((e) => e.object.metadata?.name === name).map((e) => `${e.type} ${e.object.data?.v ?? ''}`.trim());

describeCluster('supervisedWatch against a real API server', () => {
  let ns: string;
  let core: CoreV1Api;
  let abort: AbortController;

  beforeEach(async () => {
    ns = await freshNamespace();
    core = adminKubeConfig().makeApiClient(CoreV1Api);
    abort = new AbortController();
  });
  afterEach(() => abort.abort());

  function watchConfigMaps(extra: Partial<Parameters<typeof supervisedWatch<V1ConfigMap>>[0]> = {}): Recorder {
    const events: WatchEvent<V1ConfigMap>[] = [];
    const lifecycle: WatchLifecycle[] = [];
    const done = supervisedWatch<V1ConfigMap>({
      kubeConfig: adminKubeConfig(),
      path: `/api/v1/namespaces/${ns}/configmaps`,
      list: () => core.listNamespacedConfigMap({ namespace: ns }),
      onEvent: (e) => void events.push(e),
      onLifecycle: (l) => void lifecycle.push(l),
      signal: abort.signal,
      backoff: { initialMs: 50, maxMs: 1_000 },
      ...extra,
    });
    return { events, lifecycle, done };
  }

  const put = (name: string, v: string) =>
    core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name }, data: { v } } });

  it('delivers ADDED, MODIFIED and DELETED in order', async () => {
    await put('before', '0');
    const rec = watchConfigMaps();
    await vi.waitFor(() => expect(summary(rec.events, 'before')).toEqual(['ADDED 0']));
    await put('cm', '1');
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'cm', body: [{ op: 'replace', path: '/data/v', value: '2' }] });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'cm' });
    await vi.waitFor(() => expect(summary(rec.events, 'cm')).toEqual(['ADDED 1', 'MODIFIED 2', 'DELETED 2']));
    abort.abort();
    await rec.done;
    expect(rec.lifecycle[0]).toMatchObject({ kind: 'listed', count: 1 });
  });

  it('resumes from its resourceVersion after the server closes the watch, without replaying events', async () => {
    const rec = watchConfigMaps({ timeoutSeconds: 1 });
    await put('first', '1');
    await vi.waitFor(() => expect(summary(rec.events, 'first')).toEqual(['ADDED 1']));
    // The server ends each watch after timeoutSeconds; wait for one such close and the reconnect.
    await vi.waitFor(() => expect(rec.lifecycle.filter((l) => l.kind === 'watching').length).toBeGreaterThanOrEqual(2), { timeout: 15_000 });
    expect(rec.lifecycle.some((l) => l.kind === 'closed')).toBe(true);
    await put('second', '2');
    await vi.waitFor(() => expect(summary(rec.events, 'second')).toEqual(['ADDED 2']));
    expect(summary(rec.events, 'first')).toEqual(['ADDED 1']);
    expect(rec.lifecycle.filter((l) => l.kind === 'listed')).toHaveLength(1);
  });

  it('relists on 410 Gone and emits the difference against what it knew', async () => {
    await put('kept', '1');
    await compactEtcd();
    const ghost: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ghost', namespace: ns, resourceVersion: '1' } };
    // etcd's history before now is compacted away: resuming from resourceVersion 1 gets 410 Gone.
    const rec = watchConfigMaps({ resumeFrom: { resourceVersion: '1', known: [ghost] } });
    await vi.waitFor(() => expect(rec.lifecycle.map((l) => l.kind)).toContain('listed'));
    expect(rec.lifecycle.map((l) => l.kind).slice(0, 3)).toEqual(['watching', 'expired', 'listed']);
    expect(summary(rec.events, 'ghost')).toEqual(['DELETED']);
    expect(summary(rec.events, 'kept')).toEqual(['ADDED 1']);
    await put('after', '3');
    await vi.waitFor(() => expect(summary(rec.events, 'after')).toEqual(['ADDED 3']));
  });

  it('survives a restart of the API server: backs off while it is down, then resumes without replaying', async () => {
    // A private cluster (below the run directory, so an interrupted run still stops it).
    const dir = join(runDir, 'restart');
    const start = () => up({ dir, env: process.env, progress: () => undefined, detached: false });
    const { state } = await start();
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(state.kubeconfig);
      const privateCore = kc.makeApiClient(CoreV1Api);
      const events: WatchEvent<V1ConfigMap>[] = [];
      const lifecycle: WatchLifecycle[] = [];
      const done = supervisedWatch<V1ConfigMap>({
        kubeConfig: kc, path: '/api/v1/namespaces/default/configmaps',
        list: () => privateCore.listNamespacedConfigMap({ namespace: 'default' }),
        onEvent: (e) => void events.push(e), onLifecycle: (l) => void lifecycle.push(l),
        signal: abort.signal, backoff: { initialMs: 100, maxMs: 1_000 },
      });
      const create = (name: string) => privateCore.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name }, data: { v: name } } });
      await create('before-restart');
      await vi.waitFor(() => expect(summary(events, 'before-restart')).toEqual(['ADDED before-restart']));
      await down(dir);
      await vi.waitFor(() => expect(lifecycle.some((l) => l.kind === 'error')).toBe(true), { timeout: 30_000 });
      const again = await start();
      expect(again.state.server).toBe(state.server); // same port, same certificates, same etcd data
      await create('after-restart');
      await vi.waitFor(() => expect(summary(events, 'after-restart')).toEqual(['ADDED after-restart']), { timeout: 30_000 });
      expect(summary(events, 'before-restart')).toEqual(['ADDED before-restart']);
      abort.abort();
      await done;
    } finally {
      await down(dir, { purge: true });
    }
  }, 300_000);

  it('backs off and keeps retrying while the path is not served, then stops on abort', async () => {
    const rec = watchConfigMaps({ path: '/apis/nothing.ward.g2p.dev/v1/things', list: () => Promise.reject(new Error('not served')) });
    await vi.waitFor(() => expect(rec.lifecycle.filter((l) => l.kind === 'error').length).toBeGreaterThanOrEqual(3));
    const retries = rec.lifecycle.flatMap((l) => (l.kind === 'error' ? [l.retryInMs] : []));
    expect(retries.slice(0, 3)).toEqual([50, 100, 200]);
    abort.abort();
    await expect(rec.done).resolves.toBeUndefined();
  });
});
