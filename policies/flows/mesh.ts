/**
 * The Istio layer: for a source and a destination class, which TCP ports the destination's sidecar
 * lets through. Effective mTLS per port comes from policies/mesh/mtls.ts (the same computation as
 * the MTLS rules): under STRICT, plaintext from a source without a sidecar (or from outside the
 * cluster) is refused, and so is a meshed client whose DestinationRule turns Istio mTLS off
 * (policies/flows/destination-rule.ts). Then AuthorizationPolicies in Istio's order, CUSTOM → DENY
 * → ALLOW, with the principal taken from the source's service account when mTLS carries it. UDP and SCTP are not
 * intercepted by the sidecar, so the layer allows them. Destinations without a sidecar are not
 * enforced by Istio at all.
 */
import { rec, recs, strs } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { effectiveMtls, inboundIntercepted, interceptionPorts, sidecarInjection, workloadPolicy, type SidecarInjection } from '../mesh/mtls.js';
import { describeRef } from '../types.js';
import { hasHttpOnlyFields, policiesFor, policyMatches, type AuthzPolicy, type MatchContext, type SourceIdentity } from './authz.js';
import { partialConditions } from './conditions.js';
import { ConnSet, MAX_PORT, MIN_PORT, type Interval } from './connset.js';
import { clientTls, inboundChain, serviceTargetPorts } from './destination-rule.js';
import { formatRange, type IpRange } from './ipset.js';
import type { PodClass } from './nodes.js';

export type MeshVerdict = 'allow' | 'partial' | 'deny';

export type MeshSource = { readonly kind: 'pod'; readonly cls: PodClass } | { readonly kind: 'ip'; readonly range: IpRange };

export interface MeshPorts {
  /** Fully allowed (all UDP/SCTP plus the allowed TCP ports). */
  readonly allowed: ConnSet;
  /** TCP ports where only requests meeting L7 conditions (or an external authorizer) pass. */
  readonly partial: ConnSet;
}

/** Gateways and pre-injected manifests (istioctl kube-inject) carry the proxy as a container of their own. */
function runsProxy(cls: PodClass): boolean {
  return cls.representative.containers.some((c) => c.name === 'istio-proxy');
}

export function principalOf(cls: PodClass): string {
  return `cluster.local/ns/${cls.namespace}/sa/${cls.serviceAccount}`;
}

export class MeshLayer {
  private readonly injectionCache = new Map<number, SidecarInjection>();
  private readonly policyCache = new Map<number, AuthzPolicy[]>();
  private readonly portsCache = new Map<string, MeshPorts>();

  constructor(
    private readonly index: ObjectIndex,
    private readonly policies: readonly AuthzPolicy[],
  ) {}

  /** Whether the class's pods run an Istio proxy, and how that was derived. */
  injection(cls: PodClass): SidecarInjection {
    let v = this.injectionCache.get(cls.index);
    if (v === undefined) {
      v = runsProxy(cls) ? { injected: true, reason: 'runs an istio-proxy container' } : sidecarInjection(this.index, cls.representative);
      this.injectionCache.set(cls.index, v);
    }
    return v;
  }

  /** True when the class's pods run an Istio proxy (unknown namespaces are assumed to be in the mesh). */
  injected(cls: PodClass): boolean {
    return this.injection(cls).injected ?? true;
  }

  private policiesOf(dst: PodClass): AuthzPolicy[] {
    let v = this.policyCache.get(dst.index);
    if (!v) {
      v = policiesFor(this.policies, dst, this.index.meshRootNamespace);
      this.policyCache.set(dst.index, v);
    }
    return v;
  }

  private identity(src: MeshSource, mtls: boolean): SourceIdentity {
    if (src.kind === 'ip') return { ip: src.range };
    return mtls ? { principal: principalOf(src.cls), namespace: src.cls.namespace } : {};
  }

