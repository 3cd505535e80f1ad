import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, FIELD_MANAGER, KIND, Labels, type KubeObject } from '../../charts-src/kube.js';
import { PLURAL } from '../crd.js';
import { collectionPath, mayBeMissing, objectPath, type KindInfo } from '../kinds.js';
import { KindNotServedError, type ClusterPort, type EventInput, type RegistryObject, type RegistryStatus } from '../port.js';
import type { SecretFacts } from '../secrets.js';
import { supervisedWatch, type WatchLifecycle } from '../watch.js';
import { EventRecorder, type EventSink } from '../events.js';
import { isNotFound, KubeApiError, type RestClient } from './rest.js';

/**
 * The real ClusterPort: reads RegistryDeployments and ward's children from watch caches (no request
 * per reconcile), writes with server-side apply as `ward-operator`, reads Secrets with `get` only
 * (never listed, watched or cached). Watches are supervised: restarted with backoff and relisted.
 */

type Obj = KubeObject & { metadata: KubeObject['metadata'] & { uid?: string; resourceVersion?: string } };

export const RD_INFO: KindInfo = { apiVersion: API_VERSION, kind: KIND, plural: PLURAL, namespaced: true, istio: false };

export interface AdapterOptions {
  /** Watch RegistryDeployments in these namespaces only. @default all namespaces */
  readonly namespaces?: readonly string[];
  readonly clock: () => Date;
  /** Identifies this operator instance in Events. */
  readonly instance: string;
  /** Restart every watch from a fresh list this often. @default 600_000 */
  readonly relistMs?: number;
}

export interface WatchHandlers {
  readonly onRegistry: (namespace: string, name: string, generation: number | undefined, deleted: boolean) => void;
  readonly onOwned: (ownerLabel: string) => void;
  readonly onLifecycle?: (what: string, event: WatchLifecycle) => void;
}

const keyOf = (o: { metadata: { namespace?: string; name: string } }): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

interface WatchSpec {
  readonly info: KindInfo;
  readonly namespace?: string | undefined;
  readonly labelSelector?: string;
  readonly cache: Cache;
  readonly signal: AbortSignal;
  readonly notify: (o: Obj, deleted: boolean) => void;
  readonly handlers: WatchHandlers;
}

class Cache {
  /** Replaced wholesale when a periodic relist completes. */
  objects = new Map<string, Obj>();
  synced = false;
}

