/**
 * `ward init`: a RegistryDeployment spec inferred from what a render, a directory or a cluster
 * actually runs (DESIGN.md, data flow "init"). Pure: object index in, inference out.
 *
 * - components from workloads: the workload's own selector (immutable, so stable) or the stable part
 *   of its pod template labels (never chart versions or hashes), its service account, the container
 *   ports and the numeric target ports of the Services that select it;
 * - personal data as the object index takes it: pods labelled `ward.g2p.dev/personal-data: "true"`,
 *   and the images its recognisers name (the CLI passes the openg2p-audit profile's: Odoo,
 *   PostgreSQL, MinIO, the MOSIP key manager, OpenSearch);
 * - exposure from the VirtualServices and Ingresses that route a host to one of its Services;
 * - flows from the addresses each workload's configuration names (env values, arguments, ConfigMaps
 *   it reads), resolved to a Service, its target workloads and target ports; addresses that name
 *   nothing in the input become TODOs.
 * Every component, flow and TODO carries its evidence (file:line and the field). Secret values are
 * never read: the loader has redacted them before the index exists.
 */
import { RESERVED_COMPONENT_NAMES } from '../../charts-src/model/index.js';
import type { KubeObject } from '../../charts-src/kube.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { rec, recs, str, strMap, strs, text, type Rec } from '../index/access.js';
import { envOf } from '../index/env.js';
import type { ObjectIndex } from '../index/object-index.js';
import { describeReason, imageRepository } from '../index/personal-data.js';
import { servingContainers, WORKLOAD_KINDS, type Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import { addressesIn, isIpAddress, isLocalHost, schemePort, siblingPort, type Address } from './references.js';

export interface InferOptions {
  /** Helm release (metadata.name and `release` of the spec). @default the pods' most common app.kubernetes.io/instance */
  readonly release?: string;
  /** Namespace of the spec. @default the namespace with the most workloads */
  readonly namespace?: string;
}

export interface InferredPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
}

export interface InferredComponent {
  readonly name: string;
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly serviceAccount: string;
  readonly ports: InferredPort[];
  readonly personalData: boolean;
  exposure?: { hosts: string[]; port: number };
  sharedIdentityReason?: string;
  /** The workload it stands for. */
  readonly workload: Workload;
  /** One line each: where the component, its labels, ports, personal data and exposure come from. */
  readonly evidence: string[];
}

export interface InferredFlow {
  readonly from: string;
  readonly to: string;
  readonly ports: InferredPort[];
  readonly evidence: string[];
}

export interface NotComponent {
  readonly workload: string;
  readonly reason: string;
}

export interface Inference {
  readonly release: string;
  readonly namespace: string;
  readonly components: InferredComponent[];
  readonly flows: InferredFlow[];
  /** Workloads of the input that are deliberately not components (Helm hooks, pods of controllers). */
  readonly notComponents: NotComponent[];
  /** Addresses and routes ward could not turn into a component or flow: for the user to decide. */
  readonly todos: string[];
  readonly workloads: number;
}

/** Pod label keys that change between releases or are added by controllers: never part of a selector. */
const UNSTABLE_KEYS = new Set([
  'pod-template-hash', 'controller-revision-hash', 'statefulset.kubernetes.io/pod-name', 'pod-template-generation', 'controller-uid', 'job-name',
  'batch.kubernetes.io/controller-uid', 'batch.kubernetes.io/job-name', 'apps.kubernetes.io/pod-index', 'helm.sh/chart', 'chart', 'heritage',
  'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'version', 'release-revision',
]);

