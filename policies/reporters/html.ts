/**
 * The auditor's HTML report: ONE self-contained file (inline CSS, no script, font, image or link to
 * anything outside it), readable without JavaScript, printable, and accessible (semantic tables with
 * captions and scoped headers, text labels next to every colour). Sections: summary, flow matrix,
 * mTLS coverage, findings grouped by rule, waivers, evidence. Pure: every fact (time, version,
 * input hashes) is passed in.
 */
import type { CheckResult } from '../engine.js';
import type { FlowAnalysis } from '../flows/analyze.js';
import type { ConnSet } from '../flows/connset.js';
import type { IntentDiff, MatrixCell } from '../flows/intent.js';
import type { FlowSummary } from '../flows/format/summary.js';
import type { Finding, Rule } from '../types.js';
import { SEVERITIES } from '../types.js';
import { NO_PERSONAL_DATA } from './personal-data.js';
import { byRemediation, mostIn, ruleGroups } from './rule-summary.js';
import type { Reporter } from './types.js';

export interface InputHash {
  readonly file: string;
  readonly sha256: string;
}

export interface MtlsRow {
  readonly workload: string;
  readonly sidecar: 'yes' | 'no' | 'unknown';
  readonly port: string;
  readonly mode: string;
  readonly decidedBy: string;
}

export interface Evidence {
  readonly toolVersion: string;
  readonly profile: string;
  /** ISO 8601, injected by the caller. */
  readonly time?: string;
  readonly inputs: readonly InputHash[];
}

export interface HtmlReport {
  readonly title?: string;
  readonly check: CheckResult;
  readonly flows?: { readonly analysis: FlowAnalysis; readonly diff?: IntentDiff; readonly summary?: FlowSummary };
  readonly mtls?: readonly MtlsRow[];
  readonly evidence: Evidence;
}

/** Escapes text for HTML element content and attribute values. */
export function esc(s: string | number): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const CSS = `
:root{color-scheme:light}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1a1a1a;background:#fff;margin:0 auto;max-width:75rem;padding:1.5rem;line-height:1.45}
h1{font-size:1.6rem;margin:0 0 .5rem}h2{font-size:1.25rem;border-bottom:2px solid #1a1a1a;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;width:100%}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #8a8a8a;padding:.3rem .45rem;text-align:left;vertical-align:top}th{background:#ececec}
td.num{text-align:right;font-variant-numeric:tabular-nums}code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.9em;word-break:break-all}
.verdict{display:inline-block;padding:.2rem .6rem;border-radius:.25rem;font-weight:700;color:#fff}.pass{background:#1b5e20}.fail{background:#b3261e}
.sev{font-weight:700}.sev-critical{color:#8e1212}.sev-high{color:#a3300b}.sev-medium{color:#6b4e00}.sev-low{color:#1f4e79}
.cell-intended{background:#e3f1e5}.cell-allowed{background:#e6eef8}.cell-undeclared{background:#fbe4e1}.cell-blocked{background:#fff1c7}
.tag{display:block}#flow-matrix{font-size:.85em}#flow-matrix td{min-width:7rem}.legend li{margin:.15rem 0}
dl.evidence{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.evidence dt{font-weight:600}
.muted{color:#4a4a4a}
@media print{body{max-width:none;padding:0;font-size:10pt}h2{break-after:avoid}table,tr{break-inside:avoid}.verdict{border:1px solid #000;color:#000;background:none}.cell-intended,.cell-undeclared,.cell-blocked,.cell-allowed{background:none}a{color:inherit;text-decoration:none}}
`;

