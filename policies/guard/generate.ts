/**
 * `ward guard`: the rules that carry CEL (policies/rules/*.ts, `cel:` next to each check) as
 * ValidatingAdmissionPolicies, one per rule and RegistryDeployment, each with a binding scoped to the
 * namespaces the RegistryDeployment manages. `guard: enforce` in the spec binds with Deny + Audit,
 * anything else with Warn + Audit. Pure and deterministic: same spec, same objects.
 */
import { ownerLabels, type Owner } from '../../charts-src/constructs/common.js';
import { WellKnownLabels, type KubeObject } from '../../charts-src/kube.js';
import type { RegistrySpec } from '../../charts-src/model/index.js';
import { rules as catalogue } from '../rules/index.js';
import type { CelExport, GuardParams, Rule } from '../types.js';
import { celString, waived, WORKLOAD_RESOURCES } from './cel.js';
import { DEFAULT_OPERATOR, ownershipPolicies, type OperatorIdentity } from './ownership.js';

export const ADMISSION_API_VERSION = 'admissionregistration.k8s.io/v1';
export const GUARD_POLICY_KIND = 'ValidatingAdmissionPolicy';
export const GUARD_BINDING_KIND = 'ValidatingAdmissionPolicyBinding';

/** A rule that can be exported, with its CEL. */
export type ExportableRule = Rule & { readonly cel: CelExport };

/** Every rule of the catalogue that carries CEL, in catalogue order. */
export function exportableRules(registry: ReadonlyMap<string, Rule> = catalogue): ExportableRule[] {
  return [...registry.values()].filter((r): r is ExportableRule => r.cel !== undefined);
}

/** Why a requested rule cannot be exported: unknown id, or a rule without CEL. */
export interface GuardIssue {
  readonly code: 'unknown-rule' | 'no-cel';
  readonly ruleId: string;
  readonly message: string;
}

/** The rules a `--rules` list names, or the issues (every one, reported at once). Pure. */
export function selectRules(ids: readonly string[] | undefined, registry: ReadonlyMap<string, Rule> = catalogue): { rules: ExportableRule[]; issues: GuardIssue[] } {
  const all = exportableRules(registry);
  if (ids === undefined) return { rules: all, issues: [] };
  const issues: GuardIssue[] = [];
  const picked: ExportableRule[] = [];
  for (const id of ids) {
    const rule = registry.get(id);
    if (!rule) issues.push({ code: 'unknown-rule', ruleId: id, message: `${id} is not a rule of the catalogue (ward check --list-rules lists them)` });
    else if (!rule.cel) issues.push({ code: 'no-cel', ruleId: id, message: `${id} (${rule.title}) has no CEL (docs/guard.md, "Rules not exported", says why): ward check and the operator's audit find it; exportable: ${all.map((r) => r.id).join(', ')}` });
    else if (!picked.includes(rule as ExportableRule)) picked.push(rule as ExportableRule);
  }
  return { rules: picked, issues };
}

/** The namespaces a RegistryDeployment manages: its own, its components', the WireGuard gateway's. Sorted. */
export function managedNamespaces(spec: RegistrySpec): string[] {
  const set = new Set<string>([spec.namespace, ...spec.components.map((c) => c.namespace ?? spec.namespace)]);
  if (spec.wireguard?.enabled) set.add(spec.wireguard.namespace);
  return [...set].sort();
}

/** What the CEL needs to know of the stack. */
export function guardParams(spec: RegistrySpec): GuardParams {
  return {
    meshRootNamespace: spec.mesh.rootNamespace,
    gatewaySelectors: [spec.mesh.ingressGateway.selector],
    ...(spec.wireguard?.enabled ? { wireguardNamespace: spec.wireguard.namespace } : {}),
  };
}

/** Name of the policy (and its binding) of `ruleId` for an owner: `ward-guard.<namespace>.<name>.<rule id>`. */
export function guardPolicyName(owner: Owner, ruleId: string): string {
  return `ward-guard.${owner.namespace}.${owner.name}.${ruleId.toLowerCase()}`;
}

