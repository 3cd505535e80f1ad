import { App, Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { stringify } from 'yaml';
import { compareStrings, MeshSecurity, NamespaceSecurity, NetworkIsolation, ownerLabels, resolveEdges, type SynthesizeOptions } from './constructs/index.js';
import { EdgeControls } from './constructs/edge.js';
import { Monitoring } from './constructs/monitoring.js';
import { WireguardGateway } from './constructs/wireguard.js';
import type { KubeObject } from './kube.js';
import type { RegistrySpec } from './model/index.js';

export type { Owner, SynthesizeOptions } from './constructs/index.js';

/**
 * spec → Kubernetes objects. Pure and deterministic: no clock, no randomness, no I/O; explicit names
 * (no cdk8s name hashes); keys sorted; objects sorted by (kind order, namespace, name). Same spec,
 * same bytes.
 */

/** Order of kinds in the output: namespaces first, then identities, mesh policy, network policy, workloads. */
export const KIND_ORDER: readonly string[] = [
  'Namespace',
  'ServiceAccount',
  'ConfigMap',
  'PeerAuthentication',
  'RequestAuthentication',
  'AuthorizationPolicy',
  'Sidecar',
  'ServiceEntry',
  'NetworkPolicy',
  'Service',
  'Deployment',
  'DaemonSet',
];

/** The cdk8s chart of one registry stack; `cdk8s synth` (charts-src/main.ts) and `synthesize()` both build it. */
export class RegistryChart extends Chart {
  constructor(scope: Construct, id: string, spec: RegistrySpec, options: SynthesizeOptions = {}) {
    super(scope, id, { labels: ownerLabels(spec, options), disableResourceNameHashes: true });
    const edges = resolveEdges(spec);
    new NamespaceSecurity(this, 'namespace', { spec });
    new MeshSecurity(this, 'mesh', { spec, edges });
    new NetworkIsolation(this, 'network', { spec, edges });
    new EdgeControls(this, 'edge', { spec });
    // Optional parts, one line each (e.g. the WireGuard admin gateway when spec.wireguard?.enabled):
    if (spec.wireguard?.enabled) new WireguardGateway(this, 'wireguard', { spec, wireguard: spec.wireguard });
    if (spec.monitoring?.enabled) new Monitoring(this, 'monitoring', { spec, owner: options.owner ?? { namespace: spec.namespace, name: spec.release } });
  }

  /** The chart's objects, canonical and sorted: what `cdk8s synth` writes and `synthesize()` returns. */
  public override toJson(): KubeObject[] {
    const objects = (super.toJson() as unknown[]).map((o) => canonical(o, true) as KubeObject).sort(compareObjects);
    assertNoSecret(objects);
    return objects;
  }
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** Sort order of the output: kind order (unknown kinds after, by name), then namespace, then name. */
export function compareObjects(a: KubeObject, b: KubeObject): number {
  return (
    kindRank(a.kind) - kindRank(b.kind) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareStrings(a.metadata.name, b.metadata.name)
  );
}

/** Recursively sorted keys; `apiVersion`, `kind`, `metadata` lead at the top level. */
function canonical(value: unknown, top = false): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v));
  if (value === null || typeof value !== 'object') return value;
  const rec = value as Record<string, unknown>;
  const keys = Object.keys(rec).sort(compareStrings);
  const lead = top ? ['apiVersion', 'kind', 'metadata'].filter((k) => k in rec) : [];
  const out: Record<string, unknown> = {};
  for (const k of [...lead, ...keys.filter((k) => !lead.includes(k))]) out[k] = canonical(rec[k]);
  return out;
}

/** Never emit a Secret: secret values do not belong in manifests (DESIGN.md). */
function assertNoSecret(objects: readonly KubeObject[]): void {
  const secret = objects.find((o) => o.kind === 'Secret');
  if (secret) throw new Error(`synthesis produced Secret ${secret.metadata.namespace ?? ''}/${secret.metadata.name}: ward never emits Secrets`);
}

/** Synthesises the hardening objects of a parsed spec. */
export function synthesize(spec: RegistrySpec, options: SynthesizeOptions = {}): KubeObject[] {
  return new RegistryChart(new App(), 'ward', spec, options).toJson();
}

/**
 * One YAML document per object, `---` between them, no line folding. Written as YAML 1.1 so strings
 * such as "yes", "on" or "0777" are quoted: kubectl and client-go read YAML 1.1 and would take them
 * for booleans or numbers.
 */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n');
}

/** A JSON array of the objects, two-space indented, with a final newline. */
export function toJson(objects: readonly KubeObject[]): string {
  return `${JSON.stringify(objects, null, 2)}\n`;
}