function table(caption: string, headers: readonly string[], rows: readonly string[][], id?: string): string {
  const head = headers.map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n');
  return `<table${id ? ` id="${esc(id)}"` : ''}><caption>${esc(caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const td = (s: string | number, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(s)}</td>`;
const tdRaw = (html: string, cls?: string): string => `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
const sev = (s: string): string => `<span class="sev sev-${esc(s)}">${esc(s)}</span>`;

function where(f: Finding): string {
  const obj = `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`;
  return f.location ? `${obj} (${f.location.file}:${String(f.location.line)})` : obj;
}

function summary(r: HtmlReport): string {
  const s = r.check.summary;
  const verdict = s.failed ? '<span class="verdict fail">FAIL</span>' : '<span class="verdict pass">PASS</span>';
  const counts = table('Open findings by severity', ['Severity', 'Findings'], [
    ...SEVERITIES.map((x) => [tdRaw(sev(x)), td(s.bySeverity[x], 'num')]),
    [td('suppressed by waivers'), td(s.suppressed, 'num')],
  ], 'severity-counts');
  return `<section aria-labelledby="summary"><h2 id="summary">Summary</h2>
<p>Verdict: ${verdict} <span class="muted">(fails on ${esc(s.failOn)} and above; profile ${esc(s.profile)}; ${esc(s.objects)} objects, ${esc(s.rulesRun)} rules, ${esc(s.inputErrors)} input errors)</span></p>
${counts}
${personalData(r.check)}
${ruleTable(r.check)}
${flowSummary(r.flows?.summary)}
${controls(r.check.rules, r.check.findings)}</section>`;
}

/** The workloads taken as holding personal data (their findings are raised one step), and why. */
function personalData(check: CheckResult): string {
  const holders = check.summary.personalData;
  if (!holders.length) return `<p id="personal-data">${esc(NO_PERSONAL_DATA)}.</p>`;
  return table(`Workloads taken as holding personal data (${String(holders.length)}): their findings are raised one step`, ['Workload', 'Taken as holding personal data because'],
    holders.map((h) => [td(`${h.workload.kind} ${h.workload.namespace ? `${h.workload.namespace}/` : ''}${h.workload.name}`), td(h.reason)]), 'personal-data');
}

/** Open findings per rule, worst first, with where most of them are (the same rows as the text report). */
function ruleTable(check: CheckResult): string {
  const groups = ruleGroups(check, check.findings.filter((f) => !f.suppressed));
  if (!groups.length) return '';
  return table('Open findings by rule (worst first)', ['Severity', 'Rule', 'Title', 'Findings', 'Most in'],
    groups.map((g) => [tdRaw(sev(g.severity)), tdRaw(`<a href="#rule-${esc(g.ruleId)}">${esc(g.ruleId)}</a>`), td(g.title), td(g.findings.length, 'num'), td(mostIn(g))]), 'rule-counts');
}

/** Who reaches the destinations holding personal data or exposed, and the undeclared/blocked flows with their cause. */
function flowSummary(s: FlowSummary | undefined): string {
  if (!s) return '';
  const dests = table(`Who reaches what: ${String(s.destinations.length)} of ${String(s.workloads)} workloads hold personal data or are exposed`, ['Destination', 'Ports', 'Personal data', 'Published', 'Reached by'],
    s.destinations.map((d) => [td(d.id), td(d.ports), td(d.personalData ? 'yes' : 'no'), tdRaw(d.published.map((p) => `<span class="tag">${esc(p)}</span>`).join('') || '<span class="muted">no</span>'), tdRaw(d.from.map((f) => `<span class="tag">${esc(f)}</span>`).join(''))]), 'flow-summary');
  const causes = (title: string, id: string, list: FlowSummary['undeclared']): string => (list === undefined ? '' : list.length
    ? table(title, ['From', 'To', 'Ports', 'Because of'], list.map((c) => [td(c.from.join('; ')), td(c.to), td(c.conn), tdRaw(c.cause.split(' | ').map((x) => `<span class="tag">${esc(x)}</span>`).join(''))]), id)
    : `<p>${esc(title)}: none.</p>`);
  const noSpec = s.undeclared ? '' : '<p class="muted">No spec: nothing declared to compare the flows with.</p>';
  return `${dests}
${noSpec}${causes('Undeclared flows (allowed, not declared)', 'undeclared-flows', s.undeclared)}
${causes('Blocked flows (declared, denied)', 'blocked-flows', s.blocked)}`;
}

function controls(rules: readonly Rule[], findings: readonly Finding[]): string {
  const open = new Map<string, number>();
  for (const f of findings) if (!f.suppressed) open.set(f.ruleId, (open.get(f.ruleId) ?? 0) + 1);
  const frameworks: [string, (r: Rule) => string | undefined][] = [
    ['CIS Kubernetes Benchmark 1.12', (r) => r.controls.cis1_12?.id],
    ['NSA/CISA Kubernetes Hardening Guidance 1.2', (r) => r.controls.nsa],
    ['OWASP Kubernetes Top 10 2025', (r) => r.controls.owasp2025],
  ];
  const rows = frameworks.map(([name, get]) => {
    const ids = new Map<string, number>();
    for (const r of rules) {
      const id = get(r);
      if (id) ids.set(id, (ids.get(id) ?? 0) + (open.get(r.id) ?? 0));
    }
    const failing = [...ids.values()].filter((n) => n > 0).length;
    const list = [...ids.keys()].sort().map((id) => `<span class="tag">${esc(id)}${(ids.get(id) ?? 0) > 0 ? ` — ${esc(ids.get(id) ?? 0)} open` : ''}</span>`).join('');
    return [tdRaw(`<strong>${esc(name)}</strong>`), td(ids.size, 'num'), td(failing, 'num'), tdRaw(list)];
  });
  return table('Controls covered per framework', ['Framework', 'Controls checked', 'Controls with open findings', 'Controls'], rows, 'controls');
}

/** Ports in words: "All Connections" stays; everything but the declared ports reads "all except …". */
function portsText(conn: ConnSet, declared: ConnSet): string {
  if (!declared.isEmpty() && !conn.isAll() && conn.union(declared).isAll()) return `all except ${declared.toString()}`;
  return conn.toString();
}

function cellHtml(c: MatrixCell | undefined): { html: string; cls?: string } {
  if (!c) return { html: '<span class="muted">none</span>' };
  const parts: string[] = [];
  if (!c.intended.isEmpty()) parts.push(`<span class="tag">✔ intended and allowed: ${esc(c.intended.toString())}</span>`);
  if (!c.undeclared.isEmpty()) parts.push(`<span class="tag">⚠ allowed but undeclared: ${esc(portsText(c.undeclared, c.declared))}</span>`);
  if (!c.blocked.isEmpty()) parts.push(`<span class="tag">✖ declared but blocked: ${esc(c.blocked.toString())}</span>`);
  const cls = !c.undeclared.isEmpty() ? 'cell-undeclared' : !c.blocked.isEmpty() ? 'cell-blocked' : 'cell-intended';
  return { html: parts.join(''), cls };
}

function intentMatrix(diff: IntentDiff): string {
  const cols = diff.components.map((c) => c.name);
  const cells = new Map(diff.cells.map((c) => [`${c.from}\u0000${c.to}`, c]));
  const rowKeys = [...cols, ...new Set(diff.cells.map((c) => c.from).filter((f) => !cols.includes(f)))];
  const rows = rowKeys.map((from) => [`<th scope="row">${esc(from)}</th>`, ...cols.map((to) => {
    const { html, cls } = cellHtml(cells.get(`${from}\u0000${to}`));
    return tdRaw(html, cls);
  })]);
  const head = ['From \\ To', ...cols].map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  return `<table id="flow-matrix"><caption>Flow matrix: components (rows, sources) × components (columns, destinations), with ports</caption><thead><tr>${head}</tr></thead><tbody>\n${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}\n</tbody></table>
<ul class="legend"><li>✔ intended and allowed: declared in the spec and allowed by NetworkPolicy and Istio</li><li>⚠ allowed but undeclared: reachable although no flow declares it</li><li>✖ declared but blocked: declared, but the effective policy blocks it</li></ul>`;
}

function flowList(analysis: FlowAnalysis): string {
  const rows = analysis.edges.flatMap((e) => [
    ...(!e.conn.isEmpty() ? [[td(e.src.id), td(e.dst.id), td(e.conn.toString()), td('allowed')]] : []),
    ...(!e.partial.isEmpty() ? [[td(e.src.id), td(e.dst.id), td(e.partial.toString()), td('partially allowed (L7 conditions)')]] : []),
  ]);
  return table(`Effective connections (${analysis.layer === 'both' ? 'NetworkPolicy and Istio' : analysis.layer})`, ['Source', 'Destination', 'Ports', 'Verdict'], rows, 'flow-list');
}

const MATRIX_LIMIT = 40;
const OUTSIDE_LABEL = '(outside the cluster)';

/** Without a spec: workloads (and the outside) × workloads (and the outside), each cell the ports allowed. */
function workloadMatrix(analysis: FlowAnalysis): string {
  const ids = analysis.workloads.map((n) => n.id);
  if (ids.length === 0 || ids.length > MATRIX_LIMIT) return `<p>${ids.length ? `${esc(ids.length)} workloads: too many for a matrix; every connection is listed below.` : 'No workloads in the input.'}</p>`;
  const key = (id: string, ip: boolean): string => (ip ? OUTSIDE_LABEL : id);
  const cells = new Map<string, string[]>();
  for (const e of analysis.edges) {
    const k = `${key(e.src.id, e.src.type === 'ip')}\u0000${key(e.dst.id, e.dst.type === 'ip')}`;
    const parts = cells.get(k) ?? [];
    const ip = e.src.type === 'ip' ? e.src.id : e.dst.type === 'ip' ? e.dst.id : '';
    if (!e.conn.isEmpty()) parts.push(`${ip ? `${ip}: ` : ''}${e.conn.toString()}`);
    if (!e.partial.isEmpty()) parts.push(`${ip ? `${ip}: ` : ''}${e.partial.toString()} (partially allowed)`);
    cells.set(k, parts);
  }
  const rows = [...ids, OUTSIDE_LABEL];
  const cols = [...ids, OUTSIDE_LABEL];
  const body = rows.map((from) => `<tr><th scope="row">${esc(from)}</th>${cols.map((to) => {
    const parts = from === to ? undefined : cells.get(`${from}\u0000${to}`);
    return parts?.length ? tdRaw(parts.map((p) => `<span class="tag">${esc(p)}</span>`).join(''), 'cell-allowed') : tdRaw('<span class="muted">none</span>');
  }).join('')}</tr>`).join('\n');
  const head = ['From \\ To', ...cols].map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  return `<p>No RegistryDeployment spec among the inputs: effective connections only, nothing to compare with.</p>
<table id="flow-matrix"><caption>Flow matrix: workloads (rows, sources) × workloads (columns, destinations), with the ports allowed</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function flowsSection(r: HtmlReport): string {
  if (!r.flows) return '<section aria-labelledby="flows"><h2 id="flows">Flow matrix</h2><p>This report was rendered without the objects: run <code>ward flows PATHS --format html</code> on the same inputs for the flow matrix and mTLS coverage.</p></section>';
  const { analysis, diff } = r.flows;
  const matrix = diff ? intentMatrix(diff) : workloadMatrix(analysis);
  return `<section aria-labelledby="flows"><h2 id="flows">Flow matrix</h2>\n${matrix}\n<h3>All effective connections</h3>\n${flowList(analysis)}</section>`;
}

function mtlsSection(rows: readonly MtlsRow[] | undefined): string {
  const body = rows?.length
    ? table('Effective mTLS per workload and port', ['Workload', 'Sidecar', 'Port', 'Mode', 'Decided by'], rows.map((m) => [td(m.workload), td(m.sidecar), td(m.port), tdRaw(m.mode === 'STRICT' ? esc(m.mode) : `<strong>${esc(m.mode)}</strong>`), td(m.decidedBy)]), 'mtls')
    : '<p>No workloads in the input.</p>';
  return `<section aria-labelledby="mtls-h"><h2 id="mtls-h">mTLS coverage</h2>\n${body}</section>`;
}

function findingsSection(check: CheckResult): string {
  const open = check.findings.filter((f) => !f.suppressed);
  if (open.length === 0) return '<section aria-labelledby="findings"><h2 id="findings">Findings</h2><p>No open findings.</p></section>';
  const byRule = new Map<string, Finding[]>();
  for (const f of open) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const rules = new Map(check.rules.map((r) => [r.id, r]));
  const groups = [...byRule.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, list]) => {
    const rule = rules.get(id);
    // One remediation for the rule, or (when its findings word it differently) one per finding.
    const parts = byRemediation(list);
    const single = parts.length === 1;
    const rows = list.map((f) => [tdRaw(sev(f.severity)), td(where(f)), td(f.message), ...(single ? [] : [td(f.remediation)])]);
    const advice = single ? `<p><strong>Remediation:</strong> ${esc(parts[0]?.remediation ?? rule?.remediation ?? '')}</p>\n` : '';
    return `<section aria-labelledby="rule-${esc(id)}"><h3 id="rule-${esc(id)}">${esc(id)}: ${esc(rule?.title ?? '')} (${esc(list.length)})</h3>
${rule ? `<p>${esc(rule.rationale)}</p>` : ''}${advice}${table(`${id} findings`, ['Severity', 'Object', 'Message', ...(single ? [] : ['Remediation'])], rows)}</section>`;
  });
  return `<section aria-labelledby="findings"><h2 id="findings">Findings</h2>\n${groups.join('\n')}</section>`;
}

