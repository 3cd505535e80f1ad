/**
 * The client side of mTLS: a DestinationRule whose `tls.mode` is not ISTIO_MUTUAL makes the
 * client's sidecar send without Istio mTLS (DISABLE: plaintext; SIMPLE/MUTUAL: its own TLS), so the
 * server sees no principal, and refuses the connection under STRICT. The rule that applies is the
 * one for the Service in front of the destination port, looked up in the client's namespace, then
 * the Service's namespace, then the root namespace (Istio's order); `portLevelSettings` win over
 * `trafficPolicy.tls`. Traffic to a destination no Service fronts is not governed by any.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { rec, recs, str, strMap } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { PodClass } from './nodes.js';

export interface ClientTls {
  /** DISABLE, SIMPLE, MUTUAL or ISTIO_MUTUAL. */
  readonly mode: string;
  readonly rule: KubeObject;
  readonly host: string;
}

interface ServicePort {
  readonly service: KubeObject;
  readonly port: number;
  readonly spec: Readonly<Record<string, unknown>>;
}

/** Services (and their port) that send to `port` of the class's pods. */
function servicesFor(index: ObjectIndex, dst: PodClass, port: number): ServicePort[] {
  const out: ServicePort[] = [];
  for (const svc of index.inNamespace('Service', dst.namespace)) {
    const sel = strMap(rec(svc.spec).selector);
    if (Object.keys(sel).length === 0 || !matchesSelector({ matchLabels: sel }, dst.labels)) continue;
    for (const p of recs(rec(svc.spec).ports)) {
      const target = p.targetPort ?? p.port;
      const hit = typeof target === 'number' ? target === port : dst.ports.some((cp) => cp.name === target && cp.port === port);
      if (hit && typeof p.port === 'number') out.push({ service: svc, port: p.port, spec: p });
    }
  }
  return out;
}

/** How specific a DestinationRule host is for the Service (higher wins), or -1 when it does not match. */
function hostScore(host: string, drNamespace: string, svcName: string, svcNamespace: string): number {
  const fqdn = `${svcName}.${svcNamespace}.svc.cluster.local`;
  if (host === fqdn || (host === svcName && drNamespace === svcNamespace) || host === `${svcName}.${svcNamespace}`) return 3;
  if (host === `*.${svcNamespace}.svc.cluster.local`) return 2;
  if (host.startsWith('*') && fqdn.endsWith(host.slice(1))) return 1;
  return -1;
}

function modeFor(dr: KubeObject, servicePort: number): string | undefined {
  const policy = rec(rec(dr.spec).trafficPolicy);
  const level = recs(policy.portLevelSettings).find((s) => rec(s.port).number === servicePort);
  return str(rec(rec(level).tls).mode) ?? str(rec(policy.tls).mode);
}

/** The client-side TLS a source in `clientNamespace` uses towards `port` of `dst`, when a DestinationRule sets one. */
export function clientTls(index: ObjectIndex, clientNamespace: string, dst: PodClass, port: number): ClientTls | undefined {
  const namespaces = [...new Set([clientNamespace, dst.namespace, index.meshRootNamespace])];
  for (const sp of servicesFor(index, dst, port)) {
    for (const ns of namespaces) {
      const ranked = index.inNamespace('DestinationRule', ns)
        .map((dr) => ({ dr, host: str(rec(dr.spec).host) ?? '' }))
        .map((x) => ({ ...x, score: hostScore(x.host, ns, sp.service.metadata.name, dst.namespace) }))
        .filter((x) => x.score >= 0)
        .sort((a, b) => b.score - a.score);
      const best = ranked[0];
      if (!best) continue;
      const mode = modeFor(best.dr, sp.port);
      return mode ? { mode, rule: best.dr, host: best.host } : undefined;
    }
  }
  return undefined;
}

/** Numeric target ports of the Services in front of a class (port boundaries for the mesh layer). */
export function serviceTargetPorts(index: ObjectIndex, dst: PodClass): number[] {
  const out: number[] = [];
  for (const svc of index.inNamespace('Service', dst.namespace)) {
    const sel = strMap(rec(svc.spec).selector);
    if (Object.keys(sel).length === 0 || !matchesSelector({ matchLabels: sel }, dst.labels)) continue;
    for (const p of recs(rec(svc.spec).ports)) {
      const target = p.targetPort ?? p.port;
      if (typeof target === 'number') out.push(target);
    }
  }
  return out;
}

/** Istio protocols served by the TCP filter chain (pkg/config/protocol/instance.go IsTCP) and by the HTTP one (IsHTTP). */
const TCP_PROTOCOLS = new Set(['tcp', 'https', 'tls', 'mongo', 'redis', 'mysql']);
const HTTP_PROTOCOLS = new Set(['http', 'http2', 'http_proxy', 'grpc', 'grpc-web']);
/** Ports Istio treats as TCP when the Service port names no protocol (pkg/config/kube/conversion.go wellKnownPorts). */
const WELL_KNOWN_TCP = new Set([25, 53, 3306, 27017]);

/** Istio's protocol for a Service port, lower-cased (pkg/config/kube/conversion.go ConvertProtocol); undefined: sniffed. */
function istioProtocol(p: Readonly<Record<string, unknown>>, targetPort: number): string | undefined {
  if (p.protocol === 'UDP') return 'udp';
  const app = str(p.appProtocol);
  if (app === 'kubernetes.io/h2c') return 'http2';
  if (app === 'kubernetes.io/ws') return 'http';
  if (app === 'kubernetes.io/wss') return 'https';
  const name = (app ?? str(p.name) ?? '').toLowerCase();
  if (name.startsWith('grpc-web')) return 'grpc-web';
  const prefix = name.split('-')[0] ?? '';
  if (TCP_PROTOCOLS.has(prefix) || HTTP_PROTOCOLS.has(prefix)) return prefix;
  return WELL_KNOWN_TCP.has(targetPort) || (typeof p.port === 'number' && WELL_KNOWN_TCP.has(p.port)) ? 'tcp' : undefined;
}

/**
 * The filter chain the destination's sidecar serves `port` with: `tcp` when every Service in front
 * of it declares a TCP protocol (port name prefix or appProtocol), else `http` (declared HTTP, or
 * sniffed: the inbound listener then has both chains and HTTP requests take the HTTP one).
 */
export function inboundChain(index: ObjectIndex, dst: PodClass, port: number): { chain: 'http' | 'tcp'; reason?: string } {
  const sps = servicesFor(index, dst, port);
  const protocols = sps.map((sp) => istioProtocol(sp.spec, port));
  if (sps.length === 0 || protocols.some((p) => p === undefined || !TCP_PROTOCOLS.has(p))) return { chain: 'http' };
  const sp = sps[0]!;
  return { chain: 'tcp', reason: `Service ${dst.namespace}/${sp.service.metadata.name} port ${String(sp.port)} is ${protocols[0] ?? 'tcp'}: Istio serves it as TCP` };
}