function stableLabel(key: string, value: string): boolean {
  if (UNSTABLE_KEYS.has(key) || /hash|checksum|revision|version/i.test(key)) return false;
  if (/^(sidecar|security|service)\.istio\.io\//.test(key) || key.startsWith('ward.g2p.dev/')) return false;
  return !/\d+\.\d+/.test(value);
}

/** Preferred order when a label must be added to tell components apart. */
const LABEL_PRIORITY = ['app.kubernetes.io/component', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app', 'component', 'name', 'release'];

function byPriority(a: string, b: string): number {
  const ia = LABEL_PRIORITY.indexOf(a);
  const ib = LABEL_PRIORITY.indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
}

/** A Helm hook or a pod created by a controller: not a component of its own. */
function notComponentReason(w: Workload): string | undefined {
  const hook = strMap(w.object.metadata.annotations)['helm.sh/hook'];
  if (hook !== undefined) return `Helm hook (${hook}): it runs at install or test time; ward's default deny applies to it`;
  const owner = recs(w.object.metadata.ownerReferences).find((o) => o.controller === true && (WORKLOAD_KINDS as readonly string[]).includes(str(o.kind) ?? ''));
  if (owner) return `run by ${text(owner.kind)} ${text(owner.name)}`;
  return undefined;
}

/** `sr.yaml:1234` or, for objects from a cluster, `Deployment sr/sr-odoo`. */
function where(index: ObjectIndex, obj: KubeObject, path: FieldPath = []): string {
  const loc = index.locate(obj, path);
  if (loc) return `${loc.file}:${String(loc.line)}`;
  const ns = index.namespaceOf(obj);
  return `${obj.kind} ${ns === undefined ? '' : `${ns}/`}${obj.metadata.name}`;
}

function dnsLabelOf(raw: string): string {
  const s = raw.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return s === '' ? 'component' : s;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

function baseSelector(w: Workload): Record<string, string> {
  const sel = rec(rec(w.object.spec).selector);
  const own = w.object.kind === 'Pod' || w.object.kind === 'Job' || w.object.kind === 'CronJob' ? {} : strMap(sel.matchLabels);
  const fromOwn = Object.fromEntries(Object.entries(own).filter(([k, v]) => w.podLabels[k] === v && stableLabel(k, v)));
  if (Object.keys(fromOwn).length > 0) return fromOwn;
  return Object.fromEntries(Object.entries(w.podLabels).filter(([k, v]) => stableLabel(k, v)).sort(([a], [b]) => byPriority(a, b)));
}

function portName(name: string | undefined, port: number, protocol: string, taken: ReadonlySet<string>): string {
  const base = name !== undefined && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) && name.length <= 15 ? name : `${protocol === 'UDP' ? 'udp' : 'tcp'}-${String(port)}`;
  let candidate = base;
  for (let i = 2; taken.has(candidate); i++) candidate = `${base.slice(0, 12)}-${String(i)}`;
  return candidate;
}

function protocolOf(v: unknown): 'TCP' | 'UDP' | undefined {
  const p = str(v) ?? 'TCP';
  return p === 'TCP' || p === 'UDP' ? p : undefined;
}

interface TargetPort { readonly port: number; readonly protocol: 'TCP' | 'UDP'; readonly name?: string; readonly via: string }

/** `host` or `host:port`, as a message shows an address (never the rest of the value). */
function shown(a: Address): string {
  return `${a.host}${a.port !== undefined ? `:${String(a.port)}` : ''}`;
}

/** A cluster DNS name (`svc.ns.svc`, `svc.ns.svc.cluster.local`). */
function inClusterName(host: string): boolean {
  return /\.svc(\.|$)/.test(host);
}

interface ServicePort { readonly name?: string; readonly port: number; readonly targetPort: number | string; readonly protocol: 'TCP' | 'UDP' }

function servicePorts(svc: KubeObject): ServicePort[] {
  return recs(rec(svc.spec).ports).flatMap((p) => {
    const port = typeof p.port === 'number' ? p.port : undefined;
    const protocol = protocolOf(p.protocol);
    if (port === undefined || protocol === undefined) return [];
    const target = typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : port;
    return [{ ...(str(p.name) ? { name: str(p.name)! } : {}), port, targetPort: target, protocol }];
  });
}

/** A Service's target port on a workload: numbers as they are; names through the container ports (FindPort). */
function resolveTarget(w: Workload, target: number | string, protocol: string): number | undefined {
  if (typeof target === 'number') return target;
  const asNumber = Number(target);
  if (Number.isInteger(asNumber) && asNumber > 0) return asNumber;
  for (const c of servingContainers(w)) {
    for (const p of recs(c.container.ports)) if (p.name === target && (str(p.protocol) ?? 'TCP') === protocol && typeof p.containerPort === 'number') return p.containerPort;
  }
  return undefined;
}

class Inferrer {
  readonly components: InferredComponent[] = [];
  readonly notComponents: NotComponent[] = [];
  readonly todos = new Set<string>();
  /** Addresses that name nothing in the input, by host: who names them and where. */
  private readonly outside = new Map<string, { what: string; by: Map<string, string[]> }>();
  private readonly byWorkload = new Map<Workload, InferredComponent>();
  private readonly flows = new Map<string, { from: string; to: string; ports: Map<string, InferredPort>; evidence: string[] }>();

  constructor(private readonly index: ObjectIndex) {}

  component(w: Workload): InferredComponent | undefined {
    return this.byWorkload.get(w);
  }

  addComponents(releaseOption: string | undefined): void {
    const candidates: Workload[] = [];
    for (const w of this.index.workloads) {
      const reason = notComponentReason(w);
      if (reason) this.notComponents.push({ workload: `${w.ref.kind} ${w.namespace}/${w.ref.name} (${where(this.index, w.object)})`, reason });
      else candidates.push(w);
    }
    candidates.sort((a, b) => (a.namespace + '/' + a.ref.name < b.namespace + '/' + b.ref.name ? -1 : 1));
    const release = (this.release = releaseOption ?? this.releaseOf(candidates));
    const taken = new Set<string>();
    for (const w of candidates) {
      const selector = baseSelector(w);
      if (Object.keys(selector).length === 0) {
        this.todo(`${w.ref.kind} ${w.namespace}/${w.ref.name} (${where(this.index, w.object)}) has no stable pod label to select it by: label its pods and run ward init again`);
        continue;
      }
      const stripped = w.ref.name.startsWith(`${release}-`) ? w.ref.name.slice(release.length + 1) : w.ref.name;
      let name = dnsLabelOf(stripped === '' ? (w.podLabels['app.kubernetes.io/name'] ?? w.ref.name) : stripped);
      if (RESERVED_COMPONENT_NAMES.includes(name)) name = dnsLabelOf(`${name}-app`);
      const base = name;
      for (let i = 2; taken.has(name); i++) name = `${base.slice(0, 60)}-${String(i)}`;
      taken.add(name);
      const c: InferredComponent = {
        name, namespace: w.namespace, selector, serviceAccount: w.serviceAccount, ports: [], personalData: false, workload: w,
        evidence: [`${w.ref.kind} ${w.ref.name} (${where(this.index, w.object)})`],
      };
      this.components.push(c);
      this.byWorkload.set(w, c);
    }
    this.distinguishSelectors();
    for (const c of this.components) {
      this.addPorts(c);
      this.markPersonalData(c);
    }
    this.markSharedIdentities();
  }

  release = '';

  private releaseOf(ws: readonly Workload[]): string {
    const instance = mostCommon(ws.map((w) => w.podLabels['app.kubernetes.io/instance'] ?? w.podLabels.release).filter((v): v is string => v !== undefined));
    return instance ?? mostCommon(ws.map((w) => w.ref.name.split('-')[0] ?? '')) ?? 'app';
  }

  /** Adds labels until no component's selector selects another component's pods (they would share its policies). */
  private distinguishSelectors(): void {
    for (const c of this.components) {
      const sel = c.selector as Record<string, string>;
      const others = (): InferredComponent[] => this.components.filter((o) => o !== c && o.namespace === c.namespace && matchesSelector({ matchLabels: sel }, o.workload.podLabels));
      const extra = Object.keys(c.workload.podLabels).filter((k) => !(k in sel) && stableLabel(k, c.workload.podLabels[k] ?? '')).sort(byPriority);
      while (others().length > 0 && extra.length > 0) {
        const k = extra.shift()!;
        sel[k] = c.workload.podLabels[k] ?? '';
      }
      const still = others();
      if (still.length > 0) this.todo(`component ${c.name}: its pods carry the same labels as those of ${still.map((o) => o.name).join(', ')}; give the workloads labels that tell them apart`);
      const own = 'matchLabels' in rec(rec(c.workload.object.spec).selector) && !['Pod', 'Job', 'CronJob'].includes(c.workload.ref.kind);
      c.evidence.push(`selector: ${own ? 'the workload\'s spec.selector.matchLabels' : 'its stable pod template labels'}${Object.keys(sel).length > Object.keys(baseSelector(c.workload)).length ? ', plus labels that tell it apart from other components' : ''}`);
    }
  }

  private addPorts(c: InferredComponent): void {
    const names = new Set<string>();
    const has = (port: number, protocol: string): boolean => c.ports.some((p) => p.port === port && p.protocol === protocol);
    const push = (name: string | undefined, port: number, protocol: 'TCP' | 'UDP'): void => {
      if (has(port, protocol)) return;
      const n = portName(name, port, protocol, names);
      names.add(n);
      c.ports.push({ name: n, port, protocol });
    };
    const containers: string[] = [];
    for (const ct of servingContainers(c.workload)) {
      for (const p of recs(ct.container.ports)) {
        const protocol = protocolOf(p.protocol);
        if (typeof p.containerPort === 'number' && protocol) push(str(p.name), p.containerPort, protocol);
      }
      if (recs(ct.container.ports).length > 0) containers.push(ct.name);
    }
    if (containers.length > 0) c.evidence.push(`ports: container ports of ${containers.map((n) => `"${n}"`).join(', ')}`);
    for (const svc of this.index.inNamespace('Service', c.namespace)) {
      if (!this.index.serviceTargets(svc).includes(c.workload)) continue;
      for (const sp of servicePorts(svc)) {
        const target = resolveTarget(c.workload, sp.targetPort, sp.protocol);
        if (target !== undefined && !has(target, sp.protocol)) {
          push(sp.name, target, sp.protocol);
          c.evidence.push(`port ${String(target)}: targetPort of Service ${svc.metadata.name} (${where(this.index, svc)}); the container declares none`);
        }
      }
    }
  }

  /** Personal data as the index takes it: the label, a RegistryDeployment, or the image (the recognisers `ward init` passes: openg2p-audit's). */
  private markPersonalData(c: InferredComponent): void {
    const reason = this.index.personalDataReason(c.workload);
    if (!reason) return;
    (c as { personalData: boolean }).personalData = true;
    c.evidence.push(`personal data: ${describeReason(reason)}`);
  }

  private markSharedIdentities(): void {
    const first = new Map<string, InferredComponent>();
    for (const c of this.components) {
      const key = `${c.namespace}/${c.serviceAccount}`;
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, c);
        continue;
      }
      const how = c.serviceAccount === 'default' && str(c.workload.podSpec.serviceAccountName) === undefined ? 'sets no serviceAccountName, so its pods run as the namespace\'s default account' : `runs as service account ${c.serviceAccount}`;
      c.sharedIdentityReason = `inferred by ward init: ${c.workload.ref.kind} ${c.workload.ref.name} ${how}, as component ${earlier.name} does; give it its own account if the chart offers one`;
    }
  }

  todo(message: string): void {
    this.todos.add(message);
  }

  /** The components a Service routes to, and the Service's ports. */
  private serviceIn(namespace: string, name: string): KubeObject | undefined {
    return this.index.get('Service', namespace, name);
  }

  /** Resolves a host to a Service: `svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`, `pod.svc.ns.svc...` (a headless Service's pod). */
  private resolveHost(host: string, namespace: string): { svc: KubeObject; podDns: boolean } | undefined {
    const labels = host.split('.');
    const [a, b, c, d] = labels;
    if (a === undefined) return undefined;
    if (labels.length === 1) {
      const svc = this.serviceIn(namespace, a);
      return svc ? { svc, podDns: false } : undefined;
    }
    if (b !== undefined && (labels.length === 2 || c === 'svc')) {
      const svc = this.serviceIn(b, a);
      if (svc) return { svc, podDns: false };
    }
    if (b !== undefined && c !== undefined && d === 'svc') {
      const svc = this.serviceIn(c, b);
      if (svc) return { svc, podDns: true };
    }
    return undefined;
  }

  /** One address found in `from`'s configuration. */
  reference(from: InferredComponent, addr: Address, hintPort: number | undefined, evidence: string): void {
    if (isLocalHost(addr.host)) return;
    const resolved = isIpAddress(addr.host) ? undefined : this.resolveHost(addr.host, from.namespace);
    if (!resolved) return this.unresolved(from, addr, evidence);
    const { svc, podDns } = resolved;
    const targets = this.index.serviceTargets(svc).map((w) => this.component(w)).filter((c): c is InferredComponent => c !== undefined && c !== from);
    const wanted = addr.port ?? hintPort ?? schemePort(addr.scheme);
    for (const to of targets) {
      const chosen = this.portsFor(svc, to, wanted, podDns) ?? (addr.port === undefined ? this.portsFor(svc, to, undefined, podDns) : undefined);
      if (chosen === undefined) {
        const list = servicePorts(svc).map((p) => String(p.port)).join(', ') || 'none';
        this.todo(`${from.name} → ${shown(addr)} (${evidence}): port ${String(addr.port)} is not a port of Service ${svc.metadata.name} (${list})`);
        continue;
      }
      for (const p of chosen) this.addFlow(from, to, p, `${evidence} names ${shown(addr)}: ${p.via}`);
    }
  }

  /** An address that names no Service of the input: a TODO when it is clearly an address (URL, host:port, *.svc, an IP). */
  private unresolved(from: InferredComponent, addr: Address, evidence: string): void {
    const explicit = addr.port !== undefined || addr.scheme !== undefined;
    if (!explicit && !inClusterName(addr.host) && !isIpAddress(addr.host)) return;
    const published = this.components.find((c) => c.exposure?.hosts.includes(addr.host));
    if (published) {
      this.todo(`${from.name} → ${shown(addr)} (${evidence}): the host component ${published.name} is published under; the call leaves the mesh through the ingress: declare a cidr flow to the ingress address, or call the Service instead`);
      return;
    }
    const what = isIpAddress(addr.host) ? 'an address' : inClusterName(addr.host) ? 'a Service that is not in the input' : 'not a Service of the input';
    const entry = this.outside.get(shown(addr)) ?? { what, by: new Map<string, string[]>() };
    this.outside.set(shown(addr), entry);
    const list = entry.by.get(from.name) ?? [];
    entry.by.set(from.name, list);
    if (!list.includes(evidence)) list.push(evidence);
  }

  /**
   * The target ports a reference reaches on `to`: the Service port it names (explicitly, by a sibling
   * PORT setting or by its URL scheme), else every port of the Service; undefined when it names an
   * explicit port the Service does not have.
   */
  private portsFor(svc: KubeObject, to: InferredComponent, wanted: number | undefined, podDns: boolean): TargetPort[] | undefined {
    const ports = servicePorts(svc);
    const asTarget = (sp: ServicePort): TargetPort | undefined => {
      const t = resolveTarget(to.workload, sp.targetPort, sp.protocol);
      return t === undefined ? undefined : { port: t, protocol: sp.protocol, ...(sp.name ? { name: sp.name } : {}), via: `Service ${svc.metadata.name} port ${String(sp.port)} → ${String(t)}` };
    };
    const all = ports.map(asTarget).filter((p): p is TargetPort => p !== undefined);
    if (wanted === undefined) return all;
    if (podDns && to.ports.some((p) => p.port === wanted)) return [{ port: wanted, protocol: 'TCP', via: `pod address of headless Service ${svc.metadata.name}, port ${String(wanted)}` }];
    const match = ports.find((sp) => sp.port === wanted);
    const t = match ? asTarget(match) : undefined;
    if (t) return [t];
    return undefined;
  }

  private addFlow(from: InferredComponent, to: InferredComponent, p: { port: number; protocol: 'TCP' | 'UDP'; name?: string }, evidence: string): void {
    if (from.namespace !== this.namespace && to.namespace !== this.namespace) {
      this.todo(`${from.name} → ${to.name} ${String(p.port)} (${evidence}): neither end runs in namespace ${this.namespace}; declare it in the spec of namespace ${from.namespace}`);
      return;
    }
    if (!to.ports.some((q) => q.port === p.port && q.protocol === p.protocol)) {
      const names = new Set(to.ports.map((q) => q.name));
      to.ports.push({ name: portName(p.name, p.port, p.protocol, names), port: p.port, protocol: p.protocol });
      to.evidence.push(`port ${String(p.port)}: a flow reaches it (${evidence})`);
    }
    const key = `${from.name}\0${to.name}`;
    let f = this.flows.get(key);
    if (!f) {
      f = { from: from.name, to: to.name, ports: new Map(), evidence: [] };
      this.flows.set(key, f);
    }
    f.ports.set(`${p.protocol}/${String(p.port)}`, { name: '', port: p.port, protocol: p.protocol });
    if (!f.evidence.includes(evidence)) f.evidence.push(evidence);
  }

  namespace = '';

  /** Env values, arguments and ConfigMaps each component reads. */
  scanComponents(): void {
    for (const c of this.components) {
      const w = c.workload;
      for (const ct of w.containers) {
        const env = envOf(this.index, w, ct);
        const values = new Map(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value ?? '']));
        for (const e of env) {
          if (e.value === undefined || e.value === '') continue;
          const hint = siblingPort(e.name, values);
          for (const a of addressesIn(e.value)) this.reference(c, a, a.port === undefined ? hint : undefined, `${where(this.index, w.object, e.path)} env ${e.name}`);
        }
        for (const field of ['command', 'args'] as const) {
          strs(ct.container[field]).forEach((arg, i) => {
            for (const a of addressesIn(arg)) this.reference(c, a, undefined, `${where(this.index, w.object, [...ct.path, field, i])} ${field}[${String(i)}] of container ${ct.name}`);
          });
        }
      }
      for (const name of mountedConfigMaps(w.podSpec)) {
        const cm = this.index.get('ConfigMap', w.namespace, name);
        if (!cm) continue;
        for (const [key, value] of Object.entries(rec(cm.data))) {
          if (typeof value !== 'string') continue;
          for (const a of addressesIn(value)) this.reference(c, a, undefined, `${where(this.index, cm, ['data', key])} ConfigMap ${name} key ${key}`);
        }
      }
    }
  }

  /** Hosts the VirtualServices and Ingresses of the input route to a component's Service. */
  addExposure(): void {
    for (const vs of this.index.ofKind('VirtualService')) {
      const spec = rec(vs.spec);
      const gateways = strs(spec.gateways);
      if (gateways.length === 0 || gateways.every((g) => g === 'mesh')) continue;
      const ns = this.index.namespaceOf(vs) ?? this.namespace;
      const hosts = strs(spec.hosts);
      const routes = [...recs(spec.http), ...recs(spec.tcp), ...recs(spec.tls)].flatMap((r) => recs(r.route)).map((r) => rec(r.destination));
      for (const dest of routes) {
        const host = str(dest.host);
        if (!host) continue;
        const number = rec(dest.port).number;
        this.expose(hosts, host, ns, typeof number === 'number' ? number : undefined, `VirtualService ${vs.metadata.name} (${where(this.index, vs)})`);
      }
    }
    for (const ing of this.index.ofKind('Ingress')) {
      const ns = this.index.namespaceOf(ing) ?? this.namespace;
      for (const rule of recs(rec(ing.spec).rules)) {
        const host = str(rule.host);
        for (const path of recs(rec(rule.http).paths)) {
          const svc = rec(rec(path.backend).service);
          const name = str(svc.name);
          const number = rec(svc.port).number;
          if (name) this.expose(host ? [host] : ['*'], name, ns, typeof number === 'number' ? number : undefined, `Ingress ${ing.metadata.name} (${where(this.index, ing)})`);
        }
      }
    }
  }

  private expose(hosts: readonly string[], destination: string, namespace: string, port: number | undefined, evidence: string): void {
    const resolved = this.resolveHost(destination, namespace);
    if (!resolved) return;
    const sp = servicePorts(resolved.svc).find((p) => port === undefined || p.port === port);
    for (const w of this.index.serviceTargets(resolved.svc)) {
      const c = this.component(w);
      if (!c || !sp) continue;
      const target = resolveTarget(w, sp.targetPort, sp.protocol);
      if (target === undefined) continue;
      const named = hosts.filter((h) => !h.includes('*') && h.includes('.'));
      if (named.length < hosts.length) this.todo(`${evidence} publishes component ${c.name} (port ${String(target)}) to every host ("*"): not carried over, so ward's policies refuse it; name the hosts in exposure.hosts if it must be published`);
      if (named.length === 0) continue;
      if (c.exposure && c.exposure.port !== target) {
        this.todo(`${evidence} also publishes component ${c.name} on port ${String(target)}; a component is published on one port (exposure.port ${String(c.exposure.port)})`);
        continue;
      }
      c.exposure ??= { hosts: [], port: target };
      for (const h of named) if (!c.exposure.hosts.includes(h)) c.exposure.hosts.push(h);
      c.evidence.push(`exposure: ${evidence} routes ${named.join(', ')} to Service ${resolved.svc.metadata.name} (port ${String(target)})`);
    }
  }

  /**
   * Helm hooks that name Services. A hook that names Kafka Connect workers and stores registers
   * connectors: the workers then connect to those stores, which nothing in the workers' own
   * configuration shows (the OpenG2P reporting-init Job registers Debezium's PostgreSQL source and
   * the OpenSearch sink this way: charts/reporting-init). Debezium workers run source connectors,
   * which read databases (debezium.io: "change data capture"); other workers get the other stores.
   * Any other hook naming several components is a TODO.
   */
  hookReferences(): void {
    for (const w of this.index.workloads) {
      if (this.component(w) || strMap(w.object.metadata.annotations)['helm.sh/hook'] === undefined) continue;
      const refs = this.hookRefs(w);
      const named = new Map<string, string>();
      for (const r of refs) for (const c of r.components) if (!named.has(c.name)) named.set(c.name, `env ${r.env}`);
      const workers = [...new Set(refs.flatMap((r) => r.components))].filter((c) => this.isConnectWorker(c));
      const stores = refs.filter((r) => r.components.some((c) => !workers.includes(c)));
      if (workers.length > 0 && stores.length > 0) {
        for (const worker of workers) {
          const how = named.get(worker.name) ?? '';
          for (const r of stores.filter((x) => x.components.some((c) => isDatabase(c) === isDebezium(worker)))) {
            this.reference(worker, r.address, r.hint, `${r.where} env ${r.env} of Helm hook ${w.ref.kind} ${w.ref.name}, which registers connectors on Kafka Connect worker ${worker.name} (${how})`);
          }
        }
        continue;
      }
      if (named.size < 2) continue;
      const list = [...named.entries()].map(([c, how]) => `${c} (${how})`).join(', ');
      this.todo(`Helm hook ${w.ref.kind} ${w.ref.name} (${where(this.index, w.object)}) names ${list}: if it hands one of these addresses to another (e.g. registers a connector), declare that flow`);
    }
  }

  /** The addresses a hook's env names that resolve to components. */
  private hookRefs(w: Workload): { env: string; where: string; address: Address; hint: number | undefined; components: InferredComponent[] }[] {
    return w.containers.flatMap((ct) => {
      const env = envOf(this.index, w, ct);
      const values = new Map(env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value ?? '']));
      return env.flatMap((e) => addressesIn(e.value ?? '').flatMap((address) => {
        const r = this.resolveHost(address.host, w.namespace);
        const components = r ? this.index.serviceTargets(r.svc).map((t) => this.component(t)).filter((c): c is InferredComponent => c !== undefined) : [];
        const hint = address.port === undefined ? siblingPort(e.name, values) : undefined;
        return components.length ? [{ env: e.name, where: where(this.index, w.object, e.path), address, hint, components }] : [];
      }));
    });
  }

  /**
   * A Kafka Connect worker in distributed mode: it must set config.storage.topic (Kafka
   * documentation, "Kafka Connect" > "Running Kafka Connect"), in a properties file or, for the
   * Debezium connect image, as the env CONFIG_STORAGE_TOPIC.
   */
  private isConnectWorker(c: InferredComponent): boolean {
    const w = c.workload;
    if (w.containers.some((ct) => envOf(this.index, w, ct).some((e) => e.name === 'CONFIG_STORAGE_TOPIC'))) return true;
    return mountedConfigMaps(w.podSpec).some((name) => Object.values(rec(this.index.get('ConfigMap', w.namespace, name)?.data)).some((v) => typeof v === 'string' && /^\s*config\.storage\.topic\s*=/m.test(v)));
  }

  /** One TODO per outside address, naming every component that uses it (first evidence of each). */
  private outsideTodos(): string[] {
    return [...this.outside.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([address, { what, by }]) => {
      const users = [...by.entries()].map(([c, ev]) => `${c} (${ev[0] ?? ''}${ev.length > 1 ? ` and ${String(ev.length - 1)} more` : ''})`).join(', ');
      return `${address} (${what}) is named by ${users}: declare a component for it (namespace and labels) and flows to it, or flows to its cidr`;
    });
  }

  result(workloads: number): Inference {
    const flows = [...this.flows.values()]
      .map((f) => ({ from: f.from, to: f.to, ports: [...f.ports.values()].sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1)), evidence: f.evidence }))
      .sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
    const components = [...this.components].sort((a, b) => (a.name < b.name ? -1 : 1));
    return { release: this.release, namespace: this.namespace, components, flows, notComponents: this.notComponents, todos: [...this.todos.values(), ...this.outsideTodos()], workloads };
  }
}

