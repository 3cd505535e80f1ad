import type { z } from 'zod';

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
  /** Admin paths or hosts that overlap the public routes of the same component. */
  Overlap: 'overlap',
  /** An issuer (or a JWKS outside the cluster) not on https. */
  InsecureUrl: 'insecure_url',
  /** An inline JWKS that does not parse as {"keys": [...]} of public keys. */
  UnreadableJwks: 'unreadable_jwks',
  /** A setting that needs another one (allowedSources without trustedProxies, client certificates without the admin gateway). */
  MissingDependency: 'missing_dependency',
} as const;
export type IssueCode = (typeof IssueCode)[keyof typeof IssueCode];

export interface SpecIssue {
  readonly code: IssueCode;
  /** Path into the input, e.g. ["spec", "flows", 2, "to", "component"]. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** "spec.flows[2].to.component"; a key that is no identifier is quoted: selector["app.kubernetes.io/name"]. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${String(p)}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += `[${JSON.stringify(p)}]`; // a label key such as "app.kubernetes.io/name"
    else out += out === '' ? p : `.${p}`;
  }
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

/** "a number", "a list": the zod type names in words. */
const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string', number: 'a number', int: 'a whole number', boolean: 'a boolean (true or false)',
  object: 'a mapping', record: 'a mapping', array: 'a list', null: 'null', date: 'a date',
};

/** The message of one zod issue: "expected X, got Y", or the allowed values of an enum. Needs the issues' input (reportInput). */
export function zodIssueMessage(issue: z.core.$ZodIssue): string {
  const got = 'input' in issue && issue.input !== undefined ? `, got ${describeValue(issue.input)}` : '';
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `expected ${EXPECTED[issue.expected] ?? issue.expected}${got}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}${got}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}: check the spelling against \`ward synth --help\` or the CRD`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      return withGot(issue.message, issue.input, got);
    case 'invalid_format':
    case 'too_big':
      return withGot(issue.message, issue.input, got);
    default:
      return issue.message;
  }
}

function withGot(message: string, input: unknown, got: string): string {
  const said = message.includes('got ') || (typeof input === 'string' && message.includes(JSON.stringify(input)));
  return (typeof input === 'string' || typeof input === 'number') && !said ? `${message}${got}` : message;
}

/** A zod issue as a spec issue, its path under `prefix` (e.g. ["spec"] for a RegistryDeployment). */
export function fromZod(issue: z.core.$ZodIssue, prefix: readonly (string | number)[]): SpecIssue {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  if (issue.code === 'unrecognized_keys') return { code: IssueCode.UnknownField, path, message: zodIssueMessage(issue) };
  if (issue.code === 'invalid_type' && issue.input === undefined) return { code: IssueCode.Required, path, message: zodIssueMessage(issue) };
  return { code: IssueCode.InvalidValue, path, message: zodIssueMessage(issue) };
}
