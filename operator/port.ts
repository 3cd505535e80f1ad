import type { KubeObject } from '../charts-src/kube.js';
import type { Condition } from './conditions.js';
import type { KindInfo } from './kinds.js';
import type { SecretFacts } from './secrets.js';

/**
 * The operator's only view of the cluster. Reconcile steps talk to this port; the real adapter
 * (kube/adapter.ts) reads from watch caches and writes with server-side apply, unit tests pass a fake.
 */

export interface RegistryMeta {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly finalizers?: readonly string[];
  readonly deletionTimestamp?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly creationTimestamp?: string;
}

export interface RegistryStatus {
  readonly observedGeneration?: number;
  readonly conditions?: readonly Condition[];
  readonly mtlsMode?: string;
  readonly flows?: number;
  readonly secrets?: string;
  readonly keyManager?: string;
  readonly children?: number;
  readonly wireguard?: { readonly publicKey?: string; readonly endpoint?: string; readonly serverKeySecret?: string };
}

export interface RegistryObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: RegistryMeta;
  readonly spec?: unknown;
  readonly status?: RegistryStatus;
}

/** Raised by `apply`/`listOwned` when the kind is not served (its CRD is not installed). */
export class KindNotServedError extends Error {
  constructor(readonly info: KindInfo, cause?: unknown) {
    super(`${info.kind} (${info.apiVersion}) is not served by the API server: its CustomResourceDefinition is not installed`, { cause });
    this.name = 'KindNotServedError';
  }
}

export interface EventInput {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

export interface ClusterPort {
  /** The RegistryDeployment, or undefined when it does not exist. */
  getRegistry(namespace: string, name: string): Promise<RegistryObject | undefined>;
  /** Live objects of one kind carrying `ward.g2p.dev/owner=<ownerKey>`, in every namespace. */
  listOwned(info: KindInfo, ownerKey: string): Promise<readonly KubeObject[]>;
  /** Server-side apply (field manager ward-operator, force). Returns the stored resourceVersion. */
  apply(obj: KubeObject): Promise<{ readonly resourceVersion: string }>;
  /** Deletes by name with a uid precondition; a 404 counts as done. */
  delete(info: KindInfo, name: string, namespace: string | undefined, uid: string): Promise<void>;
  /** Applies metadata.finalizers of the RegistryDeployment as ward-operator. */
  setFinalizers(rd: RegistryObject, finalizers: readonly string[]): Promise<{ readonly resourceVersion: string }>;
  /** Applies the /status subresource. */
  applyStatus(rd: RegistryObject, status: RegistryStatus): Promise<{ readonly resourceVersion: string }>;
  /** Reads one Secret by name (never lists). Values stay in the returned facts and go nowhere else. */
  getSecret(namespace: string, name: string): Promise<SecretFacts & { readonly labels?: Readonly<Record<string, string>>; readonly uid?: string }>;
  /** Creates a Secret (fails with 409 when it already exists). */
  createSecret(obj: KubeObject): Promise<void>;
  /** Deletes a Secret by name with a uid precondition. */
  deleteSecret(namespace: string, name: string, uid: string): Promise<void>;
  /** Records a core/v1 Event on the RegistryDeployment. */
  recordEvent(rd: RegistryObject, event: EventInput): Promise<void>;
}
