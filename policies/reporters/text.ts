/**
 * Text reporter. A summary first (counts per severity, one line naming the workloads taken as holding
 * personal data and why, then one row per rule: severity, id, count, title and where most of its
 * findings are, worst first; at most MAX_SUMMARY_ROWS rows when the findings follow), the notes, then the findings grouped by
 * severity → rule → objects with the remediation printed once per rule (or per object with
 * `groupBy: 'object'`), waived findings, and the one-line verdict last. Input errors come before
 * everything. Wrapped to `ctx.width` when given; paths relative to `ctx.cwd`.
 */
import { describeRef, refKey, SEVERITIES, severityRank, type Finding, type Severity } from '../types.js';
import type { CheckResult } from '../engine.js';
import { displayPath, padCell, truncate, wrapLine } from './layout.js';
import { byRemediation, mostIn, ruleGroups, type RuleGroup } from './rule-summary.js';
import { notesOf } from './notes.js';
import { personalDataLine } from './personal-data.js';
import type { ReportContext, Reporter } from './types.js';

const COLOURS: Readonly<Record<Severity | 'dim' | 'bold', string>> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m' };
const RESET = '\x1b[0m';

/** A logical line and the indent of its continuation lines when it is wrapped. */
interface Line {
  readonly text: string;
  readonly indent: number;
}

const line = (text: string, indent = 0): Line => ({ text, indent });

function paint(ctx: ReportContext, style: keyof typeof COLOURS, text: string): string {
  return ctx.color ? `${COLOURS[style]}${text}${RESET}` : text;
}

function where(f: Finding, ctx: ReportContext): string {
  if (!f.location) return '';
  const helm = f.location.helmSource ? ` (${f.location.helmSource})` : '';
  return `${displayPath(f.location.file, ctx.cwd)}:${String(f.location.line)}${helm}`;
}

function summaryHead(result: CheckResult): string {
  const s = result.summary;
  const sev = SEVERITIES.map((k) => `${String(s.bySeverity[k])} ${k}`).join(', ');
  return `${String(s.findings)} findings in ${String(s.objects)} objects: ${sev}; ${String(s.suppressed)} waived`;
}

/** Terminal width assumed for the personal-data line when the report is not wrapped (a pipe, a file). */
const NOMINAL_WIDTH = 100;
/** Summary rows shown when the findings follow (the rest are counted); --summary shows every row. */
export const MAX_SUMMARY_ROWS = 30;

/** Two terminal lines, less the continuation indent and what word wrapping can leave at a line's end. */
const twoLines = (width: number | undefined): number => 2 * (width ?? NOMINAL_WIDTH) - 2 - 10;

function summary(result: CheckResult, groups: readonly RuleGroup[], ctx: ReportContext): Line[] {
  const lines: Line[] = [line(paint(ctx, 'bold', summaryHead(result)))];
  const unknown = Object.entries(result.unknownKinds);
  if (unknown.length) lines.push(line(paint(ctx, 'dim', `not checked (unknown kinds): ${unknown.map(([k, n]) => `${k} ×${String(n)}`).join(', ')}`), 2));
  lines.push(line(paint(ctx, 'dim', personalDataLine(result.summary.personalData, twoLines(ctx.width))), 2));
  if (!groups.length) return lines;
  const idW = Math.max(4, ...groups.map((g) => g.ruleId.length));
  const indent = 2 + 8 + 1 + idW + 1 + 5 + 2;
  // On a terminal every row fits one line: the title and "most in" cells are cut to the width.
  const room = ctx.width === undefined ? Infinity : Math.max(20, ctx.width - indent);
  const titleW = Math.min(40, Math.floor(room * 0.55), Math.max(5, ...groups.map((g) => g.title.length)));
  const mostW = room - titleW - 2;
  lines.push(line(''), line(paint(ctx, 'dim', `  ${padCell('SEVERITY', 8)} ${padCell('RULE', idW)} COUNT  ${padCell('TITLE', titleW)}  MOST IN`)));
  const shown = ctx.summaryOnly ? groups : groups.slice(0, groups.length > MAX_SUMMARY_ROWS ? MAX_SUMMARY_ROWS - 1 : MAX_SUMMARY_ROWS);
  for (const g of shown) {
    const count = String(g.findings.length).padStart(5);
    const title = ctx.width === undefined ? g.title : truncate(g.title, titleW);
    lines.push(line(`  ${paint(ctx, g.severity, padCell(g.severity, 8))} ${padCell(g.ruleId, idW)} ${count}  ${padCell(title, titleW)}  ${paint(ctx, 'dim', truncate(mostIn(g, ctx.cwd), mostW))}`, indent));
  }
  const rest = groups.slice(shown.length);
  if (rest.length) lines.push(line(paint(ctx, 'dim', `  … ${String(rest.length)} more rows (${String(rest.reduce((n, g) => n + g.findings.length, 0))} findings, ${rest.at(0)?.severity ?? ''} and below): listed below; --summary shows every row`), 4));
  return lines;
}