/** Events written with the operator's REST client. */
export function restEventSink(rest: RestClient): EventSink {
  const base = (ns: string): string => `/apis/events.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/events`;
  return {
    create: (ns, body) => rest.post(base(ns), body),
    async patchSeries(ns, name, series) {
      try {
        await rest.json('PATCH', `${base(ns)}/${encodeURIComponent(name)}`, {}, { series }, 'application/merge-patch+json');
        return true;
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
    },
  };
}

export class KubeAdapter implements ClusterPort {
  private events: EventRecorder | undefined;
  private readonly registries = new Map<string, Cache>();
  private readonly owned = new Map<string, Cache>();

  constructor(
    private readonly rest: RestClient,
    private readonly options: AdapterOptions,
    private readonly kinds: readonly KindInfo[],
  ) {}

  /** Starts every watch; resolves when `signal` aborts. */
  async run(signal: AbortSignal, handlers: WatchHandlers): Promise<void> {
    const rdScopes = this.options.namespaces && this.options.namespaces.length > 0 ? this.options.namespaces : [undefined];
    const watches = rdScopes.map((ns) => this.watch({ info: RD_INFO, namespace: ns, cache: this.cacheFor(this.registries, ns ?? '*'), signal, handlers,
      notify: (o, deleted) => handlers.onRegistry(o.metadata.namespace ?? '', o.metadata.name, (o.metadata as { generation?: number }).generation, deleted) }));
    for (const info of this.kinds) {
      const cache = this.cacheFor(this.owned, `${info.apiVersion}/${info.kind}`);
      const selector = `${Labels.managedBy}=${Labels.managedByValue}`;
      watches.push(this.watch({ info, labelSelector: selector, cache, signal, handlers, notify: (o) => {
        const owner = o.metadata.labels?.[Labels.owner];
        if (owner) handlers.onOwned(owner);
      } }));
    }
    await Promise.all(watches);
  }

  /** True once every RegistryDeployment watch has listed (the first sync). */
  registriesSynced(): boolean {
    return this.registries.size > 0 && [...this.registries.values()].every((c) => c.synced);
  }

  /** Every cached RegistryDeployment key (namespace/name), for periodic resyncs. */
  registryKeys(): string[] {
    return [...this.registries.values()].flatMap((c) => [...c.objects.keys()]);
  }

  private cacheFor(map: Map<string, Cache>, key: string): Cache {
    let c = map.get(key);
    if (!c) map.set(key, (c = new Cache()));
    return c;
  }

  /**
   * One supervised list+watch, restarted from a fresh list every `relistMs` (a watch can miss
   * nothing the server still has, but a relist also heals a cache after bugs or lost events). While a
   * relist fills a new map, readers keep the old complete one; the maps swap when the list is done.
   */
  private async watch(w: WatchSpec): Promise<void> {
    while (!w.signal.aborted) {
      const round = new AbortController();
      const stop = (): void => round.abort();
      w.signal.addEventListener('abort', stop, { once: true });
      const timer = setTimeout(stop, this.options.relistMs ?? 600_000);
      timer.unref();
      try {
        await this.watchRound(w, round.signal);
      } finally {
        clearTimeout(timer);
        w.signal.removeEventListener('abort', stop);
      }
    }
  }

  private watchRound(w: WatchSpec, signal: AbortSignal): Promise<void> {
    const { info, namespace, labelSelector, cache, notify, handlers } = w;
    const path = collectionPath(info, namespace);
    let filling: Map<string, Obj> | undefined = cache.synced ? new Map() : undefined;
    return supervisedWatch<KubernetesObject>({
      kubeConfig: this.rest.kubeConfig,
      path,
      signal,
      ...(labelSelector ? { labelSelector } : {}),
      timeoutSeconds: 300,
      backoff: mayBeMissing(info) ? { initialMs: 500, maxMs: 5_000 } : { initialMs: 250, maxMs: 30_000 },
      list: async () => {
        const list = await this.rest.get<{ metadata?: { resourceVersion?: string }; items: Obj[] }>(path, { labelSelector });
        return { ...list, items: list.items.map((i) => ({ ...i, apiVersion: info.apiVersion, kind: info.kind })) };
      },
      onEvent: (e) => {
        const o = e.object as unknown as Obj;
        const target = filling ?? cache.objects;
        if (e.type === 'DELETED') target.delete(keyOf(o));
        else target.set(keyOf(o), { ...o, apiVersion: info.apiVersion, kind: info.kind });
        notify(o, e.type === 'DELETED');
      },
      onLifecycle: (l) => {
        if (l.kind === 'listed') {
          if (filling) cache.objects = filling;
          filling = undefined;
          cache.synced = true;
        }
        handlers.onLifecycle?.(`${info.kind}${namespace ? ` in ${namespace}` : ''}`, l);
      },
    });
  }

  async getRegistry(namespace: string, name: string): Promise<RegistryObject | undefined> {
    const cache = this.registries.get(namespace) ?? this.registries.get('*');
    if (cache?.synced) return cache.objects.get(`${namespace}/${name}`) as unknown as RegistryObject | undefined;
    try {
      return await this.rest.get<RegistryObject>(objectPath(RD_INFO, name, namespace));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listOwned(info: KindInfo, ownerKey: string): Promise<readonly KubeObject[]> {
    const cache = this.owned.get(`${info.apiVersion}/${info.kind}`);
    if (cache?.synced) return [...cache.objects.values()].filter((o) => o.metadata.labels?.[Labels.owner] === ownerKey);
    try {
      const list = await this.rest.get<{ items: Obj[] }>(collectionPath(info), { labelSelector: `${Labels.owner}=${ownerKey}` });
      return list.items.map((i) => ({ ...i, apiVersion: info.apiVersion, kind: info.kind }));
    } catch (err) {
      if (mayBeMissing(info) && isNotFound(err)) throw new KindNotServedError(info, err);
      throw err;
    }
  }

  /** The cached live object (or undefined when absent or the cache is not synced). */
  cached(info: KindInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.owned.get(`${info.apiVersion}/${info.kind}`)?.objects.get(`${namespace ?? ''}/${name}`);
  }

  async apply(obj: KubeObject, info?: KindInfo): Promise<{ resourceVersion: string }> {
    const kind = info ?? this.kinds.find((k) => k.apiVersion === obj.apiVersion && k.kind === obj.kind);
    if (!kind) throw new Error(`ward does not know how to apply ${obj.apiVersion} ${obj.kind}: add it to operator/kinds.ts`);
    try {
      const stored = await this.rest.apply<Obj>(objectPath(kind, obj.metadata.name, obj.metadata.namespace), obj, FIELD_MANAGER);
      return { resourceVersion: stored.metadata.resourceVersion ?? '' };
    } catch (err) {
      if (mayBeMissing(kind) && isNotFound(err) && (err as KubeApiError).detail.includes('the server could not find the requested resource')) throw new KindNotServedError(kind, err);
      throw err;
    }
  }

  async delete(info: KindInfo, name: string, namespace: string | undefined, uid: string): Promise<void> {
    try {
      await this.rest.delete(objectPath(info, name, namespace), { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid }, propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async setFinalizers(rd: RegistryObject, finalizers: readonly string[]): Promise<{ resourceVersion: string }> {
    const body = { apiVersion: API_VERSION, kind: KIND, metadata: { name: rd.metadata.name, namespace: rd.metadata.namespace, finalizers } };
    const stored = await this.rest.apply<Obj>(objectPath(RD_INFO, rd.metadata.name, rd.metadata.namespace), body, FIELD_MANAGER);
    return { resourceVersion: stored.metadata.resourceVersion ?? '' };
  }

  async applyStatus(rd: RegistryObject, status: RegistryStatus): Promise<{ resourceVersion: string }> {
    const body = { apiVersion: API_VERSION, kind: KIND, metadata: { name: rd.metadata.name, namespace: rd.metadata.namespace }, status };
    const stored = await this.rest.apply<Obj>(`${objectPath(RD_INFO, rd.metadata.name, rd.metadata.namespace)}/status`, body, FIELD_MANAGER);
    return { resourceVersion: stored.metadata.resourceVersion ?? '' };
  }

  async getSecret(namespace: string, name: string): Promise<SecretFacts & { labels?: Record<string, string>; uid?: string }> {
    try {
      const s = await this.rest.get<{ metadata: { uid?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; data?: Record<string, string> }>(
        objectPath({ apiVersion: 'v1', plural: 'secrets', namespaced: true }, name, namespace),
      );
      const data: Record<string, Uint8Array> = {};
      for (const [k, v] of Object.entries(s.data ?? {})) data[k] = Buffer.from(v, 'base64');
      return {
        name, found: true, data, annotations: s.metadata.annotations ?? {},
        ...(s.metadata.creationTimestamp ? { createdAt: new Date(s.metadata.creationTimestamp) } : {}),
        ...(s.metadata.labels ? { labels: s.metadata.labels } : {}),
        ...(s.metadata.uid ? { uid: s.metadata.uid } : {}),
      };
    } catch (err) {
      if (isNotFound(err)) return { name, found: false };
      if (err instanceof KubeApiError) return { name, found: 'error', error: `${err.reason} (HTTP ${String(err.statusCode)})` };
      throw err;
    }
  }

  async createSecret(obj: KubeObject): Promise<void> {
    await this.rest.post(`/api/v1/namespaces/${encodeURIComponent(obj.metadata.namespace ?? '')}/secrets?fieldManager=${FIELD_MANAGER}`, obj);
  }

  async deleteSecret(namespace: string, name: string, uid: string): Promise<void> {
    await this.delete({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true, istio: false }, name, namespace, uid);
  }

  /** Through events.k8s.io/v1, a repeat within the series window patching the first Event's series (operator/events.ts). */
  async recordEvent(rd: RegistryObject, event: EventInput): Promise<void> {
    this.events ??= new EventRecorder(restEventSink(this.rest), this.options.clock, this.options.instance);
    await this.events.record(rd, event);
  }
}
