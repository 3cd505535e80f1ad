/**
 * The shipped example, examples/openg2p-social-registry.yaml, through admission and the operator:
 * it is accepted by the CRD (preset components state only what they override), every child is
 * applied, and it becomes Ready once its Secrets exist. The example overrides the preset's token URL
 * (plain http into namespace "keycloak", outside the STRICT mTLS of "dev") with https; put back to
 * the chart's http URL, KeyManagerConfigured says why it is not acceptable.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { describeCluster } from './helpers.js';
import { adminRest, conditionOf, createExampleSecrets, createRd, installOperatorPrereqs, startOperator, stopAndClean, waitForCondition, type RunningOperator } from './operator-support.js';


describeCluster('operator: the OpenG2P example', () => {
  let op: RunningOperator | undefined;
  beforeAll(async () => {
    await installOperatorPrereqs();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
  });

  it('examples/openg2p-social-registry.yaml is admitted, applied and Ready; with the chart\'s http token URL it is not', async () => {
    const example = parse(readFileSync(new URL('../../examples/openg2p-social-registry.yaml', import.meta.url), 'utf8')) as { metadata: { name: string; namespace: string }; spec: Record<string, unknown> };
    const { name, namespace: ns } = example.metadata;
    const admin = adminRest();
    await admin.apply(`/api/v1/namespaces/${ns}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, 'ward-test');
    // Istio's own namespace, as on any cluster with Istio: the preset's admin-path DENY for the public
    // ingress gateway lives there (docs/edge.md).
    await admin.apply('/api/v1/namespaces/istio-system', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } }, 'ward-test');
    await createExampleSecrets(ns);
    op = await startOperator([ns]);
    const km = (example.spec.keyManager ?? {}) as Record<string, unknown>;
    await createRd(ns, name, { ...example.spec, keyManager: { ...km, tokenUrl: 'http://keycloak.keycloak/realms/openg2p/protocol/openid-connect/token' } });
    const rd = await waitForCondition(ns, name, 'KeyManagerConfigured', 'False', 'InsecureURL');
    for (const type of ['SpecValid', 'MeshPolicyApplied', 'NetworkPolicyApplied', 'SecretsValid', 'AuditPassed']) expect(conditionOf(rd, type)?.status, type).toBe('True');
    expect(conditionOf(rd, 'KeyManagerConfigured')?.message).toContain('keyManager.tokenUrl uses plain http to "keycloak.keycloak"');
    await createRd(ns, name, example.spec);
    const ready = await waitForCondition(ns, name, 'Ready', 'True');
    expect(ready.status?.children).toBeGreaterThan(20);
    expect(ready.status?.secrets).toBe('7/7 valid');
  });
});
