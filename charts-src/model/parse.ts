import { API_VERSION, isRecord, KIND } from '../kube.js';
import { describeValue, fromZod, IssueCode, type SpecIssue } from './issues.js';
import { mergePreset, type MergeOrigin } from './merge.js';
import { registrySpecSchema, type RegistrySpec } from './schema.js';
import { semanticIssues } from './semantic.js';

export type ParseResult =
  | { readonly ok: true; readonly spec: RegistrySpec }
  | { readonly ok: false; readonly issues: readonly SpecIssue[] };

type Path = readonly (string | number)[];

/** "apiVersion v1", "no kind", "kind a number (3)". */
function field(name: string, v: unknown): string {
  if (v === undefined) return `no ${name}`;
  return typeof v === 'string' ? `${name} ${v.length > 60 ? `${v.slice(0, 60)}…` : v}` : `${name} ${describeValue(v)}`;
}

/** Splits a RegistryDeployment object into its spec (plus the namespace from metadata) or accepts a bare spec. */
function unwrap(input: unknown): { body: unknown; prefix: Path } | SpecIssue {
  if (!isRecord(input)) {
    return { code: IssueCode.InvalidValue, path: [], message: 'must be a mapping: a RegistryDeployment object or a bare spec' };
  }
  if (input.apiVersion === undefined && input.kind === undefined) return { body: input, prefix: [] };
  if (input.apiVersion !== API_VERSION || input.kind !== KIND) {
    return {
      code: IssueCode.WrongKind,
      path: ['kind'],
      message: `expected apiVersion ${API_VERSION}, kind ${KIND}, got ${field('apiVersion', input.apiVersion)}, ${field('kind', input.kind)}; or give a bare spec without apiVersion and kind`,
    };
  }
  const spec = isRecord(input.spec) ? { ...input.spec } : {};
  const meta = isRecord(input.metadata) ? input.metadata : {};
  if (spec.namespace === undefined && typeof meta.namespace === 'string') spec.namespace = meta.namespace;
  return { body: spec, prefix: ['spec'] };
}

/** "component \"minio\"" or "flow registry -> postgresql": names a merged entry for a message. */
function entryName(value: unknown, list: 'components' | 'flows', index: number): string {
  const entry = isRecord(value) && Array.isArray(value[list]) ? (value[list] as unknown[])[index] : undefined;
  if (!isRecord(entry)) return `${list}[${index}]`;
  if (list === 'components') return `component "${String(entry.name)}"`;
  const to = isRecord(entry.to) ? (entry.to.component ?? entry.to.cidr) : undefined;
  return `flow ${String(entry.from)} -> ${String(to)}`;
}

/**
 * Maps an issue path into the merged spec back to the spec as written: `components[5]` of the merged
 * list is `components[0]` of the spec when the spec stated it. For an entry only the preset supplies
 * the message names the entry (its merged index means nothing to the reader).
 */
function toWrittenPath(issue: SpecIssue, prefix: Path, merged: { value: unknown; origin?: MergeOrigin }): SpecIssue {
  const list = issue.path[prefix.length];
  const index = issue.path[prefix.length + 1];
  if (!merged.origin || (list !== 'components' && list !== 'flows') || typeof index !== 'number') return issue;
  const written = merged.origin[list][index];
  if (written === undefined) return { ...issue, message: `${issue.message} (in ${entryName(merged.value, list, index)} of the preset)` };
  return { ...issue, path: [...prefix, list, written, ...issue.path.slice(prefix.length + 2)] };
}

/**
 * Validates a RegistryDeployment (apiVersion ward.g2p.dev/v1alpha1) or a bare spec, applies its preset
 * and defaults, and checks cross-field rules. Returns the spec, or every issue with its path.
 * Pure: no I/O, no clock.
 */
export function parseRegistrySpec(input: unknown): ParseResult {
  const unwrapped = unwrap(input);
  if ('code' in unwrapped) return { ok: false, issues: [unwrapped] };
  const { body, prefix } = unwrapped;
  const merged = mergePreset(body, prefix);
  if (!merged.ok) return merged;
  const written = (i: SpecIssue): SpecIssue => toWrittenPath(i, prefix, merged);
  // reportInput: messages say what was given ("expected a number, got the string \"80\""), and a
  // present value of the wrong type is not mistaken for a missing one.
  const parsed = registrySpecSchema.safeParse(merged.value, { reportInput: true });
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => written(fromZod(i, prefix))) };
  const issues = semanticIssues(parsed.data, prefix).map(written);
  return issues.length > 0 ? { ok: false, issues } : { ok: true, spec: parsed.data };
}