  /** The verdict for one TCP port; `trace` collects the reasons (for --explain). */
  decide(src: MeshSource, dst: PodClass, port: number, trace?: string[]): MeshVerdict {
    if (this.unenforced(dst, port, trace)) return 'allow';
    const mtls = effectiveMtls(this.index, dst.representative, port);
    const srcMesh = src.kind === 'pod' && this.injected(src.cls);
    const by = mtls.policy ? ` (PeerAuthentication ${mtls.policy.metadata.namespace ?? ''}/${mtls.policy.metadata.name}, ${mtls.scope})` : ' (default)';
    trace?.push(`mTLS on port ${String(port)}: ${mtls.mode}${by}; ${sourceSidecar(src, srcMesh, src.kind === 'pod' ? this.injection(src.cls) : undefined)}`);
    const clientMtls = srcMesh && this.clientSendsMtls(src, dst, port, trace);
    if (!clientMtls && mtls.mode === 'STRICT') {
      trace?.push('plaintext refused under STRICT');
      return 'deny';
    }
    const id = this.identity(src, clientMtls && mtls.mode !== 'DISABLE');
    const { chain, reason } = inboundChain(this.index, dst, port);
    if (reason) trace?.push(reason);
    return this.authorize(this.policiesOf(dst), { id, port, chain }, trace);
  }

  /** True when Istio enforces nothing on `port` of `dst`: no sidecar, or the port bypasses it. */
  private unenforced(dst: PodClass, port: number, trace?: string[]): boolean {
    if (!this.injected(dst)) {
      trace?.push(`destination has no sidecar (${this.injection(dst).reason}): Istio enforces nothing`);
      return true;
    }
    const intercept = inboundIntercepted(dst.representative, port);
    if (intercept.intercepted) return false;
    trace?.push(`port ${String(port)} bypasses the destination's sidecar (${intercept.reason ?? ''}): no mTLS, no AuthorizationPolicy`);
    return true;
  }

  /** False when a DestinationRule makes the (meshed) client send without Istio mTLS. */
  private clientSendsMtls(src: MeshSource, dst: PodClass, port: number, trace?: string[]): boolean {
    if (src.kind !== 'pod') return false;
    const tls = clientTls(this.index, src.cls.namespace, dst, port);
    if (!tls || tls.mode === 'ISTIO_MUTUAL') return true;
    trace?.push(`DestinationRule ${tls.rule.metadata.namespace ?? ''}/${tls.rule.metadata.name} (host ${tls.host}) sets tls.mode ${tls.mode}: the client sends without Istio mTLS`);
    return false;
  }

  private authorize(all: readonly AuthzPolicy[], m: MatchContext, trace?: string[]): MeshVerdict {
    const note = (p: AuthzPolicy, what: string): void => void trace?.push(`${p.action} ${describeRef(p.ref)}: ${what}`);
    for (const p of all.filter((x) => x.dryRun)) note(p, 'istio.io/dry-run: evaluated in shadow mode, not enforced');
    const aps = all.filter((x) => !x.dryRun);
    let partial = aps.filter((x) => x.action === 'CUSTOM' && policyMatches(x, m) !== 'no')
      .map((p) => note(p, 'an external authorizer decides')).length > 0;
    for (const p of aps.filter((x) => x.action === 'DENY')) {
      const v = policyMatches(p, m);
      if (v === 'yes') {
        note(p, 'denies');
        return 'deny';
      }
      if (v === 'partial') {
        note(p, `denies requests meeting L7 conditions${partialConditions(p, m)}`);
        partial = true;
      }
    }
    const allows = aps.filter((x) => x.action === 'ALLOW');
    if (allows.length === 0) {
      trace?.push('no ALLOW policy selects the destination: allowed');
      return partial ? 'partial' : 'allow';
    }
    if (m.chain === 'tcp') for (const p of allows) if (p.rules.some(hasHttpOnlyFields)) note(p, 'rules with HTTP-only fields (paths, methods, hosts, request principals) are skipped on this TCP port');
    const matches = allows.map((p) => ({ p, m: policyMatches(p, m) }));
    const yes = matches.find((x) => x.m === 'yes');
    if (yes) {
      note(yes.p, 'allows');
      return partial ? 'partial' : 'allow';
    }
    const part = matches.find((x) => x.m === 'partial');
    if (part) {
      note(part.p, `allows only requests meeting L7 conditions${partialConditions(part.p, m)}`);
      return 'partial';
    }
    trace?.push(`ALLOW policies select the destination (${allows.map((p) => describeRef(p.ref)).join(', ')}) and none matches: denied`);
    return 'deny';
  }

