/**
 * Governed waivers: the `ward.g2p.dev/waive` annotation on an object and a central waivers file.
 * Each waiver names one rule id (a wildcard is an input error) and needs a reason; `expires` must be a
 * date; an expired waiver stops suppressing and becomes a finding; `--no-waivers`
 * (auditor mode) applies none. Suppressed findings stay in every report with their justification.
 */
import { LineCounter, parseDocument } from 'yaml';
import { Annotations } from '../charts-src/kube.js';
import { describeValue } from '../charts-src/model/issues.js';
import { isRec, rec, str, strMap } from './index/access.js';
import type { ObjectIndex } from './index/object-index.js';
import type { InputError } from './load/types.js';
import { RULE_ID_PATTERN } from './rules/index.js';
import { WAIVER_EXPIRED, WAIVER_MALFORMED, WAIVER_NO_REASON } from './rules/waiver.js';
import type { Finding, ObjectRef, SourceLocation, Suppression } from './types.js';
import { documentValue } from './load/to-value.js';
import { yamlErrorMessage } from './load/parse.js';

/** A parsed waiver, valid or not. */
export interface Waiver {
  /** One rule id (`WARD-POD-007`): a wildcard is an input error, never a suppression. */
  readonly rule: string;
  readonly reason?: string;
  readonly owner?: string;
  /** YYYY-MM-DD: the waiver applies up to and including this day (UTC). */
  readonly expires?: string;
  readonly by: Suppression['by'];
  /** Objects it applies to: every given field must match. */
  readonly match: { readonly kind?: string; readonly namespace?: string; readonly name?: string };
  /** Where the waiver was written (the object for annotations, the file entry for the file). */
  readonly subject: ObjectRef;
  readonly location?: SourceLocation;
}

const LINE = /^(\S+?)\s*(?::(.*))?$/;
/** What a waiver may name: exactly one rule id. */
const RULE_ID = RULE_ID_PATTERN;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type AnnotationParse = { ok: true; waiver: Omit<Waiver, 'by' | 'match' | 'subject' | 'location'> } | { ok: false; text: string; problem: string; wildcard?: true };

/** Parses one line of the annotation: `RULE: reason; expires=YYYY-MM-DD; owner=x`. */
function parseWaiveLine(line: string): AnnotationParse {
  const m = LINE.exec(line);
  const rule = m?.[1] ?? '';
  if (rule.includes('*')) return { ok: false, text: line, problem: `names "${rule.slice(0, 40)}", a wildcard: a waiver names one rule id (WARD-<AREA>-<NNN>), one line per rule`, wildcard: true };
  if (!m || !RULE_ID.test(rule)) return { ok: false, text: line, problem: 'does not start with a rule id (WARD-<AREA>-<NNN>: reason; expires=YYYY-MM-DD; owner=x)' };
  const fields: Record<string, string> = {};
  const reasonParts: string[] = [];
  for (const p of (m[2] ?? '').split(';').map((x) => x.trim())) {
    const kv = /^(expires|owner)\s*=\s*(.*)$/i.exec(p);
    if (kv) fields[(kv[1] ?? '').toLowerCase()] = (kv[2] ?? '').trim();
    else if (p) reasonParts.push(p);
  }
  const reason = reasonParts.join('; ');
  return { ok: true, waiver: { rule, ...(reason ? { reason } : {}), ...(fields.owner ? { owner: fields.owner } : {}), ...(fields.expires ? { expires: fields.expires } : {}) } };
}

/** Parses one annotation value: `RULE: reason; expires=YYYY-MM-DD; owner=x`, several separated by newlines. */
export function parseWaiveAnnotation(value: string): AnnotationParse[] {
  return value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).map(parseWaiveLine);
}

