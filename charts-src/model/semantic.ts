import { edgeIssues } from './edge-validate.js';
import { IssueCode, type SpecIssue } from './issues.js';
import type { RegistrySpec } from './schema.js';
import { topologyIssues } from './topology.js';
import { wireguardIssues } from './wireguard-validate.js';

type Path = readonly (string | number)[];

/** Checks a list for names that must be unique; reports every repeat at its own index. */
function duplicates(names: readonly string[], at: (i: number) => Path, what: string): SpecIssue[] {
  const first = new Map<string, number>();
  const out: SpecIssue[] = [];
  names.forEach((n, i) => {
    const seen = first.get(n);
    if (seen === undefined) first.set(n, i);
    else out.push({ code: IssueCode.Duplicate, path: at(i), message: `duplicate ${what} "${n}" (first declared at index ${seen}): names must be unique` });
  });
  return out;
}

function unknownComponent(name: string, known: ReadonlySet<string>, path: Path): SpecIssue {
  const list = [...known].sort().join(', ');
  return { code: IssueCode.UnknownComponent, path, message: `unknown component "${name}": must be one of the declared components (${list || 'none declared'})` };
}

function flowIssues(spec: RegistrySpec, known: ReadonlySet<string>, prefix: Path): SpecIssue[] {
  const out: SpecIssue[] = [];
  spec.flows.forEach((f, i) => {
    const at = [...prefix, 'flows', i];
    if (!known.has(f.from)) out.push(unknownComponent(f.from, known, [...at, 'from']));
    const hasComponent = f.to.component !== undefined;
    if (hasComponent === (f.to.cidr !== undefined)) {
      out.push({ code: IssueCode.AmbiguousTarget, path: [...at, 'to'], message: 'must set exactly one of "component" (a declared component) or "cidr" (an address range outside the cluster)' });
    } else if (f.to.component !== undefined && !known.has(f.to.component)) {
      out.push(unknownComponent(f.to.component, known, [...at, 'to', 'component']));
    }
  });
  return out;
}

function componentIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const out = duplicates(spec.components.map((c) => c.name), (i) => [...prefix, 'components', i, 'name'], 'component name');
  spec.components.forEach((c, i) => {
    const at = [...prefix, 'components', i];
    out.push(...duplicates(c.ports.map((p) => p.name), (j) => [...at, 'ports', j, 'name'], 'port name'));
    if (c.exposure.type === 'ingress' && c.exposure.hosts.length === 0) {
      out.push({ code: IssueCode.Required, path: [...at, 'exposure', 'hosts'], message: 'must list at least one host name when exposure type is "ingress"' });
    }
    c.exposure.hosts.forEach((h, j) => {
      if (h.includes('*')) out.push({ code: IssueCode.InvalidValue, path: [...at, 'exposure', 'hosts', j], message: `host "${h}" is a wildcard: name the exact host, e.g. registry.example.org` });
    });
  });
  return out;
}

function referenceIssues(spec: RegistrySpec, known: ReadonlySet<string>, prefix: Path): SpecIssue[] {
  const out: SpecIssue[] = [];
  spec.secrets.forEach((s, i) =>
    s.usedBy.forEach((u, j) => {
      if (!known.has(u)) out.push(unknownComponent(u, known, [...prefix, 'secrets', i, 'usedBy', j]));
    }),
  );
  out.push(...duplicates(spec.secrets.map((s) => s.name), (i) => [...prefix, 'secrets', i, 'name'], 'secret name'));
  if (spec.keyManager && !known.has(spec.keyManager.component)) {
    out.push(unknownComponent(spec.keyManager.component, known, [...prefix, 'keyManager', 'component']));
  }
  return out;
}

function meshIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  if (spec.mesh.mtlsMode === 'STRICT' || (spec.mesh.mtlsReason ?? '').trim() !== '') return [];
  return [
    {
      code: IssueCode.MissingReason,
      path: [...prefix, 'mesh', 'mtlsReason'],
      message: `mtlsMode ${spec.mesh.mtlsMode} is weaker than STRICT: state why in mesh.mtlsReason, or use STRICT`,
    },
  ];
}

/** Cross-field rules the schema alone cannot express. Pure; every issue carries its path. */
export function semanticIssues(spec: RegistrySpec, prefix: Path): SpecIssue[] {
  const known = new Set(spec.components.map((c) => c.name));
  return [...componentIssues(spec, prefix), ...flowIssues(spec, known, prefix), ...referenceIssues(spec, known, prefix), ...meshIssues(spec, prefix), ...topologyIssues(spec, prefix), ...wireguardIssues(spec, prefix), ...edgeIssues(spec, prefix)];
}