function waiversSection(check: CheckResult): string {
  const waived = check.findings.filter((f) => f.suppressed);
  const body = waived.length
    ? table('Findings suppressed by waivers', ['Rule', 'Object', 'Reason', 'Owner', 'Expires', 'Waived by'], waived.map((f) => [
      td(f.ruleId), td(where(f)), td(f.suppressed?.reason ?? ''), td(f.suppressed?.owner ?? '(none)'), td(f.suppressed?.expires ?? '(none)'), td(f.suppressed?.by ?? ''),
    ]), 'waivers')
    : '<p>No waiver suppresses any finding.</p>';
  return `<section aria-labelledby="waivers-h"><h2 id="waivers-h">Waivers</h2>\n${body}</section>`;
}

function evidenceSection(e: Evidence): string {
  const inputs = e.inputs.length
    ? table('SHA-256 of every input file', ['File', 'SHA-256'], e.inputs.map((i) => [td(i.file), tdRaw(`<code>${esc(i.sha256)}</code>`)]), 'inputs')
    : '<p>No input files (objects read from a cluster or synthesised in memory).</p>';
  return `<section aria-labelledby="evidence"><h2 id="evidence">Evidence</h2>
<dl class="evidence"><dt>ward version</dt><dd>${esc(e.toolVersion)}</dd><dt>Profile</dt><dd>${esc(e.profile)}</dd><dt>Time</dt><dd>${esc(e.time ?? 'not recorded')}</dd></dl>
${inputs}</section>`;
}