/** Waivers written as annotations on objects (the object's own annotations or its pod template's). A wildcard is an input error. */
export function annotationWaivers(index: ObjectIndex): { waivers: Waiver[]; malformed: Finding[]; errors: InputError[] } {
  const waivers: Waiver[] = [];
  const malformed: Finding[] = [];
  const errors: InputError[] = [];
  for (const obj of index.objects) {
    // A Pod is its own pod template: the same annotation must not be read twice.
    const values = new Set([strMap(obj.metadata.annotations)[Annotations.waive], index.workloadOf(obj)?.podAnnotations[Annotations.waive]]);
    const subject = index.ref(obj);
    const location = index.locate(obj, ['metadata', 'annotations', Annotations.waive]);
    const parsed = [...values].flatMap((v) => (v === undefined ? [] : parseWaiveAnnotation(v)));
    for (const p of parsed) {
      if (p.ok) {
        waivers.push({ ...p.waiver, by: 'annotation', match: { kind: subject.kind, ...(subject.namespace ? { namespace: subject.namespace } : {}), name: subject.name }, subject, ...(location ? { location } : {}) });
        continue;
      }
      const what = `annotation ${Annotations.waive} line "${p.text.slice(0, 80)}" ${p.problem}`;
      if (p.wildcard) errors.push(annotationError(subject, location, what));
      else malformed.push(malformedFinding(subject, location, what));
    }
  }
  return { waivers, malformed, errors };
}

/** An input error in an object's waiver annotation; objects read from a cluster have no file, so the object names the place. */
function annotationError(subject: ObjectRef, location: SourceLocation | undefined, what: string): InputError {
  const at = location ? `${location.file}:${String(location.line)}: ` : '';
  return { code: 'invalid-waiver', file: location?.file ?? describe(subject), line: location?.line ?? 1, column: location?.column ?? 1, message: `${at}${describe(subject)}: waiver ${what}` };
}

function malformedFinding(subject: ObjectRef, location: SourceLocation | undefined, what: string): Finding {
  return {
    ruleId: WAIVER_MALFORMED, severity: 'low', object: subject, ...(location ? { location } : {}),
    message: `${describe(subject)}: waiver ${what}`,
    remediation: 'Use "WARD-<AREA>-<NNN>: reason; expires=YYYY-MM-DD; owner=x", one per line, with a rule id from the catalogue.',
  };
}

const describe = (r: ObjectRef): string => (r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`);

/** The fields of an entry of the waivers file; any other key is an input error (a misspelt "namespace" would widen the waiver). */
export const WAIVER_FIELDS = ['rule', 'kind', 'namespace', 'name', 'reason', 'owner', 'expires'] as const;
type WaiverField = (typeof WAIVER_FIELDS)[number];


/** A calendar date YYYY-MM-DD (2027-02-30 is not one). */
export function isIsoDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const t = Date.parse(`${v}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
}

interface EntryContext {
  readonly file: string;
  readonly index: number;
  /** Position of the entry, or of one of its fields. */
  readonly at: (field?: string) => { line: number; column: number };
}

const SCALARS = ['kind', 'namespace', 'name', 'reason', 'owner'] as const;

/** Why a present `rule` is not one rule id, or undefined. */
function ruleProblem(rule: unknown): string | undefined {
  if (rule === undefined) return undefined;
  if (typeof rule !== 'string') return `expected a rule id such as WARD-POD-007, got ${describeValue(rule)}`;
  if (rule.includes('*')) return `"${rule.slice(0, 40)}" is a wildcard: a waiver names one rule id (WARD-<AREA>-<NNN>); write one waiver per rule`;
  return RULE_ID.test(rule) ? undefined : `expected a rule id WARD-<AREA>-<NNN> such as WARD-POD-007, got ${describeValue(rule)}`;
}

