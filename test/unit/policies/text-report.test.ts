import { describe, expect, it } from 'vitest';
import { runCheck, type CheckResult } from '../../../policies/engine.js';
import { parseText } from '../../../policies/load/parse.js';
import { reporters } from '../../../policies/reporters/index.js';
import { displayPath, visibleLength, wrapLine } from '../../../policies/reporters/layout.js';
import type { ReportContext } from '../../../policies/reporters/types.js';
import { MAX_SUMMARY_ROWS } from '../../../policies/reporters/text.js';
import { NOW } from './helpers.js';

const CWD = '/repo';
const FILE = '/repo/deploy/app.yaml';

const deployment = (name: string, privileged: boolean): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: dev
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: "example/${name}:1.0"${privileged ? '\n        securityContext: {privileged: true}' : ''}
`;

/** Three Deployments (one privileged, last in the file) in one file under the working directory. */
function result(): CheckResult {
  const loaded = parseText([deployment('alpha', false), deployment('beta', false), deployment('gamma', true)].join('---\n'), FILE);
  return runCheck({ documents: loaded.documents, now: NOW });
}

const ctx: ReportContext = { color: false, toolVersion: '0.1.0', cwd: CWD };
const render = (extra: Partial<ReportContext> = {}): string => reporters.text!(result(), { ...ctx, ...extra });
const lines = (text: string): string[] => text.split('\n');

describe('text report', () => {
  it('opens with the counts per severity, then one row per rule, the critical rules first', () => {
    const out = lines(render());
    const r = result();
    expect(out[0]).toBe(`${String(r.summary.findings)} findings in 3 objects: ${String(r.summary.bySeverity.critical)} critical, ${String(r.summary.bySeverity.high)} high, ${String(r.summary.bySeverity.medium)} medium, ${String(r.summary.bySeverity.low)} low; 0 waived`);
    const rows = out.filter((l) => /^ {2}(critical|high|medium|low) +WARD-/.test(l));
    const severities = rows.map((l) => l.trim().split(/ +/)[0]);
    expect(severities[0]).toBe('critical');
    expect(rows[0]).toMatch(/^ {2}critical +WARD-POD-001 +1 {2}Privileged container +Deployment dev\/gamma$/);
    const rank = { critical: 4, high: 3, medium: 2, low: 1 } as const;
    const ranks = severities.map((s) => rank[s as keyof typeof rank]);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
  });

  it('counts every rule and names where most of its findings are', () => {
    const out = render();
    // Every Deployment lacks a digest: 3 findings of WARD-POD-016, all in namespace dev.
    expect(out).toMatch(/\n {2}low +WARD-POD-016 +3 {2}Image not pinned by digest +namespace dev \(all\)\n/);
    const r = result();
    const rows = lines(out).filter((l) => /^ {2}(critical|high|medium|low) +WARD-/.test(l));
    const total = rows.reduce((n, l) => n + Number(l.trim().split(/ +/)[2]), 0);
    expect(total).toBe(r.summary.findings);
  });

  it('lists the findings severity → rule, the first one critical, with the remediation once per rule', () => {
    const out = render();
    const first = lines(out).findIndex((l) => l.startsWith('CRITICAL ('));
    expect(lines(out)[first + 1]).toBe('WARD-POD-001  Privileged container  ×1');
    const remediation = result().rules.find((r) => r.id === 'WARD-POD-016')!.remediation;
    expect(out.split(remediation)).toHaveLength(2);
    expect(lines(out).filter((l) => l.includes('is not pinned by digest'))).toHaveLength(3);
  });

  it('shows paths inside the working directory relative to it, with line and finding', () => {
    const out = render();
    expect(out).toMatch(/Deployment dev\/gamma container "main" runs privileged[^\n]* {2}deploy\/app\.yaml:\d+\n/);
    expect(out).not.toContain(FILE);
    expect(displayPath('/elsewhere/x.yaml', CWD)).toBe('/elsewhere/x.yaml');
    expect(displayPath('rel/x.yaml', CWD)).toBe('rel/x.yaml');
  });

  it('wraps to the given width and not at all without one', () => {
    const wide = lines(render());
    expect(Math.max(...wide.map((l) => l.length))).toBeGreaterThan(60);
    const narrow = lines(render({ width: 60 }));
    // Only a single word longer than the width may overflow it.
    for (const l of narrow) if (l.length > 60) expect(l.trim()).not.toContain(' ');
    expect(narrow.length).toBeGreaterThan(wide.length);
    expect(wrapLine('aaa bbb ccc', 7, 2)).toEqual(['aaa bbb', '  ccc']);
    expect(wrapLine('aaa bbb ccc', undefined, 2)).toEqual(['aaa bbb ccc']);
    expect(visibleLength('\x1b[1;31mCRITICAL\x1b[0m')).toBe(8);
  });

  it('on a terminal keeps each summary row on one line', () => {
    const rows = lines(render({ width: 80 })).filter((l) => /^ {2}(critical|high|medium|low) +WARD-/.test(l));
    expect(rows.length).toBe(new Set(result().findings.map((f) => `${f.severity} ${f.ruleId}`)).size);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
  });

  it('--group-by object lists findings per object, worst object first, and the remediations once at the end', () => {
    const out = render({ groupBy: 'object' });
    const headers = lines(out).filter((l) => /^Deployment dev\//.test(l));
    expect(headers[0]).toBe('Deployment dev/gamma  deploy/app.yaml');
    expect(headers).toHaveLength(3);
    expect(out).toMatch(/\n {2}CRITICAL WARD-POD-001 {2}Deployment dev\/gamma container "main" runs privileged/);
    const tail = out.slice(out.indexOf('Remediation, once per rule'));
    expect(tail).toContain('  WARD-POD-016  Append the digest');
    expect(out.split('Append the digest')).toHaveLength(2);
  });

  it('--summary prints the summary and the verdict but no finding', () => {
    const out = render({ summaryOnly: true });
    expect(out).toContain('WARD-POD-001');
    expect(out).not.toContain('runs privileged');
    expect(out).not.toContain('CRITICAL (');
    expect(lines(out.trimEnd()).at(-1)).toMatch(/^ward policy-check: .*exit 1$/);
  });

  it(`shows at most ${String(MAX_SUMMARY_ROWS)} summary rows when the findings follow, counting the rest; --summary shows every row`, () => {
    const base = result();
    const one = base.findings[0]!;
    const findings = Array.from({ length: MAX_SUMMARY_ROWS + 5 }, (_, i) => ({ ...one, ruleId: `WARD-X-${String(i).padStart(3, '0')}`, severity: 'low' as const }));
    const many: CheckResult = { ...base, findings };
    const rowsOf = (out: string): string[] => lines(out).filter((l) => /^ {2}low +WARD-X-/.test(l));
    const out = reporters.text!(many, ctx);
    expect(rowsOf(out)).toHaveLength(MAX_SUMMARY_ROWS - 1);
    expect(out).toContain('\n  … 6 more rows (6 findings, low and below): listed below; --summary shows every row\n');
    expect(rowsOf(reporters.text!(many, { ...ctx, summaryOnly: true }))).toHaveLength(MAX_SUMMARY_ROWS + 5);
  });

  it('colours severities only when asked', () => {
    expect(render()).not.toContain('\x1b[');
    expect(render({ color: true })).toContain('\x1b[1;31mCRITICAL (1)');
  });

  it('prints each remediation a rule words per finding, with the findings it is for (WARD-POD-008 names each container\'s capabilities)', () => {
    const adds = (name: string, caps: string): string => deployment(name, false).replace('image: "example/' + name + ':1.0"', `image: "example/${name}:1.0"\n        securityContext: {capabilities: {add: [${caps}]}}`);
    const loaded = parseText([adds('alpha', 'CHOWN'), adds('beta', 'SYS_TIME')].join('---\n'), FILE);
    const r = runCheck({ documents: loaded.documents, now: NOW });
    const pod008 = r.findings.filter((f) => f.ruleId === 'WARD-POD-008');
    expect(new Set(pod008.map((f) => f.remediation)).size).toBe(2);
    const out = lines(reporters.text!(r, ctx));
    const at = (text: string): number => out.findIndex((l) => l.includes(text));
    const chown = at('→ Remove CHOWN');
    const sysTime = at('→ Remove SYS_TIME');
    expect(chown).toBeGreaterThan(0);
    expect(sysTime).toBeGreaterThan(chown);
    expect(at('Deployment dev/alpha container "main" adds capabilities CHOWN')).toBe(chown + 1);
    expect(at('Deployment dev/beta container "main" adds capabilities SYS_TIME')).toBe(sysTime + 1);
    const byObject = reporters.text!(r, { ...ctx, groupBy: 'object' });
    expect(byObject).toMatch(/WARD-POD-008 {2}Remove CHOWN/);
    expect(byObject).toMatch(/WARD-POD-008 {2}Remove SYS_TIME/);
    const html = reporters.html!(r, ctx);
    expect(html).toContain('<th scope="col">Remediation</th>');
    expect(html).toContain('Remove SYS_TIME');
  });
});