function imagesOf(c: InferredComponent): string[] {
  return servingContainers(c.workload).map((ct) => imageRepository(str(ct.container.image) ?? ''));
}

const isDebezium = (c: InferredComponent): boolean => imagesOf(c).some((i) => i.includes('debezium'));
const isDatabase = (c: InferredComponent): boolean => imagesOf(c).some((i) => /postgres|mysql|mariadb|mongo|sqlserver|mssql|oracle|db2/.test(i));

/** ConfigMaps the pod reads as files or environment: volumes, projected volumes, envFrom (env refs are resolved by envOf). */
function mountedConfigMaps(podSpec: Rec): string[] {
  const names = new Set<string>();
  for (const v of recs(podSpec.volumes)) {
    const direct = str(rec(v.configMap).name);
    if (direct) names.add(direct);
    for (const s of recs(rec(v.projected).sources)) {
      const n = str(rec(s.configMap).name);
      if (n) names.add(n);
    }
  }
  return [...names].sort();
}

/** The spec the input runs, with evidence. Deterministic: same index, same inference. */
export function inferSpec(index: ObjectIndex, options: InferOptions = {}): Inference {
  const inf = new Inferrer(index);
  inf.addComponents(options.release);
  inf.namespace = options.namespace ?? mostCommon(inf.components.map((c) => c.namespace)) ?? index.namespaceDefault.namespace;
  inf.addExposure();
  inf.scanComponents();
  inf.hookReferences();
  return inf.result(index.workloads.length);
}
