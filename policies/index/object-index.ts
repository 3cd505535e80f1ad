/**
 * The object index: every loaded object by kind, namespace and name; workloads with their pod
 * templates; selectors resolved once (memoised per selecting object). Rules read only this.
 */
import { Labels, WellKnownLabels, type KubeObject } from '../../charts-src/kube.js';
import { isEmptySelector, matchesSelector, type LabelSelector } from '../../charts-src/selector.js';
import { redactSecret } from '../load/secrets.js';
import type { FieldPath, LoadedDocument, SecretFacts } from '../load/types.js';
import type { ObjectRef, SourceLocation } from '../types.js';
import { rec, recs, str, strMap } from './access.js';
import { specParser } from '../flows/spec-parser.js';
import type { ParseResult } from '../../charts-src/model/parse.js';
import { isWorkloadKind, toWorkload, type Workload } from './workloads.js';
import { KNOWN_KINDS, CLUSTER_SCOPED_KINDS, kindKey } from './kinds.js';
import { imageReason, labelReason, PERSONAL_DATA_LABEL, type PersonalDataReason, type PersonalDataRecognisers } from './personal-data.js';

export { PERSONAL_DATA_LABEL };
export const NAMESPACE_NAME_LABEL = WellKnownLabels.namespaceName;

export interface IndexOptions {
  /**
   * Namespace of namespaced objects that do not name one (`--default-namespace`). Given, it wins.
   * @default inferred: the one namespace every other namespaced object names, else 'default' (see `defaultNamespaceOf`)
   */
  readonly defaultNamespace?: string;
  /** Objects were read from a live cluster: every object of a listed kind is visible. @default false */
  readonly cluster?: boolean;
  /** Istio root namespace (mesh-wide policy). @default 'istio-system' */
  readonly meshRootNamespace?: string;
  /**
   * What else marks a workload as holding personal data (the profile's `personalData`: images).
   * @default none: only the label and RegistryDeployment components
   */
  readonly personalData?: PersonalDataRecognisers;
}

/** How the namespace of objects that name none was chosen; the CLI prints `notice` on stderr. */
export interface NamespaceDefault {
  readonly namespace: string;
  /** given: --default-namespace; inferred: the one namespace the others name; fallback: `default`. */
  readonly source: 'given' | 'inferred' | 'fallback';
  /** Namespaced objects that name no namespace. */
  readonly unnamed: number;
  /** Namespaces the other namespaced objects name, with how many name each, sorted by name. */
  readonly named: Readonly<Record<string, number>>;
  /** What to tell the user (undefined when every object names its namespace or the namespace was given). */
  readonly notice?: { readonly level: 'notice' | 'warning'; readonly message: string };
}

const FALLBACK_NAMESPACE = 'default';

/** The namespace an object names itself (undefined: none, or a cluster-scoped kind). */
function ownNamespace(obj: KubeObject): string | undefined {
  if (CLUSTER_SCOPED_KINDS.has(obj.kind)) return undefined;
  const ns = str(obj.metadata.namespace);
  return ns === '' ? undefined : ns;
}

const isUnnamed = (obj: KubeObject): boolean => !CLUSTER_SCOPED_KINDS.has(obj.kind) && ownNamespace(obj) === undefined;

/**
 * The namespace for namespaced objects that name none. A `helm template -n NS` render names NS only
 * in the templates that write `namespace: {{ .Release.Namespace }}` (the Bitnami subcharts do, most
 * OpenG2P templates do not), so when every object that names a namespace names the same one, the
 * others take it; when they disagree, `default`, with a warning. `given` always wins.
 */
