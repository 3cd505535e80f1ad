import { describe, expect, it } from 'vitest';
import { API_REMOVED, REMOVED_APIS } from '../../../policies/rules/api.js';
import { lineOf, runRule } from './helpers.js';

const pdb = (apiVersion: string): string => `apiVersion: ${apiVersion}
kind: PodDisruptionBudget
metadata: {name: sr-postgresql, namespace: sr}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: db}}}
`;

describe(`${API_REMOVED} API version no longer served`, () => {
  it.each([
    ['a policy/v1beta1 PodDisruptionBudget (Helm rendering for Kubernetes 1.20)', pdb('policy/v1beta1'), 'medium',
      'PodDisruptionBudget sr/sr-postgresql is written as policy/v1beta1, which Kubernetes stopped serving in 1.25: the API server refuses it; write it as policy/v1'],
    ['an extensions/v1beta1 NetworkPolicy: a control that never exists, so high', 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: sr}\nspec: {podSelector: {}}\n', 'high',
      'NetworkPolicy sr/deny is written as extensions/v1beta1, which Kubernetes stopped serving in 1.16: the API server refuses it; write it as networking.k8s.io/v1'],
    ['a PodSecurityPolicy, whose kind is gone', 'apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: restricted}\nspec: {}\n', 'high',
      'PodSecurityPolicy restricted is written as policy/v1beta1, which Kubernetes stopped serving in 1.25: the API server refuses it; PodSecurityPolicy is gone: enforce Pod Security Admission with the namespace label pod-security.kubernetes.io/enforce: restricted'],
    ['a networking.k8s.io/v1beta1 Ingress', 'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: sr}\nspec: {}\n', 'medium',
      'Ingress sr/web is written as networking.k8s.io/v1beta1, which Kubernetes stopped serving in 1.22: the API server refuses it; write it as networking.k8s.io/v1'],
  ])('reports %s at its apiVersion line', (_, yaml, severity, message) => {
    const findings = runRule(API_REMOVED, yaml);
    expect(findings.map((f) => [f.severity, f.message])).toEqual([[severity, message]]);
    expect(findings[0]?.location?.line).toBe(lineOf(yaml, 'apiVersion:'));
  });

  it.each([
    ['policy/v1 PodDisruptionBudget', pdb('policy/v1')],
    ['autoscaling/v2 HorizontalPodAutoscaler', 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: sr}\nspec: {}\n'],
    ['a custom resource in a v1beta1 of its own group', 'apiVersion: networking.istio.io/v1beta1\nkind: Gateway\nmetadata: {name: g, namespace: sr}\nspec: {}\n'],
  ])('leaves %s alone', (_, yaml) => {
    expect(runRule(API_REMOVED, yaml)).toEqual([]);
  });

  it('names each removed version once, with a release, and a replacement for every kind that still exists', () => {
    const keys = REMOVED_APIS.map((r) => `${r.apiVersion} ${r.kind}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of REMOVED_APIS) {
      expect(r.removedIn).toMatch(/^1\.\d+$/);
      if (r.kind !== 'PodSecurityPolicy') expect(r.replacement, `${r.apiVersion} ${r.kind}`).toMatch(/\/v\d+$/);
    }
  });
});
