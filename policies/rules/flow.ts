/**
 * FLOW: intended vs effective connectivity. With a RegistryDeployment among the objects, the flow
 * engine computes what NetworkPolicy AND Istio actually allow between the workloads (components
 * whose namespace holds no workload get a placeholder from the spec) and compares it with the
 * declared flows. A component that selects nothing in a namespace with workloads is a finding of its
 * own (WARD-FLOW-004), and its declared flows are blocked.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import type { RegistrySpec } from '../../charts-src/model/index.js';
import { GATEWAY, intentDiff, OTHER, OUTSIDE, PLACEHOLDER_ANNOTATION, registryDeployments, unmatchedComponents, type IntentDiff, type UnmatchedComponent } from '../flows/intent.js';
import { analyzeInputs, withPlaceholders } from '../flows/report.js';
import type { FlowNode, WorkloadNode } from '../flows/nodes.js';
import { arr, rec, str } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { FieldPath } from '../load/types.js';
import { type Finding, type Rule } from '../types.js';
import { cis, defineRule, NSA } from './util.js';

export const FLOW_UNDECLARED_ALLOWED = 'WARD-FLOW-001';
export const FLOW_DECLARED_BLOCKED = 'WARD-FLOW-002';
export const FLOW_PERSONAL_DATA_EXPOSED = 'WARD-FLOW-003';
export const FLOW_COMPONENT_SELECTS_NOTHING = 'WARD-FLOW-004';

interface Evaluated {
  readonly spec: RegistrySpec;
  readonly rd: KubeObject;
  readonly diff: IntentDiff;
  /** Components selecting no workload in a namespace that holds workloads. */
  readonly unmatched: readonly UnmatchedComponent[];
}

const memo = new WeakMap<ObjectIndex, Evaluated[]>();

/** The intent diff of every RegistryDeployment in the index, computed once per index. */
export function evaluateIntent(index: ObjectIndex): Evaluated[] {
  const hit = memo.get(index);
  if (hit) return hit;
  const out = registryDeployments(index).map(({ spec, rd }): Evaluated => {
    const analysis = analyzeInputs(withPlaceholders(index, spec), 'both');
    return { spec, rd, diff: intentDiff(spec, analysis), unmatched: unmatchedComponents(spec, index) };
  });
  memo.set(index, out);
  return out;
}

function isPlaceholder(n: WorkloadNode): boolean {
  return n.workload.object.metadata.annotations?.[PLACEHOLDER_ANNOTATION] !== undefined;
}

/** The object a finding about `node` points at: the workload, or the RegistryDeployment for a placeholder. */
function subject(index: ObjectIndex, node: FlowNode, rd: KubeObject): { obj: KubeObject; index: ObjectIndex } {
  return node.type === 'workload' && !isPlaceholder(node) ? { obj: node.workload.object, index } : { obj: rd, index };
}

function finding(index: ObjectIndex, rule: Rule, obj: KubeObject, message: string, at: { severity?: Finding['severity']; path?: FieldPath } | Finding['severity'] = {}): Finding {
  const { severity = rule.severity, path = [] } = typeof at === 'string' ? { severity: at } : at;
  const location = index.locate(obj, path);
  return { ruleId: rule.id, severity, message, object: index.ref(obj), ...(location ? { location } : {}), remediation: rule.remediation };
}

/** A matrix row in words: a component name, or where the connection comes from. */
function source(from: string): string {
  if (from === OUTSIDE) return 'outside the cluster';
  if (from === OTHER) return 'a workload that is no component';
  if (from === GATEWAY) return 'the ingress gateway';
  return `component ${from}`;
}

const personal = (spec: RegistrySpec, name: string): boolean => spec.components.some((c) => c.name === name && c.personalData);

const undeclaredAllowed: Rule = defineRule({
  id: FLOW_UNDECLARED_ALLOWED,
  title: 'Undeclared connection allowed',
  severity: 'high',
  rationale: 'The spec lists every intended flow; anything else NetworkPolicy and Istio let through is an unreviewed path, to personal data in the worst case.',
  remediation: 'If the connection is intended, add it to the spec\'s flows; otherwise tighten the destination\'s NetworkPolicy ingress (and the source\'s egress) and its AuthorizationPolicy ALLOW rules. `ward flows --explain SRC DST PORT` names the rules that allow it.',
  controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => evaluateIntent(index).flatMap(({ spec, rd, diff }) => [
    ...diff.undeclaredEdges.map(({ edge, from, to, conn }) => {
      const s = subject(index, edge.dst, rd);
      const pd = personal(spec, to);
      return finding(s.index, undeclaredAllowed, s.obj,
        `Undeclared connection allowed: ${edge.src.id} => ${edge.dst.id} : ${conn.toString()} (from ${source(from)} to component ${to}${pd ? ', which holds personal data' : ''}); no flow of RegistryDeployment ${spec.namespace} declares it`,
        pd ? 'critical' : undeclaredAllowed.severity);
    }),
    ...diff.undeclaredEgress.map(({ from, edge }) => {
      const s = subject(index, edge.src, rd);
      return finding(s.index, undeclaredAllowed, s.obj,
        `Undeclared connection allowed: ${edge.src.id} => ${edge.dst.id} : ${edge.conn.union(edge.partial).toString()} (from component ${from} to outside the cluster); no cidr flow of RegistryDeployment ${spec.namespace} declares it`);
    }),
  ]),
});

