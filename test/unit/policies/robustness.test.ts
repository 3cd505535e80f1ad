import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../policies/engine.js';
import { parseText } from '../../../policies/load/parse.js';
import { builtinProfile } from '../../../policies/profiles.js';
import { reporters } from '../../../policies/reporters/index.js';
import { NOW } from './helpers.js';

const KINDS = ['Pod', 'Deployment', 'StatefulSet', 'CronJob', 'Service', 'Namespace', 'Secret', 'ConfigMap', 'NetworkPolicy', 'PeerAuthentication',
  'AuthorizationPolicy', 'DestinationRule', 'Gateway', 'VirtualService', 'Sidecar', 'ClusterRole', 'RoleBinding', 'RegistryDeployment', 'Widget'];
const KEYS = ['spec', 'template', 'containers', 'initContainers', 'securityContext', 'env', 'name', 'value', 'valueFrom', 'secretKeyRef', 'podSelector', 'ingress', 'egress',
  'from', 'to', 'ipBlock', 'cidr', 'except', 'selector', 'matchLabels', 'mtls', 'mode', 'portLevelMtls', 'rules', 'verbs', 'resources', 'servers', 'hosts', 'port', 'tls',
  'data', 'metadata', 'labels', 'annotations', 'ward.g2p.dev/waive', 'image', 'ports', 'volumes', 'subjects', 'roleRef', 'trafficPolicy', 'components', 'policyTypes'];

/** Arbitrary JSON-ish trees whose keys are the ones the rules look at, so the fuzzing reaches them. */
const tree = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -1, 1337, 5432, '', '*', 'ALL', 'STRICT', 'DISABLE', '0.0.0.0/0', 'http://x', 'WARD-POD-001: r; expires=2020-01-01', 'admin'),
    fc.string({ maxLength: 12 }),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 5 })),
})).node;

const object = fc.record({
  apiVersion: fc.constantFrom('v1', 'apps/v1', 'networking.k8s.io/v1', 'security.istio.io/v1', 'networking.istio.io/v1', 'rbac.authorization.k8s.io/v1', 'ward.g2p.dev/v1alpha1', 'x/v1'),
  kind: fc.constantFrom(...KINDS),
  metadata: fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), namespace: fc.constantFrom('dev', 'istio-system', undefined), labels: tree, annotations: tree }, { requiredKeys: ['name'] }),
  spec: tree,
  data: tree,
  rules: tree,
});

describe('robustness: no input makes the checker throw', () => {
  it('arbitrary objects of every kind the rules read', () => {
    fc.assert(fc.property(fc.array(object, { maxLength: 6 }), (objects) => {
      const text = objects.map((o) => stringify(JSON.parse(JSON.stringify(o)))).join('---\n');
      const loaded = parseText(text, 'f.yaml');
      expect(loaded.documents.length + loaded.errors.length).toBeGreaterThanOrEqual(objects.length > 0 ? 1 : 0);
      const result = runCheck({ documents: loaded.documents, profile: builtinProfile('strict'), now: NOW });
      for (const r of Object.values(reporters)) r(result, { color: true, toolVersion: 't' });
    }), { numRuns: 200 });
  });

  it('arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (text) => {
      const loaded = parseText(text, 't.yaml');
      const result = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now: NOW });
      expect(result.summary.inputErrors).toBe(loaded.errors.length);
    }), { numRuns: 200 });
  });
});
