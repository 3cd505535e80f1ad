/**
 * The security invariants of synthesised output, as lists of violations (empty = holds). Shared by
 * the preset tests and the property test over generated specs.
 */
import type { KubeObject } from '../../../charts-src/kube.js';
import type { Component, RegistrySpec } from '../../../charts-src/model/index.js';
import { allowRulesFor, egressAllowedBy, ingressAllowedBy, type Pod } from './evaluate.js';

export function podOf(spec: RegistrySpec, c: Component): Pod {
  const namespace = c.namespace ?? spec.namespace;
  return { namespace, labels: c.selector, principal: `cluster.local/ns/${namespace}/sa/${c.serviceAccount}` };
}

function component(spec: RegistrySpec, name: string): Component {
  const c = spec.components.find((x) => x.name === name);
  if (!c) throw new Error(`no component ${name}`);
  return c;
}

const isLocal = (spec: RegistrySpec, c: Component): boolean => (c.namespace ?? spec.namespace) === spec.namespace;

/** Declared flows not allowed at L4 on the source's egress or the destination's ingress (for the ends in the namespace). */
export function l4Missing(spec: RegistrySpec, objects: readonly KubeObject[]): string[] {
  const out: string[] = [];
  for (const f of spec.flows) {
    const from = component(spec, f.from);
    const to = f.to.component === undefined ? undefined : component(spec, f.to.component);
    for (const p of f.ports) {
      const what = `${f.from} -> ${f.to.component ?? f.to.cidr} ${p.protocol}/${p.port}`;
      const dest = to ? podOf(spec, to) : { cidr: f.to.cidr! };
      if (isLocal(spec, from) && egressAllowedBy(objects, podOf(spec, from), dest, p.port, p.protocol).length === 0) out.push(`egress ${what}`);
      if (to && isLocal(spec, to) && ingressAllowedBy(objects, podOf(spec, from), podOf(spec, to), p.port, p.protocol).length === 0) out.push(`ingress ${what}`);
    }
  }
  return out;
}

/** Declared TCP flows into the namespace not granted by exactly one ALLOW rule. */
export function l7NotExactlyOnce(spec: RegistrySpec, objects: readonly KubeObject[]): string[] {
  const out: string[] = [];
  for (const f of spec.flows) {
    if (f.to.component === undefined) continue;
    const to = component(spec, f.to.component);
    if (!isLocal(spec, to)) continue;
    const source = podOf(spec, component(spec, f.from)).principal;
    for (const p of f.ports.filter((x) => x.protocol === 'TCP')) {
      const n = allowRulesFor(objects, podOf(spec, to)).filter((r) => r.principal === source && r.port === String(p.port)).length;
      if (n !== 1) out.push(`${f.from} -> ${to.name}:${p.port} granted ${n} times`);
    }
  }
  return out;
}

/** ALLOW grants that no declared flow (and no exposure through the ingress gateway) explains. */
export function undeclaredGrants(spec: RegistrySpec, objects: readonly KubeObject[]): string[] {
  const gateway = `cluster.local/ns/${spec.mesh.ingressGateway.namespace}/sa/${spec.mesh.ingressGateway.serviceAccount}`;
  const out: string[] = [];
  for (const c of spec.components.filter((x) => isLocal(spec, x))) {
    for (const g of allowRulesFor(objects, podOf(spec, c))) {
      const declared = spec.flows.some(
        (f) => f.to.component === c.name && podOf(spec, component(spec, f.from)).principal === g.principal && f.ports.some((p) => String(p.port) === g.port && p.protocol === 'TCP'),
      );
      const exposed = g.principal === gateway && c.exposure.type === 'ingress' && String(c.exposure.port ?? c.ports[0]?.port) === g.port;
      if (!declared && !exposed) out.push(`${g.policy}: ${g.principal} -> ${c.name}:${g.port}`);
    }
  }
  return out;
}

/** Component pairs of the namespace with no declared flow that L4 lets through on a port of the destination. */
export function undeclaredL4(spec: RegistrySpec, objects: readonly KubeObject[]): string[] {
  const local = spec.components.filter((x) => isLocal(spec, x));
  const out: string[] = [];
  for (const a of local) {
    for (const b of local) {
      for (const p of b.ports) {
        if (spec.flows.some((f) => f.from === a.name && f.to.component === b.name && f.ports.some((q) => q.port === p.port && q.protocol === p.protocol))) continue;
        if (egressAllowedBy(objects, podOf(spec, a), podOf(spec, b), p.port, p.protocol).length > 0) out.push(`egress ${a.name} -> ${b.name}:${p.port}`);
        if (ingressAllowedBy(objects, podOf(spec, a), podOf(spec, b), p.port, p.protocol).length > 0) out.push(`ingress ${a.name} -> ${b.name}:${p.port}`);
      }
    }
  }
  return out;
}
