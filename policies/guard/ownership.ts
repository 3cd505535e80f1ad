/**
 * The ownership guard: in the namespaces a RegistryDeployment manages, only the operator's service
 * account may create, change or delete what carries ward's owner label (WARD-GUARD-001), and nobody
 * else may add a NetworkPolicy, PeerAuthentication or AuthorizationPolicy that widens access
 * without it (WARD-GUARD-002). Decided on `request.userInfo` and the object's labels; the audit
 * cannot see who made a change, so these live in the guard only (not in the rule catalogue).
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { Labels } from '../../charts-src/kube.js';
import { celString } from './cel.js';

export const GUARD_OWNED_CHANGED = 'WARD-GUARD-001';
export const GUARD_UNOWNED_WIDENING = 'WARD-GUARD-002';

/** The operator's identity (deploy/operator.yaml: ward-system/ward-operator). */
export interface OperatorIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
}

export const DEFAULT_OPERATOR: OperatorIdentity = { namespace: 'ward-system', serviceAccount: 'ward-operator' };

/** The kinds ward synthesises into a stack's namespaces (charts-src/synthesize.ts KIND_ORDER). */
const OWNED_RESOURCES = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['serviceaccounts', 'configmaps', 'services'] },
  { apiGroups: ['security.istio.io'], apiVersions: ['*'], resources: ['peerauthentications', 'authorizationpolicies'] },
  { apiGroups: ['networking.istio.io'], apiVersions: ['*'], resources: ['sidecars', 'serviceentries'] },
  { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['networkpolicies'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments', 'daemonsets'] },
];

const POLICY_RESOURCES = [
  { apiGroups: ['security.istio.io'], apiVersions: ['*'], resources: ['peerauthentications', 'authorizationpolicies'] },
  { apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], resources: ['networkpolicies'] },
];

/** Kubernetes controllers that delete what they find in a namespace being deleted, or orphaned objects. */
const CLEANUP_USERS = ['system:serviceaccount:kube-system:namespace-controller', 'system:serviceaccount:kube-system:generic-garbage-collector'];

const owned = (v: string): string => `(${v} != null && has(${v}.metadata.labels) && ${celString(Labels.owner)} in ${v}.metadata.labels)`;

/** CEL: the object widens access (an allow rule, an ALLOW authorization rule, mTLS weaker than STRICT). */
const WIDENS = [
  "object.kind == 'NetworkPolicy' ? ((has(object.spec.ingress) && size(object.spec.ingress) > 0) || (has(object.spec.egress) && size(object.spec.egress) > 0))",
  ": !has(object.spec) ? false",
  ": object.kind == 'AuthorizationPolicy' ? (object.spec.?action.orValue('ALLOW') == 'ALLOW' && has(object.spec.rules) && size(object.spec.rules) > 0)",
  ": (object.spec.?mtls.?mode.orValue('') in ['PERMISSIVE', 'DISABLE'] || (has(object.spec.portLevelMtls) && object.spec.portLevelMtls.exists(k, object.spec.portLevelMtls[k].?mode.orValue('') in ['PERMISSIVE', 'DISABLE'])))",
].join(' ');

const WHO = "request.userInfo.username + ' ' + request.operation.lowerAscii() + 's ' + (object != null ? object : oldObject).kind + ' ' + request.namespace + '/' + request.name";

interface PolicyInput {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly operator: OperatorIdentity;
}

interface Check {
  readonly resources: typeof OWNED_RESOURCES;
  readonly operations: string[];
  readonly expression: string;
  readonly id: string;
  readonly what: string;
}

function policy(input: PolicyInput, { resources, operations, expression, id, what }: Check): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy',
    metadata: { name: input.name, labels: { ...input.labels }, annotations: { 'ward.g2p.dev/rule': id } },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: { resourceRules: resources.map((r) => ({ ...r, operations })) },
      variables: [{ name: 'operator', expression: celString(`system:serviceaccount:${input.operator.namespace}:${input.operator.serviceAccount}`) }],
      validations: [{ expression, message: `${id}: ${what}`, messageExpression: `${celString(`${id}: `)} + ${WHO} + ${celString(`: ${what}`)}`, reason: 'Forbidden' }],
    },
  };
}

/** The two ownership policies for an owner's guard (names end in the ids, lower-cased). */
export function ownershipPolicies(prefix: string, labels: Readonly<Record<string, string>>, operator: OperatorIdentity): KubeObject[] {
  const isOperator = 'request.userInfo.username == variables.operator';
  const cleanup = `(request.operation == 'DELETE' && request.userInfo.username in [${CLEANUP_USERS.map(celString).join(', ')}])`;
  return [
    policy({ name: `${prefix}.${GUARD_OWNED_CHANGED.toLowerCase()}`, labels, operator }, {
      resources: OWNED_RESOURCES, operations: ['CREATE', 'UPDATE', 'DELETE'], id: GUARD_OWNED_CHANGED,
      expression: `${isOperator} || ${cleanup} || !(${owned('object')} || ${owned('oldObject')})`,
      what: `the object carries ward's owner label ${Labels.owner}: only the ward operator (field manager ward-operator) may change it; change the RegistryDeployment instead`,
    }),
    policy({ name: `${prefix}.${GUARD_UNOWNED_WIDENING.toLowerCase()}`, labels, operator }, {
      resources: POLICY_RESOURCES, operations: ['CREATE', 'UPDATE'], id: GUARD_UNOWNED_WIDENING,
      expression: `${isOperator} || ${owned('object')} || !(${WIDENS})`,
      what: 'a policy that widens access (allow rules, an ALLOW authorization rule, mTLS weaker than STRICT) is added without ward\'s owner label: declare the flow in the RegistryDeployment',
    }),
  ];
}
