/**
 * Selector resolution over pod classes, memoised by `selectorKey`: each distinct selector is matched
 * once per namespace, and `matchLabels` terms go through a label index instead of a scan. This is
 * what makes the engine's cost grow with distinct selectors rather than pods × policies.
 */
import { matchesSelector, selectorKey, type LabelSelector } from '../../charts-src/selector.js';
import type { PodClass } from './nodes.js';
import type { PodPeer } from './netpol.js';

export type NamespaceLabels = (namespace: string) => Readonly<Record<string, string>>;

export class Selection {
  private readonly byNs = new Map<string, PodClass[]>();
  private readonly labelIndex = new Map<string, PodClass[]>();
  private readonly podCache = new Map<string, readonly PodClass[]>();
  private readonly nsCache = new Map<string, readonly string[]>();
  private readonly peerCache = new Map<string, readonly PodClass[]>();
  private readonly keys = new WeakMap<LabelSelector, string>();
  /** Namespaces by `key\0value` of their labels, built on first use. */
  private nsLabelIndex: Map<string, string[]> | undefined;

  constructor(
    readonly classes: readonly PodClass[],
    private readonly namespaces: readonly string[],
    private readonly namespaceLabels: NamespaceLabels,
  ) {
    for (const c of classes) {
      push(this.byNs, c.namespace, c);
      for (const [k, v] of Object.entries(c.labels)) push(this.labelIndex, labelKey(c.namespace, k, v), c);
    }
  }

  /** selectorKey, memoised per selector object (parsed policies keep theirs). */
  private keyOf(selector: LabelSelector): string {
    let k = this.keys.get(selector);
    if (k === undefined) {
      k = selectorKey(selector);
      this.keys.set(selector, k);
    }
    return k;
  }

  /** Classes in `namespace` whose labels match `selector`. */
  podsIn(namespace: string, selector: LabelSelector): readonly PodClass[] {
    const key = `${namespace}\u0000${this.keyOf(selector)}`;
    let hit = this.podCache.get(key);
    if (!hit) {
      hit = this.candidates(namespace, selector).filter((c) => matchesSelector(selector, c.labels));
      this.podCache.set(key, hit);
    }
    return hit;
  }

  /** Namespaces whose labels match `selector`. */
  namespacesMatching(selector: LabelSelector): readonly string[] {
    const key = this.keyOf(selector);
    let hit = this.nsCache.get(key);
    if (!hit) {
      hit = this.namespaceCandidates(selector).filter((ns) => matchesSelector(selector, this.namespaceLabels(ns)));
      this.nsCache.set(key, hit);
    }
    return hit;
  }

  /** Classes a NetworkPolicy peer in `policyNamespace` selects. */
  peerClasses(policyNamespace: string, peer: PodPeer): readonly PodClass[] {
    const nsKey = peer.namespaceSelector ? `ns:${this.keyOf(peer.namespaceSelector)}` : `same:${policyNamespace}`;
    const key = `${nsKey}\u0000${peer.podSelector ? this.keyOf(peer.podSelector) : '*'}`;
    let hit = this.peerCache.get(key);
    if (!hit) {
      const namespaces = peer.namespaceSelector ? this.namespacesMatching(peer.namespaceSelector) : [policyNamespace];
      hit = namespaces.flatMap((ns) => this.podsIn(ns, peer.podSelector ?? {}));
      this.peerCache.set(key, hit);
    }
    return hit;
  }

  /** True when a peer selects class `c` (direct match, no cache: the reference semantics for explain). */
  static peerMatches(policyNamespace: string, peer: PodPeer, c: PodClass, namespaceLabels: NamespaceLabels): boolean {
    const nsOk = peer.namespaceSelector ? matchesSelector(peer.namespaceSelector, namespaceLabels(c.namespace)) : c.namespace === policyNamespace;
    return nsOk && matchesSelector(peer.podSelector ?? {}, c.labels);
  }

  /**
   * The namespaces a selector can match: the shortest index list of its matchLabels terms (in
   * namespace order), else all. One namespaceSelector per policy (`kubernetes.io/metadata.name: x`)
   * is then linear in the namespaces, not quadratic.
   */
  private namespaceCandidates(selector: LabelSelector): readonly string[] {
    const terms = Object.entries(selector.matchLabels ?? {});
    if (terms.length === 0) return this.namespaces;
    if (!this.nsLabelIndex) {
      this.nsLabelIndex = new Map();
      for (const ns of this.namespaces) for (const [k, v] of Object.entries(this.namespaceLabels(ns))) push(this.nsLabelIndex, `${k}\u0000${v}`, ns);
    }
    let best: readonly string[] = this.namespaces;
    for (const [k, v] of terms) {
      const list = this.nsLabelIndex.get(`${k}\u0000${v}`) ?? [];
      if (list.length < best.length) best = list;
    }
    return best;
  }

  private candidates(namespace: string, selector: LabelSelector): readonly PodClass[] {
    let best = this.byNs.get(namespace) ?? [];
    for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
      const list = this.labelIndex.get(labelKey(namespace, k, v)) ?? [];
      if (list.length < best.length) best = list;
    }
    return best;
  }
}

function labelKey(ns: string, k: string, v: string): string {
  return `${ns}\u0000${k}\u0000${v}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
