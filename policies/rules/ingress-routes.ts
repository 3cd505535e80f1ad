/**
 * Which ingress routes publish a workload: Istio VirtualServices bound to a gateway (not `mesh`
 * alone), Kubernetes Ingresses, Gateway API HTTPRoutes (their Service backends resolved to the
 * workloads they select), and RegistryDeployment components with `exposure.type: ingress`. Pure
 * over the index; used by the data-tier rules that depend on a workload being behind a proxy
 * (WARD-ODOO-007) or on a port being published (WARD-MINIO-004).
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { num, rec, recs, str } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Workload } from '../index/workloads.js';
import { componentNamespace, registryDeployments } from '../flows/intent.js';
import { destinationService, gatewaysOf, istioKind, type GatewayRef } from './edge-routes.js';

/** One route that reaches a workload from an ingress or gateway. */
export interface IngressRoute {
  /** `VirtualService sr/sr-odoo (gateway internal)`. */
  readonly by: string;
  readonly object: KubeObject;
  /** The container ports the route reaches (Service ports resolved through targetPort); empty: not known. */
  readonly containerPorts: readonly number[];
  /** The Istio gateways a VirtualService is bound to (empty for the other kinds). */
  readonly gateways: readonly GatewayRef[];
}

/** The container ports a Service port (number or name; undefined: every port) reaches on a workload. */
function targetPorts(svc: KubeObject, port: number | string | undefined, w: Workload): number[] {
  const ports = recs(rec(svc.spec).ports).filter((p) => port === undefined || num(p.port) === port || str(p.name) === port);
  const declared = w.containers.flatMap((c) => recs(c.container.ports));
  return ports.flatMap((p) => {
    const target = p.targetPort ?? p.port;
    if (typeof target === 'number') return [target];
    const byName = declared.find((d) => str(d.name) === target);
    return byName && num(byName.containerPort) !== undefined ? [num(byName.containerPort) ?? 0] : [];
  });
}

function serviceRoute(index: ObjectIndex, w: Workload, svc: KubeObject | undefined, port: number | string | undefined): number[] | undefined {
  if (svc === undefined || !index.serviceTargets(svc).includes(w)) return undefined;
  return targetPorts(svc, port, w);
}

function virtualServiceRoutes(index: ObjectIndex, w: Workload): IngressRoute[] {
  const out: IngressRoute[] = [];
  for (const vs of index.ofKind('VirtualService').filter(istioKind)) {
    const gateways = gatewaysOf(index, vs);
    if (gateways.length === 0) continue;
    const hits = recs(rec(vs.spec).http).flatMap((e) => recs(e.route)).map((r) => {
      const d = rec(r.destination);
      return serviceRoute(index, w, destinationService(index, vs, str(d.host) ?? ''), num(rec(d.port).number));
    }).filter((p): p is number[] => p !== undefined);
    if (hits.length > 0) out.push({ by: `VirtualService ${index.namespaceOf(vs) ?? ''}/${vs.metadata.name} (gateway ${gateways.map((g) => g.name).join(', ')})`, object: vs, containerPorts: [...new Set(hits.flat())], gateways });
  }
  return out;
}

function ingressRoutes(index: ObjectIndex, w: Workload): IngressRoute[] {
  const out: IngressRoute[] = [];
  for (const ing of index.ofKind('Ingress').filter((o) => o.apiVersion.startsWith('networking.k8s.io/'))) {
    const spec = rec(ing.spec);
    const backends = [rec(spec.defaultBackend), ...recs(spec.rules).flatMap((r) => recs(rec(r.http).paths)).map((p) => rec(p.backend))].map((b) => rec(b.service)).filter((s) => str(s.name) !== undefined);
    const ns = index.namespaceOf(ing) ?? 'default';
    const hits = backends.map((b) => serviceRoute(index, w, index.get('Service', ns, str(b.name) ?? ''), num(rec(b.port).number) ?? str(rec(b.port).name))).filter((p): p is number[] => p !== undefined);
    if (hits.length > 0) out.push({ by: `Ingress ${ns}/${ing.metadata.name}`, object: ing, containerPorts: [...new Set(hits.flat())], gateways: [] });
  }
  return out;
}

function httpRouteRoutes(index: ObjectIndex, w: Workload): IngressRoute[] {
  const out: IngressRoute[] = [];
  for (const route of index.ofKind('HTTPRoute').filter((o) => o.apiVersion.startsWith('gateway.networking.k8s.io/'))) {
    const ns = index.namespaceOf(route) ?? 'default';
    const refs = recs(rec(route.spec).rules).flatMap((r) => recs(r.backendRefs)).filter((b) => (str(b.kind) ?? 'Service') === 'Service' && (str(b.group) ?? '') === '');
    const hits = refs.map((b) => serviceRoute(index, w, index.get('Service', str(b.namespace) ?? ns, str(b.name) ?? ''), num(b.port))).filter((p): p is number[] => p !== undefined);
    if (hits.length > 0) out.push({ by: `HTTPRoute ${ns}/${route.metadata.name}`, object: route, containerPorts: [...new Set(hits.flat())], gateways: [] });
  }
  return out;
}

function componentRoutes(index: ObjectIndex, w: Workload): IngressRoute[] {
  return registryDeployments(index).flatMap(({ rd, spec }) => spec.components
    .filter((c) => c.exposure.type === 'ingress' && componentNamespace(spec, c) === w.namespace && Object.keys(c.selector).length > 0 && matchesSelector({ matchLabels: c.selector }, w.podLabels))
    .map((c) => ({ by: `RegistryDeployment ${index.namespaceOf(rd) ?? ''}/${rd.metadata.name} component "${c.name}" (exposure ingress)`, object: rd, containerPorts: [c.exposure.port ?? c.ports[0]?.port].filter((p): p is number => p !== undefined), gateways: [] })));
}

/** Every ingress route that reaches the workload, in a stable order (VirtualService, Ingress, HTTPRoute, RegistryDeployment). */
export function ingressRoutesTo(index: ObjectIndex, w: Workload): IngressRoute[] {
  return [...virtualServiceRoutes(index, w), ...ingressRoutes(index, w), ...httpRouteRoutes(index, w), ...componentRoutes(index, w)];
}
