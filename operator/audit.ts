import type { KubeObject } from '../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../charts-src/model/index.js';
import { runCheck } from '../policies/engine.js';
import { useSpecParser } from '../policies/flows/spec-parser.js';
import { builtinProfile } from '../policies/profiles.js';
import { SEVERITIES } from '../policies/types.js';
import { ConditionType, Reason, type ConditionResult } from './conditions.js';

// The operator loads the spec model anyway: the FLOW rules get its parser without a lazy import.
useSpecParser(parseRegistrySpec);

/**
 * AuditPassed: the `ward check` rules (strict profile) over the live objects ward applied for this
 * RegistryDeployment — the same engine as CI and auditors, so a finding means the same everywhere.
 * Drift that survives a reconcile (another field manager adding something ward does not own) shows
 * up here. Pure: the clock is passed in.
 */
export function auditCondition(objects: readonly KubeObject[], spec: RegistrySpec, now: Date): ConditionResult {
  const result = runCheck({ objects, now, profile: builtinProfile('strict'), defaultNamespace: spec.namespace, meshRootNamespace: spec.mesh.rootNamespace });
  const open = result.findings.filter((f) => !f.suppressed);
  const type = ConditionType.AuditPassed;
  if (open.length === 0) {
    const waived = result.summary.suppressed > 0 ? ` (${String(result.summary.suppressed)} waived)` : '';
    return { type, status: 'True', reason: Reason.NoFindings, message: `ward check --profile strict: no findings over ${String(objects.length)} objects${waived}` };
  }
  const counts = SEVERITIES.filter((s) => result.summary.bySeverity[s] > 0).map((s) => `${s}: ${String(result.summary.bySeverity[s])}`).join(', ');
  const worst = [...open].sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity))[0];
  const worstText = worst ? `; worst: ${worst.ruleId} (${worst.severity}) ${worst.message}` : '';
  return { type, status: 'False', reason: Reason.Findings, message: `${String(open.length)} finding${open.length === 1 ? '' : 's'} (${counts})${worstText}` };
}
