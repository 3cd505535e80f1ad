/**
 * The check engine: documents or objects → object index → rules of the profile → severity
 * overrides → waivers → sorted findings and a summary. Pure: the clock is injected, nothing is read
 * or written. `ward policy-check`, the operator's AuditPassed condition and tests call this.
 */
import type { KubeObject } from '../charts-src/kube.js';
import { ObjectIndex, type IndexOptions, type NamespaceDefault } from './index/object-index.js';
import { describeReason, type PersonalDataReason } from './index/personal-data.js';
import type { InputError, InputFile, LoadedDocument } from './load/types.js';
import { builtinProfile, DEFAULT_PROFILE, profileIncludes, profileSeverity, type Profile } from './profiles.js';
import { rules as registry } from './rules/index.js';
import { annotationWaivers, applyWaivers, type Waiver } from './waivers.js';
import { SEVERITIES, atOrAbove, severityRank, type Finding, type ObjectRef, type Rule, type Severity } from './types.js';

export interface CheckInput extends Omit<IndexOptions, 'personalData'> {
  /** Loaded documents (with source positions); or `objects`. */
  readonly documents?: readonly LoadedDocument[];
  /** Objects without source positions (a live cluster, synthesised output). */
  readonly objects?: readonly KubeObject[];
  /** Input problems found while loading; passed through to the result (exit code 2), with the waiver annotations' own (a wildcard). */
  readonly inputErrors?: readonly InputError[];
  /** Inputs read (file, SHA-256, size); passed through to the reports as evidence. */
  readonly inputs?: readonly InputFile[];
  /** Its `personalData` recognisers go to the object index. @default the built-in `strict` profile */
  readonly profile?: Profile;
  /** Waivers from the central file (annotation waivers are read from the objects). */
  readonly waivers?: readonly Waiver[];
  /** Auditor mode: no waiver suppresses anything. @default false */
  readonly noWaivers?: boolean;
  /** The clock. */
  readonly now: Date;
  /** @default 'high' */
  readonly failOn?: Severity;
  /** Rule registry to use. @default the catalogue */
  readonly rules?: ReadonlyMap<string, Rule>;
}

export interface CheckSummary {
  readonly profile: string;
  readonly objects: number;
  readonly rulesRun: number;
  /** Findings not suppressed, by severity. */
  readonly bySeverity: Readonly<Record<Severity, number>>;
  readonly findings: number;
  readonly suppressed: number;
  readonly inputErrors: number;
  readonly failOn: Severity;
  /** True when an unsuppressed finding is at or above failOn. */
  readonly failed: boolean;
  /** Workloads taken as holding personal data (their findings are raised), and why, in input order. */
  readonly personalData: readonly PersonalDataHolder[];
}

export interface PersonalDataHolder {
  readonly workload: ObjectRef;
  readonly by: PersonalDataReason['by'];
  /** One line, e.g. `container "postgresql" runs docker.io/bitnami/postgresql:16 (PostgreSQL): …`. */
  readonly reason: string;
  /** The short name of what was recognised: the image recogniser's (`PostgreSQL`), the component's, or the label. */
  readonly what: string;
}

export interface CheckResult {
  /** Every finding, suppressed ones included (with their justification), sorted by location and rule. */
  readonly findings: readonly Finding[];
  readonly summary: CheckSummary;
  readonly inputErrors: readonly InputError[];
  /** Inputs checked, with their SHA-256 (empty for a cluster or objects). */
  readonly inputs: readonly InputFile[];
  /** Kinds no rule understands, counted (`Kind.group`). */
  readonly unknownKinds: Readonly<Record<string, number>>;
  /** Rules that ran (for reporters' rule metadata). */
  readonly rules: readonly Rule[];
  /** How objects that name no namespace were placed; its `notice` goes to stderr (the CLI's job). */
  readonly namespaceDefault: NamespaceDefault;
}

function withSeverity(f: Finding, rule: Rule, target: Severity): Finding {
  if (target === rule.severity) return f;
  // Keep the rule's per-finding raise (personal data) on top of the profile's severity.
  const delta = severityRank(f.severity) - severityRank(rule.severity);
  const rank = Math.min(4, Math.max(1, severityRank(target) + delta));
  return { ...f, severity: SEVERITIES[4 - rank] ?? target };
}

