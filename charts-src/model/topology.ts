import ipaddr from 'ipaddr.js';
import { selectorKey } from '../selector.js';
import { IssueCode, type SpecIssue } from './issues.js';
import type { Component, Flow, RegistrySpec } from './schema.js';

/**
 * Cross-field rules about the stack's topology: what synthesis can enforce. Each issue names the
 * bad value and what would be valid (STYLE.md 2). Pure.
 */
type Path = readonly (string | number)[];

/** Names of the namespace-wide policies synthesis emits (NetworkPolicy and AuthorizationPolicy). */
export const PolicyNames = {
  defaultDeny: 'default-deny',
  allowDns: 'allow-dns',
  allowIstiod: 'allow-istiod',
  allowNothing: 'allow-nothing',
} as const;

/** Per-component AuthorizationPolicies are named `allow-<component>`. */
export const ALLOW_PREFIX = 'allow-';

/**
 * Component names that would collide with those policies: a component's NetworkPolicy carries its
 * name, its AuthorizationPolicy `allow-<name>`.
 */
export const RESERVED_COMPONENT_NAMES: readonly string[] = [PolicyNames.defaultDeny, PolicyNames.allowDns, PolicyNames.allowIstiod, PolicyNames.allowNothing.slice(ALLOW_PREFIX.length)];

function reservedNameIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  return spec.components.flatMap((c, i) =>
    RESERVED_COMPONENT_NAMES.includes(c.name) && (c.namespace ?? spec.namespace) === spec.namespace
      ? [{ code: IssueCode.InvalidValue, path: [...prefix, 'components', i, 'name'], message: `component name "${c.name}" is reserved for ward's own policies (${RESERVED_COMPONENT_NAMES.join(', ')}): choose another name` }]
      : [],
  );
}

/** Issues of one external CIDR: the whole address space, or host bits set. */
export function cidrIssues(cidr: string, path: Path): SpecIssue[] {
  const [, prefix] = ipaddr.IPv4.parseCIDR(cidr); // validated as an IPv4 CIDR by the schema
  if (prefix === 0) {
    return [{ code: IssueCode.InvalidValue, path, message: `"${cidr}" allows every address: name the destination range, e.g. 203.0.113.0/24` }];
  }
  const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
  if (`${network}/${prefix}` !== cidr) {
    return [{ code: IssueCode.InvalidValue, path, message: `"${cidr}" has host bits set: did you mean "${network}/${prefix}"?` }];
  }
  return [];
}

function portList(c: Component): string {
  return c.ports.map((p) => `${p.port}/${p.protocol}`).join(', ');
}

function exposureIssues(c: Component, at: Path): SpecIssue[] {
  if (c.exposure.type !== 'ingress') return [];
  if (c.exposure.port === undefined && c.ports.length === 0) {
    return [{ code: IssueCode.Required, path: [...at, 'exposure', 'port'], message: `component "${c.name}" is exposed but declares no port: set exposure.port or list its ports` }];
  }
  const port = c.exposure.port;
  if (port !== undefined && c.ports.length > 0 && !c.ports.some((p) => p.port === port && p.protocol === 'TCP')) {
    return [{ code: IssueCode.InvalidValue, path: [...at, 'exposure', 'port'], message: `port ${port} is not a TCP port of component "${c.name}": must be one of ${portList(c)}` }];
  }
  return [];
}

/** True when every label of `a` is in `b`: a selector of `a` also selects pods labelled `b`. */
function subsetOf(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.entries(a).every(([k, v]) => b[k] === v);
}

function selectorIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const seen = new Map<string, string>();
  const out: SpecIssue[] = [];
  const nsOf = (c: Component): string => c.namespace ?? spec.namespace;
  spec.components.forEach((c, i) => {
    const key = `${nsOf(c)}|${selectorKey({ matchLabels: c.selector })}`;
    const other = seen.get(key);
    if (other !== undefined) {
      out.push({ code: IssueCode.Duplicate, path: [...prefix, 'components', i, 'selector'], message: `selects the same pods as component "${other}": give each component its own labels` });
      return;
    }
    seen.set(key, c.name);
    const wider = spec.components.find((d) => d !== c && nsOf(d) === nsOf(c) && subsetOf(c.selector, d.selector) && !subsetOf(d.selector, c.selector));
    if (wider) {
      out.push({ code: IssueCode.InvalidValue, path: [...prefix, 'components', i, 'selector'], message: `also selects the pods of component "${wider.name}" (its labels are a subset of theirs): add a label that tells them apart` });
    }
  });
  return out;
}

/**
 * Components sharing a service account share a mesh identity: ALLOW rules could not tell them apart.
 * Accepted only when the later component states why (`sharedIdentityReason`): a chart that offers no
 * service-account value (OpenG2P's mail and ODK Central helpers run as `default`).
 */
function serviceAccountIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const first = new Map<string, string>();
  const out: SpecIssue[] = [];
  spec.components.forEach((c, i) => {
    const key = `${c.namespace ?? spec.namespace}/${c.serviceAccount}`;
    const other = first.get(key);
    if (other === undefined) first.set(key, c.name);
    else if (c.sharedIdentityReason === undefined) out.push({ code: IssueCode.Duplicate, path: [...prefix, 'components', i, 'serviceAccount'], message: `service account "${c.serviceAccount}" is also the identity of component "${other}": authorization could not tell them apart; give each component its own, or state sharedIdentityReason` });
  });
  return out;
}

function flowPortIssues(f: Flow, to: Component | undefined, at: Path): SpecIssue[] {
  if (!to || to.ports.length === 0) return [];
  const out: SpecIssue[] = [];
  f.ports.forEach((p, j) => {
    if (!to.ports.some((q) => q.port === p.port && q.protocol === p.protocol)) {
      out.push({ code: IssueCode.InvalidValue, path: [...at, 'ports', j], message: `${p.port}/${p.protocol} is not a port of component "${to.name}": must be one of ${portList(to)}` });
    }
  });
  return out;
}

function flowIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const byName = new Map(spec.components.map((c) => [c.name, c]));
  const local = (c: Component | undefined): boolean => c !== undefined && (c.namespace ?? spec.namespace) === spec.namespace;
  const out: SpecIssue[] = [];
  spec.flows.forEach((f, i) => {
    const at = [...prefix, 'flows', i];
    const from = byName.get(f.from);
    const to = f.to.component === undefined ? undefined : byName.get(f.to.component);
    if (f.to.cidr !== undefined && f.to.component === undefined) out.push(...cidrIssues(f.to.cidr, [...at, 'to', 'cidr']));
    out.push(...flowPortIssues(f, to, at));
    if (from && (to || f.to.cidr !== undefined) && !local(from) && !local(to)) {
      out.push({ code: IssueCode.InvalidValue, path: [...at, 'from'], message: `neither end of the flow runs in namespace "${spec.namespace}": ward cannot enforce it; declare it in the spec of its own namespace` });
    }
  });
  return out;
}

/** Topology rules: reserved names, exposure ports, distinct selectors, flow ports against declared ports, CIDRs, enforceable flows. */
export function topologyIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  return [
    ...reservedNameIssues(spec, prefix),
    ...spec.components.flatMap((c, i) => exposureIssues(c, [...prefix, 'components', i])),
    ...selectorIssues(spec, prefix),
    ...serviceAccountIssues(spec, prefix),
    ...flowIssues(spec, prefix),
  ];
}