  /** Allowed and partially allowed ports from `src` to `dst`, memoised per source identity and destination class. */
  ports(src: MeshSource, dst: PodClass): MeshPorts {
    const key = src.kind === 'ip' ? `ip:${formatRange(src.range)}|${String(dst.index)}` : `pod:${String(this.injected(src.cls))}:${src.cls.namespace}:${src.cls.serviceAccount}|${String(dst.index)}`;
    let hit = this.portsCache.get(key);
    if (!hit) {
      hit = this.computePorts(src, dst);
      this.portsCache.set(key, hit);
    }
    return hit;
  }

  private computePorts(src: MeshSource, dst: PodClass): MeshPorts {
    const allowed: Interval[] = [];
    const partial: Interval[] = [];
    for (const seg of this.segments(dst)) {
      const v = this.decide(src, dst, seg[0]);
      if (v === 'allow') allowed.push(seg);
      else if (v === 'partial') partial.push(seg);
    }
    return {
      allowed: ConnSet.protocol('UDP').union(ConnSet.protocol('SCTP')).union(ConnSet.of('TCP', allowed)),
      partial: ConnSet.of('TCP', partial),
    };
  }

  /** TCP port ranges over which every policy of `dst` decides the same way. */
  private segments(dst: PodClass): Interval[] {
    const points = new Set<number>([...dst.ports.map((p) => p.port), ...serviceTargetPorts(this.index, dst)]);
    for (const p of this.policiesOf(dst)) for (const n of portsMentioned(p.rules)) points.add(n);
    for (const n of interceptionPorts(dst.representative)) points.add(n);
    const pa = workloadPolicy(this.index, dst.representative);
    if (pa) for (const k of Object.keys(rec(rec(pa.spec).portLevelMtls))) if (/^\d+$/.test(k)) points.add(Number(k));
    const sorted = [...points].filter((n) => n >= MIN_PORT && n <= MAX_PORT).sort((a, b) => a - b);
    const out: Interval[] = [];
    let next = MIN_PORT;
    for (const p of sorted) {
      if (p > next) out.push([next, p - 1]);
      out.push([p, p]);
      next = p + 1;
    }
    if (next <= MAX_PORT) out.push([next, MAX_PORT]);
    return out;
  }
}

function sourceSidecar(src: MeshSource, srcMesh: boolean, injection: SidecarInjection | undefined): string {
  if (src.kind === 'ip') return 'source outside the cluster sends plaintext';
  const why = injection ? ` (${injection.reason})` : '';
  return srcMesh ? `source has a sidecar${why}` : `source sends plaintext: no sidecar${why}`;
}

function portsMentioned(rules: readonly Readonly<Record<string, unknown>>[]): number[] {
  const out: number[] = [];
  for (const r of rules) {
    for (const t of recs(r.to)) {
      const op = rec(t.operation);
      out.push(...strs(op.ports).map(Number), ...strs(op.notPorts).map(Number));
    }
    for (const c of recs(r.when)) {
      if (c.key === 'destination.port') out.push(...strs(c.values).map(Number), ...strs(c.notValues).map(Number));
    }
  }
  return out.filter((n) => Number.isInteger(n));
}
