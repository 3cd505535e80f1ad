/** Text reporter: findings grouped by object, colour when asked, input errors first, one summary line. */
import { describeRef, refKey, type Finding, type Severity } from '../types.js';
import type { CheckResult } from '../engine.js';
import type { ReportContext, Reporter } from './types.js';

const COLOURS: Readonly<Record<Severity | 'dim' | 'bold', string>> = { critical: '\x1b[1;31m', high: '\x1b[31m', medium: '\x1b[33m', low: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m' };
const RESET = '\x1b[0m';

function paint(ctx: ReportContext, style: keyof typeof COLOURS, text: string): string {
  return ctx.color ? `${COLOURS[style]}${text}${RESET}` : text;
}

function where(f: Finding): string {
  if (!f.location) return '';
  const helm = f.location.helmSource ? ` (${f.location.helmSource})` : '';
  return `${f.location.file}:${String(f.location.line)}${helm}`;
}

function findingLines(f: Finding, ctx: ReportContext): string[] {
  const sev = f.severity.toUpperCase().padEnd(8);
  if (f.suppressed) {
    const s = f.suppressed;
    const extra = [s.owner ? `owner ${s.owner}` : '', s.expires ? `expires ${s.expires}` : ''].filter(Boolean).join(', ');
    return [`  ${paint(ctx, 'dim', `waived   ${f.ruleId}  ${f.message}`)}`, `           ${paint(ctx, 'dim', `waiver (${s.by}): ${s.reason}${extra ? ` [${extra}]` : ''}`)}`];
  }
  const at = where(f);
  return [`  ${paint(ctx, f.severity, sev)} ${f.ruleId}  ${f.message}${at ? `  ${paint(ctx, 'dim', at)}` : ''}`, `           → ${f.remediation}`];
}

function groups(findings: readonly Finding[]): Map<string, Finding[]> {
  const map = new Map<string, Finding[]>();
  for (const f of findings) {
    const k = refKey(f.object);
    const list = map.get(k);
    if (list) list.push(f);
    else map.set(k, [f]);
  }
  return map;
}

export function summaryLine(result: CheckResult): string {
  const s = result.summary;
  const sev = (['critical', 'high', 'medium', 'low'] as const).map((k) => `${String(s.bySeverity[k])} ${k}`).join(', ');
  const verdict = s.inputErrors > 0 ? 'input errors: exit 2' : s.failed ? `findings at or above ${s.failOn}: exit 1` : `nothing at or above ${s.failOn}: exit 0`;
  return `ward policy-check: ${String(s.findings)} findings (${sev}), ${String(s.suppressed)} waived, ${String(s.inputErrors)} input errors; ${String(s.objects)} objects, ${String(s.rulesRun)} rules, profile ${s.profile}; ${verdict}`;
}

export const renderText: Reporter = (result, ctx) => {
  const lines: string[] = [];
  for (const e of result.inputErrors) lines.push(`${paint(ctx, 'critical', 'INPUT ERROR')} ${e.message}`);
  if (result.inputErrors.length) lines.push('');
  for (const list of groups(result.findings).values()) {
    const first = list[0];
    if (!first) continue;
    lines.push(paint(ctx, 'bold', describeRef(first.object)) + (first.location ? `  ${paint(ctx, 'dim', first.location.file)}` : ''));
    for (const f of list) lines.push(...findingLines(f, ctx));
    lines.push('');
  }
  const unknown = Object.entries(result.unknownKinds);
  if (unknown.length) lines.push(paint(ctx, 'dim', `not checked (unknown kinds): ${unknown.map(([k, n]) => `${k} ×${String(n)}`).join(', ')}`));
  lines.push(summaryLine(result));
  return `${lines.join('\n')}\n`;
};