function findingLine(f: Finding, ctx: ReportContext, indent: number, prefix = ''): Line {
  const at = where(f, ctx);
  return line(`${' '.repeat(indent)}${prefix}${f.message}${at ? `  ${paint(ctx, 'dim', at)}` : ''}`, indent + 4);
}

function byRule(groups: readonly RuleGroup[], ctx: ReportContext): Line[] {
  const lines: Line[] = [];
  for (const sev of SEVERITIES) {
    const here = groups.filter((g) => g.severity === sev);
    if (!here.length) continue;
    const n = here.reduce((a, g) => a + g.findings.length, 0);
    lines.push(line(''), line(paint(ctx, sev, `${sev.toUpperCase()} (${String(n)})`)));
    for (const [i, g] of here.entries()) {
      if (i > 0) lines.push(line(''));
      lines.push(line(`${paint(ctx, 'bold', `${g.ruleId}  ${g.title}`)}  ×${String(g.findings.length)}`, 2));
      for (const part of byRemediation(g.findings)) {
        lines.push(line(`  → ${part.remediation}`, 4));
        for (const f of part.findings) lines.push(findingLine(f, ctx, 2));
      }
    }
  }
  return lines;
}

function byObject(groups: readonly RuleGroup[], ctx: ReportContext): Line[] {
  const objects = new Map<string, Finding[]>();
  for (const f of groups.flatMap((g) => g.findings).sort((a, b) => severityRank(b.severity) - severityRank(a.severity))) {
    const k = refKey(f.object);
    objects.set(k, [...(objects.get(k) ?? []), f]);
  }
  const lines: Line[] = [];
  for (const list of objects.values()) {
    const first = list[0]!;
    lines.push(line(''), line(paint(ctx, 'bold', describeRef(first.object)) + (first.location ? `  ${paint(ctx, 'dim', displayPath(first.location.file, ctx.cwd))}` : ''), 2));
    for (const f of list) lines.push(findingLine(f, ctx, 2, `${paint(ctx, f.severity, f.severity.toUpperCase().padEnd(8))} ${f.ruleId}  `));
  }
  const seen = new Set<string>();
  lines.push(line(''), line(paint(ctx, 'bold', 'Remediation, once per rule')));
  for (const g of groups) {
    for (const part of byRemediation(g.findings)) {
      const key = `${g.ruleId}\u0000${part.remediation}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(line(`  ${g.ruleId}  ${part.remediation}`, 4));
    }
  }
  return lines;
}

function waived(findings: readonly Finding[], ctx: ReportContext): Line[] {
  if (!findings.length) return [];
  const lines: Line[] = [line(''), line(paint(ctx, 'dim', `WAIVED (${String(findings.length)})`))];
  for (const f of findings) {
    const s = f.suppressed!;
    const extra = [s.owner ? `owner ${s.owner}` : '', s.expires ? `expires ${s.expires}` : ''].filter(Boolean).join(', ');
    lines.push(line(`  ${paint(ctx, 'dim', `waived   ${f.ruleId}  ${f.message}`)}`, 11));
    lines.push(line(`           ${paint(ctx, 'dim', `waiver (${s.by}): ${s.reason}${extra ? ` [${extra}]` : ''}`)}`, 11));
  }
  return lines;
}

export function summaryLine(result: CheckResult): string {
  const s = result.summary;
  const sev = SEVERITIES.map((k) => `${String(s.bySeverity[k])} ${k}`).join(', ');
  const verdict = s.inputErrors > 0 ? 'input errors: exit 2' : s.failed ? `findings at or above ${s.failOn}: exit 1` : `nothing at or above ${s.failOn}: exit 0`;
  return `ward policy-check: ${String(s.findings)} findings (${sev}), ${String(s.suppressed)} waived, ${String(s.inputErrors)} input errors; ${String(s.objects)} objects, ${String(s.rulesRun)} rules, profile ${s.profile}; ${verdict}`;
}

export const renderText: Reporter = (result, ctx) => {
  const lines: Line[] = result.inputErrors.map((e) => line(`${paint(ctx, 'critical', 'INPUT ERROR')} ${e.message}`, 2));
  if (lines.length) lines.push(line(''));
  const groups = ruleGroups(result, result.findings.filter((f) => !f.suppressed));
  lines.push(...summary(result, groups, ctx));
  const notes = notesOf(result);
  if (notes.length) lines.push(line(''), ...notes.map((n) => line(n, 2)));
  if (!ctx.summaryOnly) {
    lines.push(...(ctx.groupBy === 'object' ? byObject(groups, ctx) : byRule(groups, ctx)));
    lines.push(...waived(result.findings.filter((f) => f.suppressed), ctx));
  }
  lines.push(line(''), line(summaryLine(result), 2));
  return `${lines.flatMap((l) => wrapLine(l.text, ctx.width, l.indent)).join('\n')}\n`;
};
