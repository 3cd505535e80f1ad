import Ajv04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runCheck, type CheckResult } from '../../../policies/engine.js';
import { loadPaths } from '../../../policies/load/index.js';
import { parseText } from '../../../policies/load/parse.js';
import { JSON_SCHEMA_ID, reporters } from '../../../policies/reporters/index.js';
import { NOW } from './helpers.js';

const require = createRequire(import.meta.url);
const SCHEMA_PATH = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const ctx = { color: false, toolVersion: '0.1.0' };

/** The OpenG2P defaults fixture plus a waived finding and an input error: every reporter feature at once. */
async function sample(): Promise<CheckResult> {
  const loaded = await loadPaths(['test/fixtures/openg2p-defaults']);
  const waived = parseText('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: tool\n  namespace: dev\n  annotations:\n    ward.g2p.dev/waive: "WARD-POD-016: pinned at deploy time by the release pipeline; expires=2027-01-01; owner=platform <ops&co>"\nspec:\n  template:\n    spec:\n      automountServiceAccountToken: false\n      containers: [{name: t, image: "t:1"}]\n', 'extra.yaml');
  const bad = parseText('kind: [\n', 'broken.yaml');
  return runCheck({ documents: [...loaded.documents, ...waived.documents], inputErrors: [...loaded.errors, ...bad.errors], inputs: loaded.inputs ?? [], now: NOW });
}

const SECRET_VALUES = ['Xq7Lr2Vt9Kp4Wm8Zb3Nc6Hd1', 'm4Jt8Rq2Wz6Xc9Vb1Nk5Lp3', 'YWRtaW4=', 'bkVyM3FXcDhaeHQ0VmIyTG1LOQ==', 'qT7vX9mR2wK5pL8zZ3'];

describe('reporters', () => {
  it('SARIF validates against the SARIF 2.1.0 JSON schema', async () => {
    // Both packages are CommonJS with a default export: the runtime value is the class/function itself.
    const Ajv = Ajv04 as unknown as typeof Ajv04.default;
    // unicodeRegExp: false because the published schema has a pattern that is invalid with the u flag.
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    (ajvFormats as unknown as typeof ajvFormats.default)(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object);
    const log = JSON.parse(reporters.sarif!(await sample(), ctx)) as unknown;
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 5))).toBe(true);
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false); // the schema does bite: a run needs its tool
  });

  it('SARIF carries rule metadata, file/line locations and suppressions with justification', async () => {
    const log = JSON.parse(reporters.sarif!(await sample(), ctx));
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    const km = run.tool.driver.rules.find((r: { id: string }) => r.id === 'WARD-KM-001');
    expect(km.properties.tags).toContain('OWASP-K8s-2025/K03');
    expect(km.properties.controls.cis1_12).toEqual({ benchmark: 'CIS Kubernetes 1.12', id: '5.4.1' });
    const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'WARD-KM-001');
    expect(result.level).toBe('error');
    // The remediation is carried once, by the rule; the result's message does not repeat it.
    expect(run.tool.driver.rules[result.ruleIndex]).toBe(km);
    expect(km.help.text).toMatch(/\S/);
    expect(result.message.text).not.toContain('Remediation:');
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'test/fixtures/openg2p-defaults/helm-render.yaml' }, region: { startLine: 171, startColumn: 15 } });
    expect(result.locations[0].logicalLocations[0].fullyQualifiedName).toBe('Deployment/dev/openg2p-odoo');
    const waived = run.results.find((r: { suppressions?: unknown[] }) => r.suppressions);
    expect(waived.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'pinned at deploy time by the release pipeline', properties: { owner: 'platform <ops&co>', expires: '2027-01-01' } }]);
    expect(run.artifacts[0]).toMatchObject({ location: { uri: 'test/fixtures/openg2p-defaults/helm-render.yaml' }, hashes: { 'sha-256': expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.artifactLocation.uri).toBe('broken.yaml');
  });

  it('JUnit is well-formed XML with one failure per open finding and skipped waived ones', async () => {
    const result = await sample();
    const xml = reporters.junit!(result, ctx);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const suites = [doc.testsuites.testsuite].flat() as { name: string; testcase: unknown }[];
    const cases = suites.flatMap((s) => [s.testcase].flat()) as { failure?: unknown; skipped?: { message: string }; error?: unknown }[];
    expect(cases.filter((c) => c.failure)).toHaveLength(result.summary.findings);
    expect(cases.filter((c) => c.skipped).map((c) => c.skipped!.message)).toEqual(['waived (annotation): pinned at deploy time by the release pipeline']);
    expect(cases.filter((c) => c.error)).toHaveLength(1);
    expect(Number(doc.testsuites.failures)).toBe(result.summary.findings);
  });

  it('JSON follows the versioned ward.check/v1 shape', async () => {
    const doc = JSON.parse(reporters.json!(await sample(), ctx));
    expect(doc.schema).toBe(JSON_SCHEMA_ID);
    expect(Object.keys(doc)).toEqual(['schema', 'tool', 'summary', 'findings', 'inputErrors', 'inputs', 'unknownKinds', 'rules']);
    expect(doc.inputs).toEqual([{ file: 'test/fixtures/openg2p-defaults/helm-render.yaml', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number) }]);
    expect(Object.keys(doc.findings[0])).toEqual(['ruleId', 'title', 'severity', 'message', 'object', 'location', 'remediation', 'controls', 'suppressed']);
    expect(doc.summary).toMatchObject({ profile: 'strict', failOn: 'high', failed: true, inputErrors: 1, suppressed: 1 });
  });

  it('text (grouped by object) colours only when asked and ends with the summary line', async () => {
    const result = await sample();
    const plain = reporters.text!(result, { ...ctx, groupBy: 'object' });
    expect(plain).not.toContain('\x1b[');
    expect(plain).toContain('Deployment dev/openg2p-odoo  test/fixtures/openg2p-defaults/helm-render.yaml\n');
    expect(plain).toContain('INPUT ERROR broken.yaml:2:1: YAML syntax error');
    expect(plain).toContain('waiver (annotation): pinned at deploy time by the release pipeline [owner platform <ops&co>, expires 2027-01-01]');
    expect(plain.trimEnd().split('\n').at(-1)).toMatch(/^ward policy-check: \d+ findings \(3 critical, \d+ high, \d+ medium, \d+ low\), 1 waived, 1 input errors; 15 objects, \d+ rules, profile strict; input errors: exit 2$/);
    expect(reporters.text!(result, { ...ctx, color: true })).toContain('\x1b[1;31mCRITICAL');
  });

  it.each(['text', 'json', 'sarif', 'junit'])('%s never contains a Secret value from the input', async (name) => {
    const out = reporters[name]!(await sample(), ctx);
    for (const v of SECRET_VALUES) expect(out).not.toContain(v);
  });
});
