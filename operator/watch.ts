/**
 * A supervised list+watch of one collection (an informer without the indexer): lists, then watches
 * from the list's resourceVersion; when the server closes the watch (timeouts, restarts) it resumes
 * from the last resourceVersion seen; when that is too old (410 Gone) it relists and emits the
 * difference against what it had, so a consumer sees a consistent ADDED/MODIFIED/DELETED stream.
 * Connection errors back off exponentially. Runs until the AbortSignal fires.
 *
 *   await supervisedWatch({
 *     kubeConfig, path: `/api/v1/namespaces/${ns}/configmaps`,
 *     list: () => core.listNamespacedConfigMap({ namespace: ns }),
 *     onEvent: (e) => queue.add(e.object), signal,
 *   });
 */
import { Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { setTimeout as sleepTimer } from 'node:timers/promises';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent<T extends KubernetesObject> {
  readonly type: WatchEventType;
  readonly object: T;
}

/** What the supervisor is doing, for logs, metrics and tests. */
export type WatchLifecycle =
  | { readonly kind: 'listed'; readonly resourceVersion: string; readonly count: number }
  | { readonly kind: 'watching'; readonly resourceVersion: string }
  | { readonly kind: 'closed'; readonly resourceVersion: string }
  | { readonly kind: 'expired'; readonly resourceVersion: string }
  | { readonly kind: 'error'; readonly error: unknown; readonly attempt: number; readonly retryInMs: number };

export interface SupervisedWatchOptions<T extends KubernetesObject> {
  readonly kubeConfig: KubeConfig;
  /** API path of the collection, e.g. `/api/v1/namespaces/ns/configmaps` or `/apis/ward.g2p.dev/v1alpha1/registrydeployments`. */
  readonly path: string;
  /** Lists the same collection (same selectors) — typically a typed client-node call. */
  readonly list: () => Promise<KubernetesListObject<T>>;
  /** Called in order, one event at a time; a rejected promise is reported as an `error` lifecycle event. */
  readonly onEvent: (event: WatchEvent<T>) => void | Promise<void>;
  readonly onLifecycle?: (event: WatchLifecycle) => void;
  readonly signal: AbortSignal;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Ask the server to end each watch after this many seconds (it is then resumed). @default server default */
  readonly timeoutSeconds?: number;
  /**
   * Start by watching from this resourceVersion with these objects already known, instead of listing.
   * When it is too old the server answers 410 and the supervisor relists. @default list first
   */
  readonly resumeFrom?: { readonly resourceVersion: string; readonly known: readonly T[] };
  /** Backoff after failures. @default { initialMs: 250, maxMs: 30_000 } */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

const keyOf = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const rvOf = (o: KubernetesObject): string => o.metadata?.resourceVersion ?? '';

type WatchOutcome = 'closed' | 'expired';

/** Runs list+watch until `signal` aborts. Resolves then; never rejects for server or network errors. */
export async function supervisedWatch<T extends KubernetesObject>(options: SupervisedWatchOptions<T>): Promise<void> {
  const cache = new Map<string, T>();
  for (const o of options.resumeFrom?.known ?? []) cache.set(keyOf(o), o);
  let resourceVersion = options.resumeFrom?.resourceVersion;
  let failures = 0;
  const backoff = options.backoff ?? { initialMs: 250, maxMs: 30_000 };
  while (!options.signal.aborted) {
    try {
      resourceVersion ??= await relist(options, cache);
      const result = await watchOnce(options, cache, resourceVersion);
      resourceVersion = result.resourceVersion;
      failures = 0;
      options.onLifecycle?.({ kind: result.outcome, resourceVersion });
      if (result.outcome === 'expired') resourceVersion = undefined;
    } catch (error) {
      if (options.signal.aborted) break;
      failures++;
      const retryInMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (failures - 1));
      options.onLifecycle?.({ kind: 'error', error, attempt: failures, retryInMs });
      await sleepTimer(retryInMs, undefined, { signal: options.signal }).catch(() => undefined);
    }
  }
}

/** Lists, emits the difference against `cache`, and returns the list's resourceVersion. */
async function relist<T extends KubernetesObject>(options: SupervisedWatchOptions<T>, cache: Map<string, T>): Promise<string> {
  const list = await options.list();
  const seen = new Set<string>();
  for (const object of list.items) {
    const key = keyOf(object);
    seen.add(key);
    const before = cache.get(key);
    cache.set(key, object);
    if (!before) await deliver(options, { type: 'ADDED', object });
    else if (rvOf(before) !== rvOf(object)) await deliver(options, { type: 'MODIFIED', object });
  }
  for (const [key, object] of [...cache]) {
    if (seen.has(key)) continue;
    cache.delete(key);
    await deliver(options, { type: 'DELETED', object });
  }
  const resourceVersion = list.metadata?.resourceVersion ?? '';
  options.onLifecycle?.({ kind: 'listed', resourceVersion, count: list.items.length });
  return resourceVersion;
}

async function deliver<T extends KubernetesObject>(options: SupervisedWatchOptions<T>, event: WatchEvent<T>): Promise<void> {
  try {
    await options.onEvent(event);
  } catch (error) {
    options.onLifecycle?.({ kind: 'error', error, attempt: 0, retryInMs: 0 });
  }
}

const isGone = (err: unknown): boolean => (err as { statusCode?: number } | null)?.statusCode === 410;
const isTimeout = (err: unknown): boolean => err instanceof Error && err.name === 'TimeoutError';

/** One watch connection: resolves when the server (or the client's idle timeout) ends it. */
function watchOnce<T extends KubernetesObject>(
  options: SupervisedWatchOptions<T>,
  cache: Map<string, T>,
  startAt: string,
): Promise<{ outcome: WatchOutcome; resourceVersion: string }> {
  let resourceVersion = startAt;
  let expired = false;
  let chain: Promise<void> = Promise.resolve();
  const onEvent = (type: string, object: T & { code?: number }): void => {
    if (type === 'ERROR') {
      if (object.code === 410) expired = true;
      return;
    }
    resourceVersion = rvOf(object) || resourceVersion;
    if (type === 'BOOKMARK') return;
    if (type === 'DELETED') cache.delete(keyOf(object));
    else cache.set(keyOf(object), object);
    chain = chain.then(() => deliver(options, { type: type as WatchEventType, object }));
  };
  return new Promise((resolve, reject) => {
    const done = (err: unknown): void => {
      options.signal.removeEventListener('abort', abort);
      void chain.then(() => {
        if (expired || isGone(err)) resolve({ outcome: 'expired', resourceVersion });
        else if (!err || isTimeout(err) || options.signal.aborted) resolve({ outcome: 'closed', resourceVersion });
        else reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
      });
    };
    let controller: AbortController | undefined;
    const abort = (): void => controller?.abort();
    options.signal.addEventListener('abort', abort, { once: true });
    const query = { resourceVersion: startAt, allowWatchBookmarks: true, labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector, timeoutSeconds: options.timeoutSeconds };
    new Watch(options.kubeConfig).watch(options.path, query, onEvent, done).then((c) => {
      controller = c;
      options.onLifecycle?.({ kind: 'watching', resourceVersion: startAt });
      if (options.signal.aborted) c.abort();
    }, done);
  });
}
