/**
 * Governed waivers: the `ward.g2p.dev/waive` annotation on an object and a central waivers file.
 * Each waiver needs a reason; an expired waiver stops suppressing and becomes a finding; `--no-waivers`
 * (auditor mode) applies none. Suppressed findings stay in every report with their justification.
 */
import { LineCounter, parseDocument } from 'yaml';
import { Annotations } from '../charts-src/kube.js';
import { rec, str, strMap } from './index/access.js';
import type { ObjectIndex } from './index/object-index.js';
import type { InputError } from './load/types.js';
import { WAIVER_EXPIRED, WAIVER_MALFORMED, WAIVER_NO_REASON } from './rules/waiver.js';
import type { Finding, ObjectRef, SourceLocation, Suppression } from './types.js';

/** A parsed waiver, valid or not. */
export interface Waiver {
  /** Rule id, or a family wildcard such as `WARD-POD-*`. */
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

const LINE = /^(WARD-[A-Z]+-(?:\d{3}|\*))\s*(?::(.*))?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export type AnnotationParse = { ok: true; waiver: Omit<Waiver, 'by' | 'match' | 'subject' | 'location'> } | { ok: false; text: string; problem: string };

/** Parses one annotation value: `RULE: reason; expires=YYYY-MM-DD; owner=x`, several separated by newlines. */
export function parseWaiveAnnotation(value: string): AnnotationParse[] {
  return value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0).map((line): AnnotationParse => {
    const m = LINE.exec(line);
    if (!m) return { ok: false, text: line, problem: 'does not start with a rule id (WARD-<AREA>-<NNN>: reason; expires=YYYY-MM-DD; owner=x)' };
    const parts = (m[2] ?? '').split(';').map((p) => p.trim());
    const fields: Record<string, string> = {};
    const reasonParts: string[] = [];
    for (const p of parts) {
      const kv = /^(expires|owner)\s*=\s*(.*)$/i.exec(p);
      if (kv) fields[(kv[1] ?? '').toLowerCase()] = (kv[2] ?? '').trim();
      else if (p) reasonParts.push(p);
    }
    const reason = reasonParts.join('; ');
    return { ok: true, waiver: { rule: m[1] ?? '', ...(reason ? { reason } : {}), ...(fields.owner ? { owner: fields.owner } : {}), ...(fields.expires ? { expires: fields.expires } : {}) } };
  });
}

/** Waivers written as annotations on objects (the object's own annotations or its pod template's). */
export function annotationWaivers(index: ObjectIndex): { waivers: Waiver[]; malformed: Finding[] } {
  const waivers: Waiver[] = [];
  const malformed: Finding[] = [];
  for (const obj of index.objects) {
    const values = [strMap(obj.metadata.annotations)[Annotations.waive], index.workloadOf(obj)?.podAnnotations[Annotations.waive]];
    const subject = index.ref(obj);
    const location = index.locate(obj, ['metadata', 'annotations', Annotations.waive]);
    for (const value of values) {
      if (value === undefined) continue;
      for (const parsed of parseWaiveAnnotation(value)) {
        if (!parsed.ok) {
          malformed.push(malformedFinding(subject, location, `annotation ${Annotations.waive} line "${parsed.text.slice(0, 80)}" ${parsed.problem}`));
          continue;
        }
        waivers.push({ ...parsed.waiver, by: 'annotation', match: { kind: subject.kind, ...(subject.namespace ? { namespace: subject.namespace } : {}), name: subject.name }, subject, ...(location ? { location } : {}) });
      }
    }
  }
  return { waivers, malformed };
}

function malformedFinding(subject: ObjectRef, location: SourceLocation | undefined, what: string): Finding {
  return {
    ruleId: WAIVER_MALFORMED, severity: 'low', object: subject, ...(location ? { location } : {}),
    message: `${describe(subject)}: waiver ${what}`,
    remediation: 'Use "WARD-<AREA>-<NNN>: reason; expires=YYYY-MM-DD; owner=x", one per line, with a rule id from the catalogue.',
  };
}

