/**
 * SARIF 2.1.0 reporter: rule metadata (with control mappings), results with file/line and a logical
 * location naming the object (the remediation once per rule, in its help text), suppressions with their justification, input errors as tool
 * execution notifications; run properties: the profile, unknown kinds, the workloads taken as holding personal data and why. Validated against the SARIF 2.1.0 JSON schema in tests.
 */
import type { Log, ReportingDescriptor, Result } from 'sarif';
import type { Finding, Rule, Severity } from '../types.js';
import type { InputError } from '../load/types.js';
import type { Reporter } from './types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Readonly<Record<Severity, Result.level>> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub code scanning's numeric severity. */
const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' };

function uri(file: string): string {
  return encodeURI(file.replaceAll('\\', '/'));
}

function descriptor(r: Rule): ReportingDescriptor {
  const tags = ['security', `ward/${r.id.split('-')[1] ?? ''}`];
  if (r.controls.owasp2025) tags.push(`OWASP-K8s-2025/${r.controls.owasp2025}`);
  if (r.controls.cis1_12) tags.push(`CIS-K8s-1.12/${r.controls.cis1_12.id}`);
  return {
    id: r.id,
    name: r.title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')).replace(/^./, (c) => c.toUpperCase()),
    shortDescription: { text: r.title },
    fullDescription: { text: r.rationale },
    help: { text: r.remediation },
    defaultConfiguration: { level: LEVEL[r.severity] },
    properties: { tags, 'security-severity': SECURITY_SEVERITY[r.severity], severity: r.severity, controls: r.controls },
  };
}

/** The remediation lives once in the rule's `help`; a result repeats it only when it differs from its rule's. */
function result(f: Finding, ruleIndex: number, rule: Rule | undefined): Result {
  const name = f.object.namespace ? `${f.object.kind}/${f.object.namespace}/${f.object.name}` : `${f.object.kind}/${f.object.name}`;
  const physical = f.location ? { physicalLocation: { artifactLocation: { uri: uri(f.location.file) }, region: { startLine: f.location.line, startColumn: f.location.column } } } : {};
  const res: Result = {
    ruleId: f.ruleId,
    level: LEVEL[f.severity],
    message: { text: rule && rule.remediation === f.remediation ? f.message : `${f.message}. Remediation: ${f.remediation}` },
    locations: [{ ...physical, logicalLocations: [{ fullyQualifiedName: name, kind: 'resource' }] }],
    properties: { severity: f.severity, object: f.object, ...(f.location?.helmSource ? { helmSource: f.location.helmSource } : {}) },
  };
  if (ruleIndex >= 0) res.ruleIndex = ruleIndex;
  if (f.suppressed) {
    const s = f.suppressed;
    res.suppressions = [{
      kind: s.by === 'annotation' ? 'inSource' : 'external',
      status: 'accepted',
      justification: s.reason,
      properties: { ...(s.owner ? { owner: s.owner } : {}), ...(s.expires ? { expires: s.expires } : {}) },
    }];
  }
  return res;
}

function notification(e: InputError): NonNullable<NonNullable<Log['runs'][number]['invocations']>[number]['toolExecutionNotifications']>[number] {
  return {
    level: 'error',
    message: { text: e.message },
    descriptor: { id: `input/${e.code}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(e.file) }, region: { startLine: e.line, startColumn: e.column } } }],
  };
}

export const renderSarif: Reporter = (res, ctx) => {
  const index = new Map(res.rules.map((r, i) => [r.id, i]));
  const log: Log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'ward', semanticVersion: ctx.toolVersion, version: ctx.toolVersion, informationUri: 'https://github.com/openg2p', rules: res.rules.map(descriptor) } },
      artifacts: res.inputs.map((i) => ({ location: { uri: uri(i.file) }, length: i.bytes, hashes: { 'sha-256': i.sha256 } })),
      invocations: [{ executionSuccessful: res.inputErrors.length === 0, toolExecutionNotifications: res.inputErrors.map(notification) }],
      results: res.findings.map((f) => {
        const i = index.get(f.ruleId) ?? -1;
        return result(f, i, res.rules[i]);
      }),
      properties: { profile: res.summary.profile, unknownKinds: res.unknownKinds, personalData: res.summary.personalData },
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
