/**
 * Validation issues are data (STYLE.md 8): a code, a path into the input and a message that says
 * what would be valid. Formatting is a separate pure function.
 */
export const IssueCode = {
  /** The value has the wrong type or shape (from the schema). */
  InvalidValue: 'invalid_value',
  /** A required field is missing. */
  Required: 'required',
  /** A field the schema does not know. */
  UnknownField: 'unknown_field',
  /** Two entries share a name that must be unique. */
  Duplicate: 'duplicate',
  /** A flow or reference names a component that is not declared. */
  UnknownComponent: 'unknown_component',
  /** mTLS weaker than STRICT without a reason. */
  MissingReason: 'missing_reason',
  /** A flow target must name exactly one of component or cidr. */
  AmbiguousTarget: 'ambiguous_target',
  /** The document is not a spec nor a RegistryDeployment. */
  WrongKind: 'wrong_kind',
  /** Unknown preset name. */
  UnknownPreset: 'unknown_preset',
} as const;
export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

export interface SpecIssue {
  readonly code: IssueCode;
  /** Path into the input, e.g. ["spec", "flows", 2, "to", "component"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** "spec.flows[2].to.component" */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(root)' : out;
}

/** One line per issue: `path: message`. */
export function formatIssues(issues: readonly SpecIssue[]): string {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n');
}

/** What a value is, for "expected X, got Y": "a number (20200101)", "the string \"x\"", "a list", "null". */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'an invalid date' : `a date (${v.toISOString().slice(0, 10)})`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `a ${typeof v} (${String(v)})`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}
