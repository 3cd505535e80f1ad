/** JSON reporter: the versioned `ward.check/v1` document (schema in docs/check.md). */
import type { Reporter } from './types.js';

export const JSON_SCHEMA_ID = 'ward.check/v1';

export const renderJson: Reporter = (result, ctx) => {
  const byId = new Map(result.rules.map((r) => [r.id, r]));
  const doc = {
    schema: JSON_SCHEMA_ID,
    tool: { name: 'ward', version: ctx.toolVersion },
    summary: result.summary,
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      title: byId.get(f.ruleId)?.title ?? f.ruleId,
      severity: f.severity,
      message: f.message,
      object: f.object,
      location: f.location ?? null,
      remediation: f.remediation,
      controls: byId.get(f.ruleId)?.controls ?? {},
      suppressed: f.suppressed ?? null,
    })),
    inputErrors: result.inputErrors,
    inputs: result.inputs,
    unknownKinds: result.unknownKinds,
    rules: result.rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity, rationale: r.rationale, remediation: r.remediation, controls: r.controls })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
};
