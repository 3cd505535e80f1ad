/**
 * The per-rule summary shared by the text and HTML reports: open findings grouped by rule and
 * severity, worst first then most numerous, and where most of each rule's findings are (the Helm
 * sub-chart, else the namespace, else the file). Pure.
 */
import type { CheckResult } from '../engine.js';
import { describeRef, severityRank, type Finding, type Severity } from '../types.js';
import { displayPath } from './layout.js';

/** One rule at one severity (a rule can be raised for personal data, so it may appear twice). */
export interface RuleGroup {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: Severity;
  readonly remediation: string;
  readonly findings: Finding[];
}

export function ruleGroups(result: CheckResult, findings: readonly Finding[]): RuleGroup[] {
  const titles = new Map(result.rules.map((r) => [r.id, r.title]));
  const map = new Map<string, RuleGroup>();
  for (const f of findings) {
    const k = `${f.severity}\u0000${f.ruleId}`;
    const g = map.get(k) ?? { ruleId: f.ruleId, title: titles.get(f.ruleId) ?? f.ruleId, severity: f.severity, remediation: f.remediation, findings: [] };
    g.findings.push(f);
    map.set(k, g);
  }
  return [...map.values()].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || b.findings.length - a.findings.length || (a.ruleId < b.ruleId ? -1 : 1));
}

/**
 * A group's findings by their remediation, in order of first appearance: most rules give one
 * remediation, but some word it per finding (WARD-POD-008 names the capabilities each container
 * adds), and printing the first finding's advice once would hide the others'.
 */
export function byRemediation(findings: readonly Finding[]): { remediation: string; findings: Finding[] }[] {
  const map = new Map<string, Finding[]>();
  for (const f of findings) map.set(f.remediation, [...(map.get(f.remediation) ?? []), f]);
  return [...map].map(([remediation, list]) => ({ remediation, findings: list }));
}

/** The chart a finding comes from (`keymanager/postgresql` for a sub-chart), else its namespace, else its file. */
function place(f: Finding, cwd: string | undefined): string {
  const helm = f.location?.helmSource;
  if (helm) {
    const parts = helm.split('/');
    const charts = parts.flatMap((p, i) => (p === 'charts' && parts[i + 1] && i + 2 < parts.length ? [parts[i + 1]!] : []));
    return charts.length ? charts.join('/') : (parts[0] ?? helm);
  }
  if (f.object.namespace) return `namespace ${f.object.namespace}`;
  return f.location ? displayPath(f.location.file, cwd) : describeRef(f.object);
}

/** Where most findings of a group are: the object itself for a single finding. */
export function mostIn(g: RuleGroup, cwd?: string): string {
  const only = g.findings.length === 1 ? g.findings[0] : undefined;
  if (only) return describeRef(only.object);
  const counts = new Map<string, number>();
  for (const f of g.findings) counts.set(place(f, cwd), (counts.get(place(f, cwd)) ?? 0) + 1);
  const [best, n] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
  if (n === g.findings.length) return `${best} (all)`;
  if (n > 1) return `${best} (${String(n)})`;
  return counts.size <= 3 ? [...counts.keys()].join(', ') : `${String(counts.size)} places, 1 each`;
}
