/**
 * An in-memory ClusterPort for reconcile unit tests: objects keyed like the API server, every write
 * recorded, Istio kinds switchable to "not served", apply failures injectable.
 */
import { API_VERSION, KIND, type KubeObject } from '../../../charts-src/kube.js';
import { objectKey } from '../../../operator/diff.js';
import type { KindInfo } from '../../../operator/kinds.js';
import { KindNotServedError, type ClusterPort, type EventInput, type RegistryObject, type RegistryStatus } from '../../../operator/port.js';
import type { SecretFacts } from '../../../operator/secrets.js';

export type Write = { readonly verb: 'apply' | 'delete' | 'finalizers' | 'status' | 'createSecret' | 'deleteSecret' | 'event'; readonly key: string };

export class FakePort implements ClusterPort {
  readonly objects = new Map<string, KubeObject>();
  readonly secrets = new Map<string, { data: Record<string, Uint8Array>; labels?: Record<string, string>; uid: string; createdAt?: Date; annotations?: Record<string, string> }>();
  readonly writes: Write[] = [];
  readonly events: EventInput[] = [];
  rd: RegistryObject | undefined;
  istioServed = true;
  failApply?: (o: KubeObject) => Error | undefined;
  /** Kinds whose CRDs are not installed (listing or applying them fails as on a real cluster). */
  readonly notServed = new Set<string>();
  private rv = 1;

  constructor(spec: unknown, meta: Partial<RegistryObject['metadata']> = {}) {
    this.rd = { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'sr', namespace: 'reg', uid: 'uid-1', generation: 1, resourceVersion: '1', ...meta }, spec };
  }

  getRegistry(namespace: string, name: string): Promise<RegistryObject | undefined> {
    const rd = this.rd;
    return Promise.resolve(rd && rd.metadata.namespace === namespace && rd.metadata.name === name ? rd : undefined);
  }

  listOwned(info: KindInfo, ownerKey: string): Promise<readonly KubeObject[]> {
    if ((info.istio && !this.istioServed) || this.notServed.has(info.kind)) return Promise.reject(new KindNotServedError(info));
    return Promise.resolve([...this.objects.values()].filter((o) => o.apiVersion === info.apiVersion && o.kind === info.kind && o.metadata.labels?.['ward.g2p.dev/owner'] === ownerKey));
  }

  apply(obj: KubeObject): Promise<{ resourceVersion: string }> {
    if (obj.apiVersion.includes('istio.io') && !this.istioServed) return Promise.reject(new KindNotServedError({ apiVersion: obj.apiVersion, kind: obj.kind, plural: '', namespaced: true, istio: true }));
    const err = this.failApply?.(obj);
    if (err) return Promise.reject(err);
    this.writes.push({ verb: 'apply', key: objectKey(obj) });
    const resourceVersion = String(++this.rv);
    const existing = this.objects.get(objectKey(obj));
    const uid = (existing?.metadata as { uid?: string } | undefined)?.uid ?? `uid-${String(this.rv)}`;
    this.objects.set(objectKey(obj), JSON.parse(JSON.stringify({ ...obj, metadata: { ...obj.metadata, uid, resourceVersion } })) as KubeObject);
    return Promise.resolve({ resourceVersion });
  }

  delete(info: KindInfo, name: string, namespace: string | undefined): Promise<void> {
    const key = objectKey({ apiVersion: info.apiVersion, kind: info.kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    this.writes.push({ verb: 'delete', key });
    this.objects.delete(key);
    return Promise.resolve();
  }

  /** When true, reads of the RegistryDeployment lag behind its writes (a watch cache under load). */
  staleReads = false;

  private bumpRd(change: Partial<RegistryObject>, metadata: Partial<RegistryObject['metadata']> = {}): { resourceVersion: string } {
    const resourceVersion = String(++this.rv);
    if (this.rd && !this.staleReads) this.rd = { ...this.rd, ...change, metadata: { ...this.rd.metadata, ...metadata, resourceVersion } };
    return { resourceVersion };
  }

  setFinalizers(_rd: RegistryObject, finalizers: readonly string[]): Promise<{ resourceVersion: string }> {
    this.writes.push({ verb: 'finalizers', key: finalizers.join(',') });
    const out = this.bumpRd({}, { finalizers });
    if (this.rd?.metadata.deletionTimestamp && finalizers.length === 0) this.rd = undefined;
    return Promise.resolve(out);
  }

  applyStatus(_rd: RegistryObject, status: RegistryStatus): Promise<{ resourceVersion: string }> {
    this.writes.push({ verb: 'status', key: 'status' });
    return Promise.resolve(this.bumpRd({ status: JSON.parse(JSON.stringify(status)) as RegistryStatus }));
  }

  getSecret(namespace: string, name: string): Promise<SecretFacts & { labels?: Record<string, string>; uid?: string }> {
    const s = this.secrets.get(`${namespace}/${name}`);
    if (!s) return Promise.resolve({ name, found: false });
    return Promise.resolve({ name, found: true, data: s.data, annotations: s.annotations ?? {}, uid: s.uid, ...(s.labels ? { labels: s.labels } : {}), ...(s.createdAt ? { createdAt: s.createdAt } : {}) });
  }

  createSecret(obj: KubeObject): Promise<void> {
    this.writes.push({ verb: 'createSecret', key: objectKey(obj) });
    const data = Object.fromEntries(Object.entries(obj.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64')]));
    this.secrets.set(`${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, { data, uid: 'secret-uid', ...(obj.metadata.labels ? { labels: { ...obj.metadata.labels } } : {}) });
    return Promise.resolve();
  }

  deleteSecret(namespace: string, name: string): Promise<void> {
    this.writes.push({ verb: 'deleteSecret', key: `${namespace}/${name}` });
    this.secrets.delete(`${namespace}/${name}`);
    return Promise.resolve();
  }

  recordEvent(_rd: RegistryObject, event: EventInput): Promise<void> {
    this.writes.push({ verb: 'event', key: event.reason });
    this.events.push(event);
    return Promise.resolve();
  }

  putSecret(namespace: string, name: string, data: Record<string, string>, extra: { createdAt?: Date; annotations?: Record<string, string> } = {}): void {
    this.secrets.set(`${namespace}/${name}`, { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)])), uid: `s-${name}`, ...extra });
  }
}