const describe = (r: ObjectRef): string => (r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`);

/** Parses the central waivers file (a YAML list of {rule, kind, namespace, name, reason, owner, expires}). */
export function parseWaiversFile(text: string, file: string): { waivers: Waiver[]; errors: InputError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const at = (offset: number): { line: number; column: number } => {
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const first = doc.errors[0];
  if (first) return { waivers: [], errors: [{ code: 'yaml-syntax', file, ...at(first.pos[0]), message: `${file}:${String(at(first.pos[0]).line)}: YAML syntax error in waivers file: ${first.message.split('\n')[0] ?? ''}` }] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return { waivers: [], errors: [{ code: 'alias-limit', file, line: 1, column: 1, message: `${file}:1: cannot read the waivers file: ${err instanceof Error ? err.message : String(err)}` }] };
  }
  const list = Array.isArray(value) ? value : rec(value).waivers;
  if (!Array.isArray(list)) return { waivers: [], errors: [{ code: 'not-an-object', file, line: 1, column: 1, message: `${file}:1: the waivers file must be a YAML list of {rule, kind, namespace, name, reason, owner, expires}` }] };
  const waivers: Waiver[] = [];
  const errors: InputError[] = [];
  list.forEach((item, i) => {
    const node: unknown = doc.getIn(Array.isArray(value) ? [i] : ['waivers', i], true);
    const pos = at(Array.isArray(rec(node).range) ? ((rec(node).range as number[])[0] ?? 0) : 0);
    const e = rec(item);
    const rule = str(e.rule);
    if (!rule) {
      errors.push({ code: 'not-an-object', file, ...pos, message: `${file}:${String(pos.line)}: waiver ${String(i)} has no "rule" (e.g. rule: WARD-POD-007)` });
      return;
    }
    const match = { ...(str(e.kind) ? { kind: str(e.kind) } : {}), ...(str(e.namespace) ? { namespace: str(e.namespace) } : {}), ...(str(e.name) ? { name: str(e.name) } : {}) };
    const expires = str(e.expires) ?? (e.expires instanceof Date ? e.expires.toISOString().slice(0, 10) : undefined);
    waivers.push({
      rule, by: 'file', match, subject: { kind: 'Waiver', name: `${file}#${String(i)}` }, location: { file, ...pos },
      ...(str(e.reason)?.trim() ? { reason: str(e.reason)?.trim() } : {}), ...(str(e.owner) ? { owner: str(e.owner) } : {}), ...(expires ? { expires } : {}),
    });
  });
  return { waivers, errors };
}

/** Whether a waiver is usable now; otherwise the finding that says why not. */
export function validateWaiver(w: Waiver, now: Date, knownRule: (id: string) => boolean): Finding | undefined {
  const base = { object: w.subject, ...(w.location ? { location: w.location } : {}) };
  const what = `waiver for ${w.rule}${w.by === 'file' ? ` (${describeMatch(w)})` : ''}`;
  if (!w.rule.endsWith('*') && !knownRule(w.rule)) return malformedFinding(w.subject, w.location, `names unknown rule ${w.rule}`);
  if (w.expires !== undefined && (!DATE.test(w.expires) || Number.isNaN(Date.parse(`${w.expires}T00:00:00Z`)))) return malformedFinding(w.subject, w.location, `for ${w.rule} has expiry "${w.expires}", not a date YYYY-MM-DD`);
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

/** True when the waiver covers the finding (rule id or family wildcard, and the object). */
export function waiverMatches(w: Waiver, f: Finding): boolean {
  const ruleOk = w.rule.endsWith('*') ? f.ruleId.startsWith(w.rule.slice(0, -1)) : f.ruleId === w.rule;
  if (!ruleOk) return false;
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

