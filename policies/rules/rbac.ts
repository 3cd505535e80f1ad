/**
 * RBAC: wildcards, cluster-wide read of Secrets, bind/escalate/impersonate, and cluster-admin bound
 * to service accounts. Kubernetes' own bootstrap roles (label kubernetes.io/bootstrapping:
 * rbac-defaults, names system:*) are not reported.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str, strMap, strs, type Rec } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import type { Finding, Rule } from '../types.js';
import { cis, defineRule, findingOf, NSA } from './util.js';

export const RBAC_WILDCARD = 'WARD-RBAC-001';
export const RBAC_SECRETS_CLUSTER_WIDE = 'WARD-RBAC-002';
export const RBAC_ESCALATION_VERBS = 'WARD-RBAC-003';
export const RBAC_CLUSTER_ADMIN_SA = 'WARD-RBAC-004';

function isBootstrap(obj: KubeObject): boolean {
  return strMap(obj.metadata.labels)['kubernetes.io/bootstrapping'] === 'rbac-defaults' || obj.metadata.name.startsWith('system:');
}

function roles(index: ObjectIndex, kinds: readonly string[] = ['Role', 'ClusterRole']): KubeObject[] {
  return kinds.flatMap((k) => index.ofKind(k)).filter((r) => !isBootstrap(r));
}

const label = (index: ObjectIndex, r: KubeObject): string => (index.namespaceOf(r) ? `${r.kind} ${index.namespaceOf(r) ?? ''}/${r.metadata.name}` : `${r.kind} ${r.metadata.name}`);

type RuleCheck = (rule: Rec) => string | undefined;

function perPolicyRule(meta: () => Rule, kinds: readonly string[], check: RuleCheck) {
  return (index: ObjectIndex): Finding[] => roles(index, kinds).flatMap((r) => recs(r.rules).flatMap((pr, i) => {
    const what = check(pr);
    return what ? [findingOf(index, meta(), r, `${label(index, r)} rule ${String(i)} ${what}`, { path: ['rules', i] })] : [];
  }));
}

const wildcard: Rule = defineRule({
  id: RBAC_WILDCARD, title: 'Wildcard in RBAC rule', severity: 'high',
  rationale: '"*" in verbs, resources or apiGroups grants everything present and future, including resources added later by CRDs.',
  remediation: 'List the exact apiGroups, resources and verbs needed.',
  controls: { cis1_12: cis('5.1.3'), nsa: NSA.authz, owasp2025: 'K02' },
  check: perPolicyRule(() => wildcard, ['Role', 'ClusterRole'], (pr) => {
    const fields = (['verbs', 'resources', 'apiGroups'] as const).filter((f) => strs(pr[f]).includes('*'));
    return fields.length ? `uses "*" in ${fields.join(', ')}: list what is needed` : undefined;
  }),
});

const READ = ['get', 'list', 'watch', '*'];

function grantsSecretRead(pr: Rec): boolean {
  const groups = strs(pr.apiGroups);
  const resources = strs(pr.resources);
  return (groups.includes('') || groups.includes('*')) && (resources.includes('secrets') || resources.includes('*'))
    && strs(pr.verbs).some((v) => v === 'list' || v === 'watch' || v === '*') && strs(pr.resourceNames).length === 0;
}

const secretsClusterWide: Rule = defineRule({
  id: RBAC_SECRETS_CLUSTER_WIDE, title: 'Secrets readable cluster-wide', severity: 'high',
  rationale: 'list/watch on Secrets in a ClusterRole returns every Secret value in every namespace it is bound for: the registry\'s database and key-manager credentials included.',
  remediation: 'Grant get on named Secrets (resourceNames) in a namespaced Role instead; for metadata-only auditing keep a governed waiver.',
  controls: { cis1_12: cis('5.1.2'), nsa: NSA.authz, owasp2025: 'K02' },
  check: perPolicyRule(() => secretsClusterWide, ['ClusterRole'], (pr) => grantsSecretRead(pr)
    ? `grants ${strs(pr.verbs).filter((v) => READ.includes(v)).join('/')} on secrets in every namespace` : undefined),
});

const ESCALATION = ['bind', 'escalate', 'impersonate'];

const escalationVerbs: Rule = defineRule({
  id: RBAC_ESCALATION_VERBS, title: 'bind, escalate or impersonate granted', severity: 'high',
  rationale: 'bind and escalate let a subject grant itself roles it does not hold; impersonate lets it act as any user, group or service account.',
  remediation: 'Remove bind, escalate and impersonate (or "*" verbs on roles and users); grant them only to cluster administrators.',
  controls: { cis1_12: cis('5.1.8'), nsa: NSA.authz, owasp2025: 'K02' },
  check: perPolicyRule(() => escalationVerbs, ['Role', 'ClusterRole'], (pr) => {
    const verbs = strs(pr.verbs).filter((v) => ESCALATION.includes(v));
    return verbs.length ? `grants ${verbs.join(', ')}` : undefined;
  }),
});

function saSubjects(binding: KubeObject): string[] {
  return recs(binding.subjects).flatMap((s) => {
    if (str(s.kind) === 'ServiceAccount') return [`ServiceAccount ${str(s.namespace) ?? binding.metadata.namespace ?? '?'}/${str(s.name) ?? '?'}`];
    if (str(s.kind) === 'Group' && (str(s.name) ?? '').startsWith('system:serviceaccounts')) return [`Group ${str(s.name) ?? ''}`];
    return [];
  });
}

const clusterAdminSa: Rule = defineRule({
  id: RBAC_CLUSTER_ADMIN_SA, title: 'cluster-admin bound to a service account', severity: 'critical',
  rationale: 'A pod running as that service account (or anyone with its token) owns the cluster, every registry Secret included.',
  remediation: 'Bind a role with only the permissions the workload needs; never cluster-admin.',
  controls: { cis1_12: cis('5.1.1'), nsa: NSA.authz, owasp2025: 'K02' },
  check: (index) => ['ClusterRoleBinding', 'RoleBinding'].flatMap((k) => index.ofKind(k)).filter((b) => !isBootstrap(b)).flatMap((b): Finding[] => {
    if (str(rec(b.roleRef).name) !== 'cluster-admin' || str(rec(b.roleRef).kind) !== 'ClusterRole') return [];
    const subjects = saSubjects(b);
    return subjects.length ? [findingOf(index, clusterAdminSa, b, `${label(index, b)} binds cluster-admin to ${subjects.join(', ')}`, { path: ['subjects'] })] : [];
  }),
});

export const rbacRules: readonly Rule[] = [wildcard, secretsClusterWide, escalationVerbs, clusterAdminSa];