export function defaultNamespaceOf(objects: readonly KubeObject[], given?: string): NamespaceDefault {
  const counts = new Map<string, number>();
  let unnamed = 0;
  // ward's own objects name every namespace they live in (the gateway's too): they say nothing about
  // where a chart's unnamed objects belong, unless nothing else names a namespace.
  const others = objects.filter((o) => strMap(o.metadata.labels)[Labels.managedBy] !== Labels.managedByValue);
  const naming = others.some((o) => ownNamespace(o) !== undefined) ? others : objects;
  for (const obj of objects) if (isUnnamed(obj)) unnamed++;
  for (const obj of naming) {
    const ns = ownNamespace(obj);
    if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  const names = [...counts.keys()].sort();
  const named = Object.fromEntries(names.map((n) => [n, counts.get(n) ?? 0]));
  const base = { unnamed, named };
  if (given !== undefined) return { namespace: given, source: 'given', ...base };
  const only = names.length === 1 ? names[0] : undefined;
  if (only !== undefined) {
    return {
      namespace: only, source: 'inferred', ...base,
      ...(unnamed > 0 ? { notice: { level: 'notice', message: `${String(unnamed)} object(s) name no namespace; every namespaced object that names one names ${only}, so they are taken to be in ${only} (--default-namespace NS says otherwise)` } } : {}),
    };
  }
  if (unnamed === 0 || names.length === 0) return { namespace: FALLBACK_NAMESPACE, source: 'fallback', ...base };
  const list = names.map((n) => `${n} (${String(counts.get(n) ?? 0)})`).join(', ');
  return {
    namespace: FALLBACK_NAMESPACE, source: 'fallback', ...base,
    notice: { level: 'warning', message: `${String(unnamed)} object(s) name no namespace and the others name ${String(names.length)} namespaces: ${list}; they are taken to be in ${FALLBACK_NAMESPACE}. Give --default-namespace NS (the -n of helm template) to place them` },
  };
}

/** `obj` with `namespace` written into its metadata when it is namespaced and names none (as the API server would on apply). */
function placed(obj: KubeObject, namespace: string): KubeObject {
  return isUnnamed(obj) ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
}

interface Origin {
  readonly doc?: LoadedDocument;
  readonly facts?: SecretFacts;
}

export class ObjectIndex {
  readonly objects: readonly KubeObject[];
  readonly workloads: readonly Workload[];
  readonly cluster: boolean;
  readonly meshRootNamespace: string;
  /** The recognisers the index was built with (an index rebuilt from `objects` passes them on). */
  readonly personalDataRecognisers: PersonalDataRecognisers;
  /** Kinds no rule understands, counted (`Kind.group`). */
  readonly unknownKinds: ReadonlyMap<string, number>;
  /** How objects that name no namespace were placed (they carry that namespace in `objects`). */
  readonly namespaceDefault: NamespaceDefault;
  private readonly defaultNamespace: string;
  private readonly origins = new Map<KubeObject, Origin>();
  private readonly byKind = new Map<string, KubeObject[]>();
  private readonly byKindNs = new Map<string, KubeObject[]>();
  private readonly byName = new Map<string, KubeObject>();
  private readonly selectionCache = new Map<KubeObject, readonly Workload[]>();
  private readonly workloadByObject = new Map<KubeObject, Workload>();
  private readonly personalDataCache = new Map<Workload, PersonalDataReason | null>();
  private readonly parsedSpecs = new Map<KubeObject, ParseResult>();
  private readonly workloadsByNs = new Map<string, Workload[]>();
  private policiesByWorkload: Map<Workload, KubeObject[]> | undefined;

  private constructor(entries: readonly { object: KubeObject; doc?: LoadedDocument; facts?: SecretFacts }[], options: IndexOptions) {
    this.cluster = options.cluster ?? false;
    this.meshRootNamespace = options.meshRootNamespace ?? 'istio-system';
    this.personalDataRecognisers = options.personalData ?? { images: [] };
    this.namespaceDefault = defaultNamespaceOf(entries.map((e) => e.object), options.defaultNamespace);
    this.defaultNamespace = this.namespaceDefault.namespace;
    const unknown = new Map<string, number>();
    const workloads: Workload[] = [];
    // Objects that name no namespace get it written in, so an index rebuilt from `objects` (the flow
    // engine's placeholders) and rules that read metadata.namespace see the same namespace.
    const placedEntries = entries.map((e) => ({ ...e, object: placed(e.object, this.defaultNamespace) }));
    for (const { object, doc, facts } of placedEntries) {
      this.origins.set(object, { ...(doc ? { doc } : {}), ...(facts ? { facts } : {}) });
      const ns = this.namespaceOf(object);
      push(this.byKind, object.kind, object);
      push(this.byKindNs, `${object.kind}/${ns ?? ''}`, object);
      this.byName.set(`${object.kind}/${ns ?? ''}/${object.metadata.name}`, object);
      if (!KNOWN_KINDS.has(object.kind)) unknown.set(kindKey(object), (unknown.get(kindKey(object)) ?? 0) + 1);
      if (isWorkloadKind(object.kind)) {
        const w = toWorkload(object, ns ?? this.defaultNamespace);
        if (w) {
          workloads.push(w);
          this.workloadByObject.set(object, w);
          push(this.workloadsByNs, w.namespace, w);
        }
      }
    }
    this.objects = placedEntries.map((e) => e.object);
    this.workloads = workloads;
    this.unknownKinds = unknown;
  }

  static fromDocuments(docs: readonly LoadedDocument[], options: IndexOptions = {}): ObjectIndex {
    return new ObjectIndex(docs.map((doc) => ({ object: doc.object, doc })), options);
  }

  /** Objects without positions (a cluster, synthesised output). Secret values are reduced to facts here too. */
  static fromObjects(objects: readonly KubeObject[], options: IndexOptions = {}): ObjectIndex {
    return new ObjectIndex(objects.map((object) => (object.kind === 'Secret' && (object.data !== undefined || object.stringData !== undefined) ? redactSecret(object) : { object })), options);
  }

  /** Namespace of a namespaced object (defaulted), undefined for cluster-scoped kinds. */
  namespaceOf(obj: KubeObject): string | undefined {
    if (CLUSTER_SCOPED_KINDS.has(obj.kind)) return undefined;
    return ownNamespace(obj) ?? this.defaultNamespace;
  }

  ref(obj: KubeObject): ObjectRef {
    const ns = this.namespaceOf(obj);
    return ns === undefined ? { kind: obj.kind, name: obj.metadata.name } : { kind: obj.kind, namespace: ns, name: obj.metadata.name };
  }

  ofKind(kind: string): readonly KubeObject[] {
    return this.byKind.get(kind) ?? [];
  }

  inNamespace(kind: string, namespace: string): readonly KubeObject[] {
    return this.byKindNs.get(`${kind}/${namespace}`) ?? [];
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byName.get(`${kind}/${namespace ?? ''}/${name}`);
  }

  /**
   * True when the absence of an object of `kind` in `namespace` means something: the input is a
   * live cluster, or the input contains objects of that kind in that namespace. ward's own output
   * (policies without the chart's ServiceAccounts or Secrets) must not trip cross-object rules.
   */
  knowsKindIn(kind: string, namespace: string): boolean {
    return this.cluster || this.inNamespace(kind, namespace).length > 0;
  }

  /** Every namespace mentioned: Namespace objects and the namespaces of namespaced objects, sorted. */
  namespaces(): readonly string[] {
    const set = new Set<string>();
    for (const ns of this.ofKind('Namespace')) set.add(ns.metadata.name);
    for (const obj of this.objects) {
      const ns = this.namespaceOf(obj);
      if (ns !== undefined) set.add(ns);
    }
    return [...set].sort();
  }

  /** Labels of a namespace (its Namespace object, plus kubernetes.io/metadata.name as the API server adds it). */
  namespaceLabels(namespace: string): Readonly<Record<string, string>> {
    const obj = this.get('Namespace', undefined, namespace);
    return { ...strMap(obj?.metadata.labels), [NAMESPACE_NAME_LABEL]: namespace };
  }

  workloadsIn(namespace: string): readonly Workload[] {
    return this.workloadsByNs.get(namespace) ?? [];
  }

  workloadOf(obj: KubeObject): Workload | undefined {
    return this.workloadByObject.get(obj);
  }

  /** Workloads whose pods match `selector` in `namespace` (undefined namespace: every namespace). Memoised per `owner`. */
  selectWorkloads(owner: KubeObject, selector: LabelSelector | undefined, namespace: string | undefined): readonly Workload[] {
    const cached = this.selectionCache.get(owner);
    if (cached) return cached;
    const scope = namespace === undefined ? this.workloads : this.workloadsIn(namespace);
    const result = selector === undefined ? [] : scope.filter((w) => matchesSelector(selector, w.podLabels));
    this.selectionCache.set(owner, result);
    return result;
  }

  /** Workloads a NetworkPolicy applies to (its podSelector in its namespace). */
  policyTargets(policy: KubeObject): readonly Workload[] {
    const spec = rec(policy.spec);
    return this.selectWorkloads(policy, labelSelector(spec.podSelector) ?? {}, this.namespaceOf(policy));
  }

  /**
   * Workloads an Istio policy (PeerAuthentication, AuthorizationPolicy, RequestAuthentication,
   * Sidecar) applies to: its selector in its namespace; no selector means the whole namespace, or the
   * whole mesh in the root namespace.
   */
  istioTargets(policy: KubeObject): readonly Workload[] {
    const spec = rec(policy.spec);
    const sel = policy.kind === 'Sidecar' ? rec(spec.workloadSelector).labels : rec(spec.selector).matchLabels;
    const ns = this.namespaceOf(policy);
    if (sel === undefined) return this.selectWorkloads(policy, {}, ns === this.meshRootNamespace ? undefined : ns);
    return this.selectWorkloads(policy, { matchLabels: strMap(sel) }, ns);
  }

  /** Workloads a Service routes to (no selector: none). */
  serviceTargets(service: KubeObject): readonly Workload[] {
    const sel = strMap(rec(service.spec).selector);
    return this.selectWorkloads(service, Object.keys(sel).length ? { matchLabels: sel } : undefined, this.namespaceOf(service));
  }

  /** NetworkPolicies selecting a workload. */
  networkPoliciesFor(w: Workload): readonly KubeObject[] {
    if (!this.policiesByWorkload) {
      const map = new Map<Workload, KubeObject[]>();
      for (const np of this.ofKind('NetworkPolicy')) for (const target of this.policyTargets(np)) push(map, target, np);
      this.policiesByWorkload = map;
    }
    return this.policiesByWorkload.get(w) ?? [];
  }

  /**
   * True when the workload holds personal data: labelled so, declared so by a RegistryDeployment in
   * the input, or running an image the profile recognises (see `personalDataReason`).
   */
  holdsPersonalData(w: Workload): boolean {
    return this.personalDataReason(w) !== undefined;
  }

  /**
   * Why the workload is taken as holding personal data (undefined: it is not). The first that applies:
   * the label `ward.g2p.dev/personal-data: "true"`, a RegistryDeployment component with
   * `personalData: true` selecting it, an image of a running container the profile recognises.
   */
  personalDataReason(w: Workload): PersonalDataReason | undefined {
    let v = this.personalDataCache.get(w);
    if (v === undefined) {
      v = labelReason(w) ?? this.declaredPersonal(w) ?? imageReason(w, this.personalDataRecognisers) ?? null;
      this.personalDataCache.set(w, v);
    }
    return v ?? undefined;
  }

  /** True when a workload in `namespace` holds personal data (see `holdsPersonalData`). */
  namespaceHoldsPersonalData(namespace: string): boolean {
    return this.workloadsIn(namespace).some((w) => this.holdsPersonalData(w));
  }

  /**
   * A RegistryDeployment parsed as the operator parses it (preset expanded, defaults applied), once
   * per index: the FLOW rules, the ingress routes and personal-data recognition all read it.
   */
  registrySpec(rd: KubeObject): ParseResult {
    let parsed = this.parsedSpecs.get(rd);
    if (parsed === undefined) {
      parsed = specParser()(rd);
      this.parsedSpecs.set(rd, parsed);
    }
    return parsed;
  }

  /**
   * A RegistryDeployment's spec as the operator would run it: its preset expanded (a spec naming only
   * `preset: openg2p-social-registry` declares the preset's personal-data components). A spec that
   * does not parse is read as written (the FLOW rules report why it does not parse).
   */
  private effectiveSpec(rd: KubeObject): Record<string, unknown> {
    const written = rec(rd.spec);
    if (written.preset === undefined) return written;
    const parsed = this.registrySpec(rd);
    return parsed.ok ? parsed.spec : written;
  }

  private declaredPersonal(w: Workload): PersonalDataReason | undefined {
    for (const rd of this.ofKind('RegistryDeployment')) {
      const spec = this.effectiveSpec(rd);
      const specNs = str(spec.namespace) ?? this.namespaceOf(rd);
      const c = recs(spec.components).find((x) => x.personalData === true && (str(x.namespace) ?? specNs) === w.namespace
        && Object.keys(strMap(x.selector)).length > 0 && matchesSelector({ matchLabels: strMap(x.selector) }, w.podLabels));
      if (c) return { by: 'component', registryDeployment: `${this.namespaceOf(rd) ?? ''}/${rd.metadata.name}`, component: str(c.name) ?? '(unnamed)' };
    }
    return undefined;
  }

  /** Source document of an object (undefined for objects from a cluster or built in memory). */
  document(obj: KubeObject): LoadedDocument | undefined {
    return this.origins.get(obj)?.doc;
  }

  /** Location of an object or of one of its fields. */
  locate(obj: KubeObject, path: FieldPath = []): SourceLocation | undefined {
    return this.document(obj)?.locate(path);
  }

  /** Keys and weakness facts of a Secret (undefined when only its metadata is known). */
  secretFacts(secret: KubeObject): SecretFacts | undefined {
    const origin = this.origins.get(secret);
    return origin?.doc?.secretFacts ?? origin?.facts;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A metav1.LabelSelector from untrusted input (undefined when absent or not a mapping). */
export function labelSelector(v: unknown): LabelSelector | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const r = rec(v);
  const matchExpressions = recs(r.matchExpressions).map((e) => ({
    key: str(e.key) ?? '',
    operator: str(e.operator) ?? '',
    values: Array.isArray(e.values) ? e.values.filter((x): x is string => typeof x === 'string') : [],
  }));
  return { matchLabels: strMap(r.matchLabels), matchExpressions };
}

export { isEmptySelector };

/**
 * `policyTypes` of a NetworkPolicy as the API server defaults them: an absent or empty list becomes
 * [Ingress], plus Egress only when the policy has at least one egress rule (`egress: []` does not
 * count). The one implementation shared by the NET rules and the flow engine.
 */
export function networkPolicyTypes(spec: unknown): ('Ingress' | 'Egress')[] {
  const r = rec(spec);
  const explicit = (Array.isArray(r.policyTypes) ? r.policyTypes : []).filter((t): t is 'Ingress' | 'Egress' => t === 'Ingress' || t === 'Egress');
  if (Array.isArray(r.policyTypes) && r.policyTypes.length > 0) return explicit;
  return Array.isArray(r.egress) && r.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}