/** The problems of one entry of the waivers file, each at the line of the field it names. */
function entryProblems(e: Readonly<Record<string, unknown>>, ctx: EntryContext): InputError[] {
  const problem = (field: string | undefined, message: string): InputError => {
    const pos = ctx.at(field);
    return { code: 'invalid-waiver', file: ctx.file, ...pos, message: `${ctx.file}:${String(pos.line)}: waiver ${String(ctx.index)}${field ? ` field "${field}"` : ''}: ${message}` };
  };
  const out: InputError[] = [];
  const unknown = Object.keys(e).filter((k) => !(WAIVER_FIELDS as readonly string[]).includes(k));
  for (const k of unknown) out.push(problem(k, `unknown field: a waiver has ${WAIVER_FIELDS.join(', ')}`));
  if (e.rule === undefined) out.push(problem(undefined, 'has no "rule" (e.g. rule: WARD-POD-007)'));
  const rule = ruleProblem(e.rule);
  if (rule !== undefined) out.push(problem('rule', rule));
  for (const k of SCALARS) {
    if (e[k] !== undefined && typeof e[k] !== 'string') out.push(problem(k, `expected a string, got ${describeValue(e[k])}${typeof e[k] === 'number' || typeof e[k] === 'boolean' ? ' (quote it)' : ''}`));
  }
  const x = e.expires;
  if (x !== undefined && !(x instanceof Date && !Number.isNaN(x.getTime())) && !(typeof x === 'string' && isIsoDate(x))) {
    out.push(problem('expires', `expected a date YYYY-MM-DD such as 2027-03-31, got ${describeValue(x)}`));
  }
  return out;
}

/** Parses the central waivers file (a YAML list of {rule, kind, namespace, name, reason, owner, expires}); every problem is an input error with file:line. */
export function parseWaiversFile(text: string, file: string): { waivers: Waiver[]; errors: InputError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, logLevel: 'error' });
  const at = (offset: number): { line: number; column: number } => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const first = doc.errors[0];
  if (first) return { waivers: [], errors: [{ code: 'yaml-syntax', file, ...at(first.pos[0]), message: `${file}:${String(at(first.pos[0]).line)}: ${yamlErrorMessage(first.code).replace(/^YAML syntax error: /, 'YAML syntax error in waivers file: ')}` }] };
  const got = documentValue(doc, 100);
  if (!('value' in got)) return { waivers: [], errors: [{ code: got.code, file, ...at(got.offset), message: `${file}:${String(at(got.offset).line)}: cannot read the waivers file: ${got.message}` }] };
  const value = got.value;
  const list = Array.isArray(value) ? value : rec(value).waivers;
  if (!Array.isArray(list)) return { waivers: [], errors: [{ code: 'invalid-waiver', file, line: 1, column: 1, message: `${file}:1: the waivers file must be a YAML list of {rule, kind, namespace, name, reason, owner, expires}, got ${describeValue(value)}` }] };
  const base: (string | number)[] = Array.isArray(value) ? [] : ['waivers'];
  const position = (path: (string | number)[]): { line: number; column: number } | undefined => {
    const range = rec(doc.getIn(path, true)).range;
    return Array.isArray(range) && typeof range[0] === 'number' ? at(range[0]) : undefined;
  };
  const waivers: Waiver[] = [];
  const errors: InputError[] = [];
  list.forEach((item: unknown, i) => {
    const entryAt = position([...base, i]) ?? { line: 1, column: 1 };
    const ctx: EntryContext = { file, index: i, at: (field) => (field === undefined ? entryAt : position([...base, i, field]) ?? entryAt) };
    if (!isRec(item)) {
      errors.push({ code: 'invalid-waiver', file, ...entryAt, message: `${file}:${String(entryAt.line)}: waiver ${String(i)}: expected a mapping {rule, kind, namespace, name, reason, owner, expires}, got ${describeValue(item)}` });
      return;
    }
    const problems = entryProblems(item, ctx);
    if (problems.length > 0) {
      errors.push(...problems);
      return;
    }
    const s = (k: WaiverField): string | undefined => str(item[k]);
    const match = { ...(s('kind') ? { kind: s('kind') } : {}), ...(s('namespace') ? { namespace: s('namespace') } : {}), ...(s('name') ? { name: s('name') } : {}) };
    const expires = item.expires instanceof Date ? item.expires.toISOString().slice(0, 10) : s('expires');
    waivers.push({
      rule: s('rule') ?? '', by: 'file', match, subject: { kind: 'Waiver', name: `${file}#${String(i)}` }, location: { file, ...entryAt },
      ...(s('reason')?.trim() ? { reason: s('reason')?.trim() } : {}), ...(s('owner') ? { owner: s('owner') } : {}), ...(expires ? { expires } : {}),
    });
  });
  return { waivers, errors };
}

