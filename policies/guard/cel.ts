/**
 * CEL building blocks shared by the rules that `ward guard` exports: the workload resources and
 * their pod spec, "every container" loops (init and ephemeral included, as the TypeScript checks),
 * and the waiver annotation. Strings only: the API server compiles and runs them.
 */
import type { CelExport, CelResources } from '../types.js';

/** A CEL string literal (single-quoted, backslashes and quotes escaped). */
export function celString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** A CEL list of string literals. */
export function celStrings(list: readonly string[]): string {
  return `[${list.map(celString).join(', ')}]`;
}

/** The workload kinds the audit reads a pod template from (policies/index/workloads.ts WORKLOAD_KINDS), less ReplicationController (its template is optional). */
export const WORKLOAD_RESOURCES: readonly CelResources[] = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'] },
];

/** `variables.podSpec` (and the pod template's annotations) of any workload kind. */
export const WORKLOAD_VARIABLES: readonly { name: string; expression: string }[] = [
  { name: 'template', expression: "object.kind == 'Pod' ? object : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template" },
  { name: 'podSpec', expression: 'variables.template.spec' },
];

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** CEL: `pred` (over `c`) holds for every container of the listed kinds (all three by default). */
export function everyContainer(pred: string, lists: readonly ContainerList[] = CONTAINER_LISTS): string {
  return lists.map((l) => `(!has(variables.podSpec.${l}) || variables.podSpec.${l}.all(c, ${pred}))`).join(' && ');
}

/** CEL: the container's securityContext field, else the pod's, else `fallback` (pod-level inheritance). */
export function effective(field: string, fallback: string): string {
  return `c.?securityContext.?${field}.orValue(variables.podSpec.?securityContext.?${field}.orValue(${fallback}))`;
}

const WAIVE = 'ward.g2p.dev/waive';

/**
 * CEL over one annotation value (`a`, a string): a line names `ruleId` and gives a reason, as
 * policies/waivers.ts reads it (`RULE: reason; expires=…; owner=…`, one waiver per line, the reason
 * being any `;` part that is not expires= or owner=). Expiry is not checked: CEL has no clock.
 */
function waiverLine(ruleId: string, a: string): string {
  const rest = "l.trim().substring(l.trim().indexOf(':') + 1)";
  const reason = `${rest}.split(';').exists(p, p.trim() != '' && !p.trim().matches('(?i)^(expires|owner)\\\\s*='))`;
  return `${a}.split('\\n').exists(l, l.trim().matches(${celString(`^${ruleId}\\s*:`)}) && ${reason})`;
}

/** CEL: the object (or, for a workload, its pod template) waives `ruleId` with a reason. */
export function waived(ruleId: string, workload: boolean): string {
  const own = waiverLine(ruleId, `object.metadata.?annotations[?${celString(WAIVE)}].orValue('')`);
  if (!workload) return own;
  return `${own} || ${waiverLine(ruleId, `variables.template.metadata.?annotations[?${celString(WAIVE)}].orValue('')`)}`;
}

/** The CEL export of a rule over workloads: `expression` (true when the pod template passes) on every workload kind. */
export function workloadCel(message: string, expression: string, extra: Partial<Pick<CelExport, 'covers' | 'leavesToCheck'>> = {}): CelExport {
  return { resources: WORKLOAD_RESOURCES, variables: WORKLOAD_VARIABLES, message, expression: () => expression, ...extra };
}