const cmp = (x: string | number, y: string | number): number => (x < y ? -1 : x > y ? 1 : 0);

function compare(a: Finding, b: Finding): number {
  return cmp(a.location?.file ?? '', b.location?.file ?? '') || cmp(a.location?.line ?? 0, b.location?.line ?? 0)
    || cmp(a.ruleId, b.ruleId) || cmp(a.message, b.message);
}

type SummaryBase = Omit<CheckSummary, 'bySeverity' | 'findings' | 'suppressed' | 'failed'>;

function summarise(findings: readonly Finding[], base: SummaryBase): CheckSummary {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed++;
    else bySeverity[f.severity]++;
  }
  const open = findings.length - suppressed;
  const failed = findings.some((f) => !f.suppressed && atOrAbove(f.severity, base.failOn));
  return { ...base, bySeverity, findings: open, suppressed, failed };
}

/**
 * Builds the index the engine would build (for callers that need both, e.g. the flow engine). Without
 * `defaultNamespace` the namespace of objects that name none is inferred (`index.namespaceDefault`).
 */
export function buildIndex(input: Pick<CheckInput, 'documents' | 'objects' | 'cluster' | 'defaultNamespace' | 'meshRootNamespace'> & Pick<IndexOptions, 'personalData'>): ObjectIndex {
  const options: IndexOptions = {
    ...(input.cluster !== undefined ? { cluster: input.cluster } : {}),
    ...(input.personalData ? { personalData: input.personalData } : {}),
    ...(input.defaultNamespace ? { defaultNamespace: input.defaultNamespace } : {}),
    ...(input.meshRootNamespace ? { meshRootNamespace: input.meshRootNamespace } : {}),
  };
  return input.documents ? ObjectIndex.fromDocuments(input.documents, options) : ObjectIndex.fromObjects(input.objects ?? [], options);
}

/** Runs the check. Pure: same input (and clock), same result. */
/** The workloads the index takes as holding personal data, with the reason. */
export function personalDataHolders(index: ObjectIndex): PersonalDataHolder[] {
  return index.workloads.flatMap((w) => {
    const r = index.personalDataReason(w);
    if (!r) return [];
    const what = r.by === 'image' ? r.name : r.by === 'component' ? `component ${r.component}` : 'label';
    return [{ workload: w.ref, by: r.by, reason: describeReason(r), what }];
  });
}

export function runCheck(input: CheckInput): CheckResult {
  const profile = input.profile ?? builtinProfile(DEFAULT_PROFILE);
  const index = buildIndex({ ...input, ...(profile.personalData ? { personalData: profile.personalData } : {}) });
  const catalogue = input.rules ?? registry;
  const failOn = input.failOn ?? 'high';
  const ctx = { now: input.now, cluster: input.cluster ?? false };
  const selected = [...catalogue.values()].filter((r) => profileIncludes(profile, r.id));
  const raw = selected.flatMap((rule) => rule.check(index, ctx).map((f) => withSeverity(f, rule, profileSeverity(profile, rule))));
  let findings: Finding[] = raw;
  const inputErrors = [...(input.inputErrors ?? [])];
  if (!input.noWaivers) {
    const fromAnnotations = annotationWaivers(index);
    inputErrors.push(...fromAnnotations.errors);
    const all = [...fromAnnotations.waivers, ...(input.waivers ?? [])];
    findings = [...applyWaivers(raw, all, input.now, (id) => catalogue.has(id)), ...fromAnnotations.malformed];
    findings = findings.filter((f) => !f.ruleId.startsWith('WARD-WAIVER-') || profileIncludes(profile, f.ruleId));
  }
  findings.sort(compare);
  return {
    findings,
    summary: summarise(findings, { profile: profile.name, objects: index.objects.length, rulesRun: selected.length, inputErrors: inputErrors.length, failOn, personalData: personalDataHolders(index) }),
    inputErrors,
    inputs: [...(input.inputs ?? [])],
    unknownKinds: Object.fromEntries([...index.unknownKinds.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
    rules: selected,
    namespaceDefault: index.namespaceDefault,
  };
}

/** Exit code of a check: 2 input errors, 1 findings at or above failOn, 0 otherwise. */
export function exitCodeOf(result: CheckResult): 0 | 1 | 2 {
  if (result.inputErrors.length > 0) return 2;
  return result.summary.failed ? 1 : 0;
}