/** The full report. */
export function renderHtmlReport(r: HtmlReport): string {
  const title = r.title ?? 'ward audit report';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="muted">Generated by ward ${esc(r.evidence.toolVersion)}${r.evidence.time ? ` at ${esc(r.evidence.time)}` : ''}.</p>
<nav aria-label="Sections"><a href="#summary">Summary</a> · <a href="#flows">Flow matrix</a> · <a href="#mtls-h">mTLS coverage</a> · <a href="#findings">Findings</a> · <a href="#waivers-h">Waivers</a> · <a href="#evidence">Evidence</a></nav></header>
<main>
${summary(r)}
${flowsSection(r)}
${mtlsSection(r.mtls)}
${findingsSection(r.check)}
${waiversSection(r.check)}
${evidenceSection(r.evidence)}
</main>
</body>
</html>
`;
}

/**
 * The `html` entry of the reporter registry (`ward check --format html`). The check result alone
 * carries no objects, so the flow matrix and mTLS table come from the context when the caller
 * supplies them (`ward flows --format html` always does).
 */
export const renderHtml: Reporter = (result, ctx) => {
  const extra = (ctx as { readonly html?: Partial<HtmlReport> }).html;
  return renderHtmlReport({
    check: result,
    ...(extra?.flows ? { flows: extra.flows } : {}),
    ...(extra?.mtls ? { mtls: extra.mtls } : {}),
    evidence: extra?.evidence ?? { toolVersion: ctx.toolVersion, profile: result.summary.profile, inputs: result.inputs.map(({ file, sha256 }) => ({ file, sha256 })) },
  });
};
