import { describe, expect, it } from 'vitest';
import { exitCodeOf, runCheck } from '../../../policies/engine.js';
import { parseText } from '../../../policies/load/parse.js';
import { builtinProfile, parseProfile } from '../../../policies/profiles.js';
import { duplicateRuleIds, RULE_ID_PATTERN, rules } from '../../../policies/rules/index.js';
import { parseWaiveAnnotation, parseWaiversFile } from '../../../policies/waivers.js';
import { NOW } from './helpers.js';

const deploy = (annotations = '', labels = 'app: web'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
${annotations ? `  annotations:\n${annotations}\n` : ''}spec:
  template:
    metadata:
      labels: {${labels}}
    spec:
      containers:
        - name: web
          image: registry.example/web:1.0
`;
const docs = (yaml: string) => parseText(yaml, 'in.yaml').documents;
const only = (ids: string[]) => ({ name: 'test', description: '', include: ids, exclude: [], severity: {} });

describe('the catalogue', () => {
  it('has unique ids of the form WARD-<AREA>-<NNN>', () => {
    expect(duplicateRuleIds()).toEqual([]);
    for (const id of rules.keys()) expect(id).toMatch(RULE_ID_PATTERN);
  });
  it('gives every rule a title, rationale, remediation and at least one control mapping', () => {
    for (const r of rules.values()) {
      expect(r.title.length, r.id).toBeGreaterThan(5);
      expect(r.rationale.length, r.id).toBeGreaterThan(20);
      expect(r.remediation.length, r.id).toBeGreaterThan(10);
      expect(Object.keys(r.controls).length, r.id).toBeGreaterThan(0);
      if (r.controls.cis1_12) expect(r.controls.cis1_12.benchmark).toBe('CIS Kubernetes 1.12');
    }
  });
  it('covers the seven families', () => {
    const families = new Set([...rules.keys()].map((id) => id.split('-')[1]));
    for (const f of ['POD', 'NET', 'MTLS', 'AUTHZ', 'SEC', 'KM', 'RBAC']) expect(families).toContain(f);
  });
});

describe('waivers', () => {
  const annotate = (value: string) => `    ward.g2p.dev/waive: |\n${value.split('\n').map((l) => `      ${l}`).join('\n')}`;

  it('parses several waivers separated by newlines', () => {
    expect(parseWaiveAnnotation('WARD-POD-016: images pinned by the release pipeline; expires=2027-03-31; owner=team-x\nWARD-POD-014: sized by VPA')).toEqual([
      { ok: true, waiver: { rule: 'WARD-POD-016', reason: 'images pinned by the release pipeline', owner: 'team-x', expires: '2027-03-31' } },
      { ok: true, waiver: { rule: 'WARD-POD-014', reason: 'sized by VPA' } },
    ]);
  });

  it('suppresses with a reason, keeps the finding visible with its justification', () => {
    const r = runCheck({ documents: docs(deploy(annotate('WARD-POD-016: pinned at deploy time; expires=2027-01-01; owner=team-x'))), profile: only(['WARD-POD-016']), now: NOW });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.suppressed).toEqual({ by: 'annotation', reason: 'pinned at deploy time', owner: 'team-x', expires: '2027-01-01' });
    expect(r.summary).toMatchObject({ findings: 0, suppressed: 1, failed: false });
  });

  it('does not suppress without a reason, and reports the waiver', () => {
    const r = runCheck({ documents: docs(deploy(annotate('WARD-POD-016:'))), profile: only(['WARD-POD-016', 'WARD-WAIVER-*']), now: NOW });
    expect(r.findings.map((f) => [f.ruleId, f.severity, Boolean(f.suppressed)])).toEqual([['WARD-WAIVER-001', 'medium', false], ['WARD-POD-016', 'low', false]]);
    expect(r.findings[0]!.message).toBe('Deployment dev/web: waiver for WARD-POD-016 has no reason, so it suppresses nothing');
    expect(r.findings[0]!.location?.line).toBe(7); // the ward.g2p.dev/waive key
  });

  it('stops suppressing once expired and adds its own finding', () => {
    const r = runCheck({ documents: docs(deploy(annotate('WARD-POD-016: temporary; expires=2026-05-31; owner=team-x'))), profile: only(['WARD-POD-016', 'WARD-WAIVER-*']), now: NOW });
    expect(r.findings.map((f) => [f.ruleId, Boolean(f.suppressed)])).toEqual([['WARD-WAIVER-002', false], ['WARD-POD-016', false]]);
    expect(r.findings[0]!.message).toBe('Deployment dev/web: waiver for WARD-POD-016 expired on 2026-05-31 (owner team-x); its findings are reported again');
  });

  it('is still valid on its expiry day', () => {
    const r = runCheck({ documents: docs(deploy(annotate('WARD-POD-016: temporary; expires=2026-06-01'))), profile: only(['WARD-POD-016', 'WARD-WAIVER-*']), now: NOW });
    expect(r.findings.map((f) => [f.ruleId, Boolean(f.suppressed)])).toEqual([['WARD-POD-016', true]]);
  });

  it('reports unknown rule ids and bad dates', () => {
    const r = runCheck({ documents: docs(deploy(annotate('WARD-POD-999: why\nWARD-POD-016: why; expires=next week\nnot a waiver'))), profile: only(['WARD-WAIVER-*']), now: NOW });
    expect(r.findings.map((f) => f.message).sort()).toEqual([
      'Deployment dev/web: waiver annotation ward.g2p.dev/waive line "not a waiver" does not start with a rule id (WARD-<AREA>-<NNN>: reason; expires=YYYY-MM-DD; owner=x)',
      'Deployment dev/web: waiver for WARD-POD-016 has expiry "next week", not a date YYYY-MM-DD',
      'Deployment dev/web: waiver names unknown rule WARD-POD-999',
    ]);
  });

  it('applies the central waivers file by rule and kind/namespace/name', () => {
    const file = parseWaiversFile('- rule: WARD-POD-016\n  kind: Deployment\n  namespace: dev\n  name: web\n  reason: pinned by Argo CD image updater\n  owner: platform\n  expires: 2027-01-01\n- rule: WARD-POD-014\n  namespace: other\n  reason: not this namespace\n', 'waivers.yaml');
    expect(file.errors).toEqual([]);
    const r = runCheck({ documents: docs(deploy()), profile: only(['WARD-POD-016', 'WARD-POD-014']), waivers: file.waivers, now: NOW });
    expect(r.findings.map((f) => [f.ruleId, f.suppressed?.by, f.suppressed?.reason])).toEqual([['WARD-POD-014', undefined, undefined], ['WARD-POD-016', 'file', 'pinned by Argo CD image updater']]);
  });

  it('reports a file waiver without a reason at its file:line', () => {
    const file = parseWaiversFile('- rule: WARD-POD-016\n  name: web\n', 'waivers.yaml');
    const r = runCheck({ documents: docs(deploy()), profile: only(['WARD-POD-016', 'WARD-WAIVER-*']), waivers: file.waivers, now: NOW });
    const w = r.findings.find((f) => f.ruleId === 'WARD-WAIVER-001')!;
    expect(w.location).toEqual({ file: 'waivers.yaml', line: 1, column: 3 });
    expect(w.message).toBe('Waiver waivers.yaml#0: waiver for WARD-POD-016 (*/*/web) has no reason, so it suppresses nothing');
  });

  it('ignores every waiver in auditor mode (--no-waivers)', () => {
    const r = runCheck({ documents: docs(deploy(annotate('WARD-POD-016: pinned at deploy time'))), profile: only(['WARD-POD-016']), noWaivers: true, now: NOW });
    expect(r.findings.map((f) => [f.ruleId, f.suppressed])).toEqual([['WARD-POD-016', undefined]]);
  });
});

describe('profiles, severities and exit codes', () => {
  it('baseline leaves out the restricted-only rules', () => {
    const strict = runCheck({ documents: docs(deploy()), profile: builtinProfile('strict'), now: NOW });
    const baseline = runCheck({ documents: docs(deploy()), profile: builtinProfile('baseline'), now: NOW });
    expect(strict.findings.some((f) => f.ruleId === 'WARD-POD-003')).toBe(true);
    expect(baseline.findings.some((f) => f.ruleId === 'WARD-POD-003')).toBe(false);
    expect(baseline.summary.rulesRun).toBeLessThan(strict.summary.rulesRun);
  });

  it('applies severity overrides and keeps the personal-data raise on top', () => {
    const profile = parseProfile('name: p\ninclude: [WARD-NET-003]\nseverity: {WARD-NET-003: low}\n', 'p.yaml');
    const plain = runCheck({ documents: docs(deploy()), profile, now: NOW });
    const personal = runCheck({ documents: docs(deploy('', 'app: web, ward.g2p.dev/personal-data: "true"')), profile, now: NOW });
    expect(plain.findings.map((f) => f.severity)).toEqual(['low']);
    expect(personal.findings.map((f) => f.severity)).toEqual(['medium']);
  });

  it('rejects a profile with an unknown severity', () => {
    expect(() => parseProfile('name: p\nseverity: {WARD-POD-001: urgent}\n', 'p.yaml')).toThrow('p.yaml:2: severity.WARD-POD-001: expected critical, high, medium or low, got the string "urgent"');
  });

  it.each([
    ['high', 1], ['critical', 0],
  ] as const)('exit code with --fail-on %s', (failOn, code) => {
    const r = runCheck({ documents: docs(deploy()), profile: only(['WARD-POD-002']), failOn, now: NOW });
    expect(exitCodeOf(r)).toBe(code);
  });

  it('exits 2 on input errors even when the rest is clean', () => {
    const loaded = parseText('kind: [\n', 'bad.yaml');
    const r = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now: NOW });
    expect(exitCodeOf(r)).toBe(2);
  });

  it('counts unknown kinds, understands Istio kinds and never fails on them', () => {
    const yaml = 'apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c, namespace: dev}\n---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s, namespace: dev}\nspec: {}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {a: 1}\n';
    const r = runCheck({ documents: docs(yaml), now: NOW });
    expect(r.unknownKinds).toEqual({ 'Certificate.cert-manager.io': 1, 'Widget.example.com': 1 });
  });
});

describe('objects without positions (operator, cluster, synthesis)', () => {
  it('reduces Secret values to facts: weak values are found, the value never leaves the index', () => {
    const objects = [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'dev' }, data: { password: Buffer.from('changeme').toString('base64') } }];
    const r = runCheck({ objects, profile: only(['WARD-SEC-004']), now: NOW });
    expect(r.findings.map((f) => [f.message, f.location])).toEqual([['Secret dev/db key "password" is a well-known default value', undefined]]);
    expect(JSON.stringify(r)).not.toContain(Buffer.from('changeme').toString('base64'));
  });

  it('takes personal data from a RegistryDeployment among the inputs', () => {
    const rd = { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev' },
      spec: { namespace: 'dev', components: [{ name: 'web', selector: { app: 'web' }, serviceAccount: 'web', personalData: true }] } };
    const objects = [...docs(deploy()).map((d) => d.object), rd];
    const r = runCheck({ objects, profile: only(['WARD-NET-003']), now: NOW });
    expect(r.findings.map((f) => [f.severity, f.message])).toEqual([['high', 'Deployment dev/web is selected by no NetworkPolicy for ingress: any source can connect to it (holds personal data)']]);
  });
});

describe('the waivers file is input like any other', () => {
  it('reports an alias bomb as an input error instead of expanding it', () => {
    const levels = ['a: &a [x,x,x,x,x,x,x,x,x]'];
    for (let i = 1; i < 8; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const r = parseWaiversFile(levels.join('\n'), 'w.yaml');
    expect(r.waivers).toEqual([]);
    expect(r.errors[0]).toMatchObject({ code: 'alias-limit', file: 'w.yaml' });
  });
});