const OBJECT_NAME = "object.kind + ' ' + object.metadata.?namespace.orValue('') + '/' + object.metadata.?name.orValue(object.metadata.?generateName.orValue(''))";

/** The ValidatingAdmissionPolicy of one rule. */
export function guardPolicy(rule: ExportableRule, params: GuardParams, owner: Owner, labels: Readonly<Record<string, string>>): KubeObject {
  const workload = rule.cel.resources === WORKLOAD_RESOURCES;
  // Short: the API server keeps at most 4 KiB of Warning headers per response (longer ones are cut).
  const message = `${rule.id}: ${rule.cel.message}`;
  return {
    apiVersion: ADMISSION_API_VERSION, kind: GUARD_POLICY_KIND,
    metadata: { name: guardPolicyName(owner, rule.id), labels: { ...labels }, annotations: { 'ward.g2p.dev/rule': rule.id, 'ward.g2p.dev/title': rule.title } },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: rule.cel.resources.map((r) => ({ apiGroups: [...r.apiGroups], apiVersions: [...r.apiVersions], resources: [...r.resources], operations: ['CREATE', 'UPDATE'] })) },
      // A pod (or ReplicaSet, Job) a controller made is judged through the controller's template.
      ...(workload ? { matchConditions: [{ name: 'not-controlled', expression: '!has(object.metadata.ownerReferences) || !object.metadata.ownerReferences.exists(r, r.?controller.orValue(false))' }] } : {}),
      ...(rule.cel.variables ? { variables: rule.cel.variables.map((v) => ({ ...v })) } : {}),
      validations: [{
        expression: `(${waived(rule.id, workload)}) || (${rule.cel.expression(params)})`,
        message,
        messageExpression: `${celString(`${rule.id}: `)} + ${OBJECT_NAME} + ${celString(`: ${rule.cel.message}`)}`,
        reason: 'Invalid',
      }],
    },
  };
}

/** The binding of a policy to the namespaces, with the spec's validation actions. */
export function guardBinding(policyName: string, namespaces: readonly string[], enforce: boolean, labels: Readonly<Record<string, string>>): KubeObject {
  return {
    apiVersion: ADMISSION_API_VERSION, kind: GUARD_BINDING_KIND,
    metadata: { name: policyName, labels: { ...labels } },
    spec: {
      policyName,
      validationActions: enforce ? ['Deny', 'Audit'] : ['Warn', 'Audit'],
      matchResources: { namespaceSelector: { matchExpressions: [{ key: WellKnownLabels.namespaceName, operator: 'In', values: [...namespaces] }] } },
    },
  };
}

export interface GuardOptions {
  /** @default { namespace: spec.namespace, name: spec.release } (as synthesis labels its output) */
  readonly owner?: Owner;
  /** Rules to export. @default every rule with CEL */
  readonly rules?: readonly ExportableRule[];
  /** Also the ownership guard (WARD-GUARD-001/002). @default true */
  readonly ownership?: boolean;
  /** Who may change ward-owned objects. @default ward-system/ward-operator (deploy/operator.yaml) */
  readonly operator?: OperatorIdentity;
}

/** The policies and bindings of a spec: policy, binding, policy, binding … in catalogue order. */
export function guardObjects(spec: RegistrySpec, options: GuardOptions = {}): KubeObject[] {
  const owner = options.owner ?? { namespace: spec.namespace, name: spec.release };
  const labels = ownerLabels(spec, { owner });
  const params = guardParams(spec);
  const namespaces = managedNamespaces(spec);
  const enforce = spec.guard === 'enforce';
  const policies = (options.rules ?? exportableRules()).map((rule) => guardPolicy(rule, params, owner, labels));
  if (options.ownership ?? true) policies.push(...ownershipPolicies(`ward-guard.${owner.namespace}.${owner.name}`, labels, options.operator ?? DEFAULT_OPERATOR));
  return policies.flatMap((policy) => [policy, guardBinding(policy.metadata.name, namespaces, enforce, labels)]);
}
