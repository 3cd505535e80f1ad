/**
 * The API server as the judge of ward guard's policies: install the policies and bindings, then
 * create an object (dry run, so nothing is stored and names never clash) and read the verdict — the
 * refusal of a Deny binding or the Warning headers of a Warn binding.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../../charts-src/kube.js';
import { rawRequest } from '../../dev-cluster/raw.js';
import { sendRequest } from '../../operator/kube/rest.js';

const PLURAL: Readonly<Record<string, string>> = {
  Pod: 'pods', Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', ReplicaSet: 'replicasets',
  Job: 'jobs', CronJob: 'cronjobs', Service: 'services', NetworkPolicy: 'networkpolicies', PeerAuthentication: 'peerauthentications',
  AuthorizationPolicy: 'authorizationpolicies', Gateway: 'gateways', ValidatingAdmissionPolicy: 'validatingadmissionpolicies',
  ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings', ServiceAccount: 'serviceaccounts', ConfigMap: 'configmaps',
  Sidecar: 'sidecars', ServiceEntry: 'serviceentries', DestinationRule: 'destinationrules', Telemetry: 'telemetries', PrometheusRule: 'prometheusrules',
  RequestAuthentication: 'requestauthentications', VirtualService: 'virtualservices',
};

/** The collection path of an object's kind, in `namespace` (or cluster-scoped when undefined). */
export function collectionPath(obj: Pick<KubeObject, 'apiVersion' | 'kind'>, namespace?: string): string {
  const plural = PLURAL[obj.kind];
  if (!plural) throw new Error(`no resource path known for kind ${obj.kind}`);
  const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
  return namespace === undefined ? `${base}/${plural}` : `${base}/namespaces/${namespace}/${plural}`;
}

/** What the API server answered to a (dry-run) create. */
export interface Verdict {
  readonly status: number;
  /** The refusal's message, '' when admitted. */
  readonly message: string;
  /** The Warning headers' texts (RFC 7234 `299 - "text"`, unquoted). */
  readonly warnings: readonly string[];
}

function warningsOf(header: string | string[] | undefined): string[] {
  const list = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return list.flatMap((h) => [...h.matchAll(/\d{3} [^ ]+ "((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1')));
}

/** Creates `obj` in `namespace` (dryRun=All unless `persist`) and returns the verdict. */
export async function createVerdict(kc: KubeConfig, obj: KubeObject, namespace: string, persist = false): Promise<Verdict> {
  const body = { ...obj, metadata: { ...obj.metadata, namespace } };
  const query = persist ? '' : '?dryRun=All';
  const res = await sendRequest(kc, 'POST', `${collectionPath(obj, namespace)}${query}`, JSON.stringify(body));
  let message = '';
  if (res.status >= 300) {
    try {
      message = (JSON.parse(res.text) as { message?: string }).message ?? res.text;
    } catch {
      message = res.text;
    }
  }
  return { status: res.status, message, warnings: warningsOf(res.headers.warning) };
}

/** Server-side applies cluster-scoped admission objects (policies, bindings) as `fieldManager`. */
export async function applyClusterObjects(kc: KubeConfig, objects: readonly KubeObject[], fieldManager = 'ward-test'): Promise<void> {
  for (const obj of objects) {
    const path = `${collectionPath(obj)}/${encodeURIComponent(obj.metadata.name)}?fieldManager=${fieldManager}&force=true`;
    await rawRequest(kc, 'PATCH', path, obj, 'application/apply-patch+yaml');
  }
}

/** Deletes cluster-scoped admission objects (ignores the ones already gone). */
export async function deleteClusterObjects(kc: KubeConfig, objects: readonly KubeObject[]): Promise<void> {
  for (const obj of objects) {
    const res = await sendRequest(kc, 'DELETE', `${collectionPath(obj)}/${encodeURIComponent(obj.metadata.name)}`, undefined);
    if (res.status >= 300 && res.status !== 404) throw new Error(`DELETE ${obj.kind} ${obj.metadata.name}: HTTP ${String(res.status)} ${res.text.slice(0, 300)}`);
  }
}

/** The rule ids named at the start of refusal messages or warnings (`WARD-X-NNN: …`). */
export function ruleIdsIn(v: Verdict): string[] {
  const texts = [v.message, ...v.warnings];
  return [...new Set(texts.flatMap((t) => [...t.matchAll(/\bWARD-[A-Z]+-\d{3}\b(?=: )/g)].map((m) => m[0])))].sort();
}
