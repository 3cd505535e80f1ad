import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../policies/engine.js';
import { auditorRbac } from '../../../policies/auditor-rbac.js';
import * as RBAC from '../../../policies/rules/rbac.js';
import { NOW, summarise, type Case } from './helpers.js';

const role = (kind: string, rules: string, meta = ''): string => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ${kind}\nmetadata: {name: r${kind === 'Role' ? ', namespace: dev' : ''}${meta}}\nrules:\n${rules}\n`;
const binding = (subject: string): string => `apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}\nsubjects:\n  - ${subject}\n`;

const table: Record<string, Case[]> = {
  [RBAC.RBAC_WILDCARD]: [
    { name: 'passes explicit verbs and resources', yaml: role('Role', '  - {apiGroups: [""], resources: [configmaps], verbs: [get]}'), expect: [] },
    { name: 'fails "*" verbs', yaml: role('Role', '  - {apiGroups: [""], resources: [configmaps], verbs: ["*"]}'),
      expect: [{ severity: 'high', message: 'Role dev/r rule 0 uses "*" in verbs: list what is needed', at: '- {apiGroups' }] },
    { name: 'passes Kubernetes bootstrap roles', yaml: role('ClusterRole', '  - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}', ', labels: {kubernetes.io/bootstrapping: rbac-defaults}'), expect: [] },
  ],
  [RBAC.RBAC_SECRETS_CLUSTER_WIDE]: [
    { name: 'passes get on a named Secret', yaml: role('ClusterRole', '  - {apiGroups: [""], resources: [secrets], resourceNames: [one], verbs: [get]}'), expect: [] },
    { name: 'fails list/watch on secrets', yaml: role('ClusterRole', '  - {apiGroups: [""], resources: [secrets], verbs: [get, list, watch]}'),
      expect: [{ severity: 'high', message: 'ClusterRole r rule 0 grants get/list/watch on secrets in every namespace', at: '- {apiGroups' }] },
  ],
  [RBAC.RBAC_ESCALATION_VERBS]: [
    { name: 'passes read verbs', yaml: role('ClusterRole', '  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles], verbs: [get]}'), expect: [] },
    { name: 'fails bind and impersonate', yaml: role('ClusterRole', '  - {apiGroups: [rbac.authorization.k8s.io], resources: [roles, users], verbs: [bind, impersonate]}'),
      expect: [{ severity: 'high', message: 'ClusterRole r rule 0 grants bind, impersonate', at: '- {apiGroups' }] },
  ],
  [RBAC.RBAC_CLUSTER_ADMIN_SA]: [
    { name: 'passes cluster-admin for a user', yaml: binding('{kind: User, name: alice}'), expect: [] },
    { name: 'fails cluster-admin for a ServiceAccount', yaml: binding('{kind: ServiceAccount, name: odoo, namespace: dev}'),
      expect: [{ severity: 'critical', message: 'ClusterRoleBinding b binds cluster-admin to ServiceAccount dev/odoo', at: 'subjects:' }] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('the ward-auditor identity', () => {
  const objects = auditorRbac();
  it('is read-only: get, list and watch only', () => {
    const role = objects.find((o) => o.kind === 'ClusterRole') as unknown as { rules: { verbs: string[]; resources: string[] }[] };
    for (const r of role.rules) expect(r.verbs).toEqual(['get', 'list', 'watch']);
    expect(role.rules.flatMap((r) => r.resources)).toEqual(expect.arrayContaining(['secrets', 'peerauthentications', 'networkpolicies', 'clusterroles']));
  });
  it('passes the strict profile, its Secret-metadata grant visible as a waived finding', () => {
    const result = runCheck({ objects, now: NOW });
    expect(result.findings.filter((f) => !f.suppressed)).toEqual([]);
    expect(result.findings.map((f) => [f.ruleId, f.suppressed?.by])).toEqual([['WARD-RBAC-002', 'annotation']]);
    expect(result.findings[0]?.suppressed?.reason).toMatch(/^the auditor lists Secrets as metadata only/);
  });
});