const declaredBlocked: Rule = defineRule({
  id: FLOW_DECLARED_BLOCKED,
  title: 'Declared flow blocked',
  severity: 'medium',
  rationale: 'A flow the spec declares but the effective policy blocks breaks the registry at run time, and is often "fixed" by opening far more than needed.',
  remediation: 'Allow the flow in the source\'s egress and the destination\'s ingress NetworkPolicy and in the destination\'s AuthorizationPolicy (ward synth generates all three); `ward flows --explain SRC DST PORT` names what blocks it.',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => evaluateIntent(index).flatMap(({ spec, rd, diff, unmatched }) =>
    diff.blockedFlows.map((b) => finding(index, declaredBlocked, rd,
      `Declared flow ${b.from === GATEWAY ? 'ingress gateway' : b.from} → ${b.to} is blocked on ${b.conn.toString()} by the effective NetworkPolicy/Istio policy (RegistryDeployment ${spec.namespace})${unmatchedEnds(unmatched, b.from, b.to)}`))),
});

/** "; component X selects no workload …" for the ends of a blocked flow that select nothing. */
function unmatchedEnds(unmatched: readonly UnmatchedComponent[], from: string, to: string): string {
  const names = unmatched.map((u) => u.component.name).filter((n) => n === from || n === to);
  return names.map((n) => `; component ${n} selects no workload in the input (${FLOW_COMPONENT_SELECTS_NOTHING})`).join('');
}

const labelText = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');

/** How many workloads the message names before "and N more". */
const LISTED_WORKLOADS = 12;

/** The message of WARD-FLOW-004 (also printed by `ward flows --spec`). */
export function unmatchedComponentMessage(spec: RegistrySpec, u: UnmatchedComponent): string {
  const names = u.workloads.map((w) => `${w.ref.name}[${w.ref.kind}]`);
  const listed = names.length > LISTED_WORKLOADS ? `${names.slice(0, LISTED_WORKLOADS).join(', ')} and ${String(names.length - LISTED_WORKLOADS)} more` : names.join(', ');
  const hint = u.suggestion ? `; did you mean ${labelText(u.suggestion.labels)} (the pods of ${u.suggestion.workload.ref.name}[${u.suggestion.workload.ref.kind}])?` : '';
  return `Component ${u.component.name} of RegistryDeployment ${spec.namespace} selects no workload (selector ${labelText(u.component.selector)}); workloads in ${u.namespace}: ${listed}${hint}`;
}

/** Path of a component's selector in the RegistryDeployment, when the document states it (a preset's components are not in the document). */
function selectorPath(rd: KubeObject, name: string): FieldPath {
  const comps = arr(rec(rd.spec).components);
  const i = comps.findIndex((c) => str(rec(c).name) === name);
  if (i < 0) return [];
  return rec(comps[i]).selector !== undefined ? ['spec', 'components', i, 'selector'] : ['spec', 'components', i];
}

const selectsNothing: Rule = defineRule({
  id: FLOW_COMPONENT_SELECTS_NOTHING,
  title: 'Component selects no workload',
  severity: 'high',
  rationale: 'The spec\'s NetworkPolicies and AuthorizationPolicies select a component by its labels; when no pod carries them, the real pods get none of the declared flows (only default-deny) and every check of the component checks nothing.',
  remediation: 'Set the component\'s selector to the pod template labels of its workload (the finding names the closest label set), or label the pods; then re-synthesise.',
  controls: { nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => evaluateIntent(index).flatMap(({ spec, rd, unmatched }) => unmatched.map((u) =>
    finding(index, selectsNothing, rd, unmatchedComponentMessage(spec, u), { path: selectorPath(rd, u.component.name) }))),
});

const personalExposed: Rule = defineRule({
  id: FLOW_PERSONAL_DATA_EXPOSED,
  title: 'Personal data reachable from outside its namespace or the cluster',
  severity: 'high',
  rationale: 'A workload holding personal data should be reachable only through declared flows from its own stack; a path from another namespace or from outside the cluster bypasses the registry\'s access control.',
  remediation: 'Isolate the workload with a default-deny ingress NetworkPolicy and an allow-nothing AuthorizationPolicy in its namespace, then allow only the declared flows (ward synth does this).',
  controls: { cis1_12: cis('5.3.2'), nsa: NSA.networkPolicies, owasp2025: 'K05' },
  check: (index) => evaluateIntent(index).flatMap(({ spec, rd, diff }) => {
    const out: Finding[] = [];
    const seen = new Set<string>();
    for (const { edge, from, to, conn } of diff.undeclaredEdges) {
      if (!personal(spec, to) || edge.dst.type !== 'workload') continue;
      const outside = from === OUTSIDE;
      const otherNs = edge.src.type === 'workload' && edge.src.namespace !== edge.dst.namespace;
      if (!outside && !otherNs) continue;
      const key = `${edge.dst.id}\u0000${outside ? 'outside' : edge.src.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const s = subject(index, edge.dst, rd);
      const where = outside ? `outside the cluster (${edge.src.id})` : `namespace ${edge.src.type === 'workload' ? edge.src.namespace : ''} (${edge.src.id})`;
      out.push(finding(s.index, personalExposed, s.obj, `${edge.dst.id} (component ${to}) holds personal data and is reachable from ${where} on ${conn.toString()}`, outside ? 'critical' : personalExposed.severity));
    }
    return out;
  }),
});

export const flowRules: readonly Rule[] = [undeclaredAllowed, declaredBlocked, personalExposed, selectsNothing];