/** Whether a waiver is usable now; otherwise the finding that says why not. */
export function validateWaiver(w: Waiver, now: Date, knownRule: (id: string) => boolean): Finding | undefined {
  const base = { object: w.subject, ...(w.location ? { location: w.location } : {}) };
  const what = `waiver for ${w.rule}${w.by === 'file' ? ` (${describeMatch(w)})` : ''}`;
  if (!RULE_ID.test(w.rule) || !knownRule(w.rule)) return malformedFinding(w.subject, w.location, `names unknown rule ${w.rule}`);
  if (w.expires !== undefined && !isIsoDate(w.expires)) return malformedFinding(w.subject, w.location, `for ${w.rule} has expiry "${w.expires}", not a date YYYY-MM-DD`);
  if (!w.reason) {
    return { ...base, ruleId: WAIVER_NO_REASON, severity: 'medium', message: `${describe(w.subject)}: ${what} has no reason, so it suppresses nothing`, remediation: `Give a reason: "${w.rule}: <why this is acceptable>; expires=YYYY-MM-DD; owner=<team>".` };
  }
  if (w.expires !== undefined && now.toISOString().slice(0, 10) > w.expires) {
    return { ...base, ruleId: WAIVER_EXPIRED, severity: 'medium', message: `${describe(w.subject)}: ${what} expired on ${w.expires}${w.owner ? ` (owner ${w.owner})` : ''}; its findings are reported again`, remediation: 'Fix the finding, or renew the waiver with a new expiry date and the owner\'s agreement.' };
  }
  return undefined;
}

function describeMatch(w: Waiver): string {
  return [w.match.kind ?? '*', w.match.namespace ?? '*', w.match.name ?? '*'].join('/');
}

/** True when the waiver covers the finding: the same rule id (never a pattern) and the object. */
export function waiverMatches(w: Waiver, f: Finding): boolean {
  if (w.rule !== f.ruleId) return false;
  const m = w.match;
  return (m.kind === undefined || m.kind === f.object.kind) && (m.namespace === undefined || m.namespace === f.object.namespace) && (m.name === undefined || m.name === '*' || m.name === f.object.name);
}

export function suppressionOf(w: Waiver): Suppression {
  return { by: w.by, reason: w.reason ?? '', ...(w.owner ? { owner: w.owner } : {}), ...(w.expires ? { expires: w.expires } : {}) };
}

/** Applies waivers: returns findings with `suppressed` set where a valid waiver covers them, plus the waivers' own findings. */
export function applyWaivers(findings: readonly Finding[], waivers: readonly Waiver[], now: Date, knownRule: (id: string) => boolean): Finding[] {
  const valid: Waiver[] = [];
  const governance: Finding[] = [];
  for (const w of waivers) {
    const problem = validateWaiver(w, now, knownRule);
    if (problem) governance.push(problem);
    else valid.push(w);
  }
  const applied = findings.map((f) => {
    if (f.ruleId.startsWith('WARD-WAIVER-')) return f;
    const w = valid.find((v) => waiverMatches(v, f));
    return w ? { ...f, suppressed: suppressionOf(w) } : f;
  });
  return [...applied, ...governance];
}

