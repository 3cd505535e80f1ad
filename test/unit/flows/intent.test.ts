import { describe, expect, it } from 'vitest';
import { API_VERSION, KIND, type KubeObject } from '../../../charts-src/kube.js';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { buildIndex, runCheck } from '../../../policies/engine.js';
import { toConnlist } from '../../../policies/flows/format/text.js';
import { analyzeInputs, withPlaceholders } from '../../../policies/flows/report.js';
import { flowRules, FLOW_DECLARED_BLOCKED, FLOW_PERSONAL_DATA_EXPOSED, FLOW_UNDECLARED_ALLOWED } from '../../../policies/rules/flow.js';
import type { Finding } from '../../../policies/types.js';
import { readScenario } from './helpers.js';
import { loadBuffer } from '../../../policies/load/index.js';

function specOf(input: Record<string, unknown>): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}

function rd(input: Record<string, unknown>): KubeObject {
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name: 'openg2p', namespace: String(input.namespace) }, spec: input };
}

const flowRegistry = new Map(flowRules.map((r) => [r.id, r]));
const NOW = new Date('2026-11-29T00:00:00Z');

function flowFindings(objects: readonly KubeObject[]): Finding[] {
  return runCheck({ objects, now: NOW, rules: flowRegistry }).findings.filter((f) => f.ruleId.startsWith('WARD-FLOW-'));
}

/** The declared flows of a spec as connlist lines over placeholders (`ns/component[Deployment]`). */
/** The declared flows as connlist lines; a flow into a component whose token rule covers in-mesh callers is allowed only with the token (L7). */
function declaredLines(spec: RegistrySpec): string[] {
  const component = (name: string): RegistrySpec['components'][number] | undefined => spec.components.find((c) => c.name === name);
  const ns = (name: string): string => component(name)?.namespace ?? spec.namespace;
  const token = (name: string): string => (component(name)?.exposure.auth?.inMesh === true ? ' (partially allowed: L7 conditions)' : '');
  return spec.flows.filter((f) => f.to.component).map((f) =>
    `${ns(f.from)}/${f.from}[Deployment] => ${ns(f.to.component!)}/${f.to.component!}[Deployment] : TCP ${f.ports.map((p) => p.port).sort((a, b) => a - b).join(',')}${token(f.to.component!)}`).sort();
}

describe('intended vs effective flows', () => {
  describe.each(['openg2p-social-registry', 'openg2p-commons'])('ward\'s own preset %s, synthesised', (preset) => {
    const input = { preset, namespace: 'dev' };
    const spec = specOf(input);
    const objects = synthesize(spec);

    it('ward flows prints exactly the declared flows', () => {
      const inputs = withPlaceholders(buildIndex({ objects }), spec);
      expect(inputs.placeholders).toBe(spec.components.length);
      const lines = toConnlist(analyzeInputs(inputs, 'both')).trim().split('\n').sort();
      expect(lines).toEqual(declaredLines(spec));
    });

    it('has zero WARD-FLOW findings', () => {
      expect(flowFindings([...objects, rd(input)])).toEqual([]);
    });
  });

  describe('the OpenG2P charts as shipped (25-openg2p-defaults) against the social registry spec', () => {
    const load = loadBuffer(new TextEncoder().encode(readScenario('25-openg2p-defaults', 'input.yaml')), 'input.yaml');
    const input = { preset: 'openg2p-social-registry', namespace: 'dev' };
    const findings = flowFindings([...load.documents.map((d) => d.object), rd(input)]);
    const messages = (id: string): string[] => findings.filter((f) => f.ruleId === id).map((f) => f.message);

    it.each([
      ['mail reaches PostgreSQL', 'dev/openg2p-mail[Deployment] => dev/openg2p-postgresql[StatefulSet] : TCP 5432'],
      ['MinIO reaches PostgreSQL', 'dev/openg2p-minio[StatefulSet] => dev/openg2p-postgresql[StatefulSet] : TCP 5432'],
      ['Keycloak in another namespace reaches PostgreSQL', 'keycloak/keycloak[StatefulSet] => dev/openg2p-postgresql[StatefulSet] : TCP 5432'],
      ['anything outside the cluster reaches PostgreSQL', '0.0.0.0-255.255.255.255 => dev/openg2p-postgresql[StatefulSet] : TCP 5432'],
      ['Kafka reaches the key manager', 'dev/openg2p-kafka[StatefulSet] => dev/openg2p-keymanager[Deployment] : All Connections'],
      ['anything outside the cluster reaches the key manager', '0.0.0.0-255.255.255.255 => dev/openg2p-keymanager[Deployment] : All Connections'],
    ])('reports the undeclared path: %s (critical: personal data)', (_name, edge) => {
      const f = findings.find((x) => x.ruleId === FLOW_UNDECLARED_ALLOWED && x.message.includes(edge));
      expect(f?.severity).toBe('critical');
      expect(f?.remediation).toContain('ward flows --explain');
    });

    it('names both ends, the ports and the spec in the message', () => {
      expect(messages(FLOW_UNDECLARED_ALLOWED)).toContain(
        'Undeclared connection allowed: 0.0.0.0-255.255.255.255 => dev/openg2p-postgresql[StatefulSet] : TCP 5432 (from outside the cluster to component postgresql, which holds personal data); no flow of RegistryDeployment dev declares it');
      expect(messages(FLOW_UNDECLARED_ALLOWED)).toContain(
        'Undeclared connection allowed: dev/openg2p-mail[Deployment] => dev/openg2p-postgresql[StatefulSet] : TCP 5432 (from a workload that is no component to component postgresql, which holds personal data); no flow of RegistryDeployment dev declares it');
      expect(messages(FLOW_UNDECLARED_ALLOWED)).toContain(
        'Undeclared connection allowed: dev/openg2p-postgresql[StatefulSet] => 0.0.0.0-255.255.255.255 : All Connections (from component postgresql to outside the cluster); no cidr flow of RegistryDeployment dev declares it');
    });

    it('does not report declared flows', () => {
      expect(messages(FLOW_UNDECLARED_ALLOWED).filter((m) => m.startsWith('Undeclared connection allowed: dev/openg2p-odoo[Deployment] => dev/openg2p-postgresql'))).toEqual([]);
      // The fixture predates the 1.3.1 chart's labels: flows of components it has no pods for are blocked
      // (WARD-FLOW-004 names them); the flows between the pods it has are not.
      expect(messages(FLOW_DECLARED_BLOCKED).filter((m) => m.startsWith('Declared flow registry → postgresql') || m.startsWith('Declared flow registry → keymanager'))).toEqual([]);
    });

    it('reports PostgreSQL reachable from outside the cluster and from another namespace', () => {
      expect(messages(FLOW_PERSONAL_DATA_EXPOSED)).toContain('dev/openg2p-postgresql[StatefulSet] (component postgresql) holds personal data and is reachable from outside the cluster (0.0.0.0-255.255.255.255) on TCP 5432');
      expect(messages(FLOW_PERSONAL_DATA_EXPOSED)).toContain('dev/openg2p-postgresql[StatefulSet] (component postgresql) holds personal data and is reachable from namespace keycloak (keycloak/keycloak[StatefulSet]) on TCP 5432');
    });
  });

  it('reports a declared flow the policies block (WARD-FLOW-002)', () => {
    const input = { preset: 'openg2p-social-registry', namespace: 'dev' };
    const objects = synthesize(specOf(input)).filter((o) => !(o.kind === 'AuthorizationPolicy' && o.metadata.name === 'allow-keymanager'));
    const f = flowFindings([...objects, rd(input)]);
    expect(f.map((x) => [x.ruleId, x.severity, x.message])).toEqual([
      [FLOW_DECLARED_BLOCKED, 'medium', 'Declared flow registry → keymanager is blocked on TCP 8088 by the effective NetworkPolicy/Istio policy (RegistryDeployment dev)'],
    ]);
    expect(f[0]?.object).toEqual({ kind: 'RegistryDeployment', namespace: 'dev', name: 'openg2p' });
  });

  describe('a small stack with an exposed component and a flow leaving the cluster', () => {
    const input = {
      namespace: 'reg',
      components: [
        { name: 'registry', selector: { app: 'registry' }, serviceAccount: 'registry', ports: [{ name: 'http', port: 8069 }], personalData: true, exposure: { type: 'ingress', hosts: ['reg.example.org'] } },
        { name: 'db', selector: { app: 'db' }, serviceAccount: 'db', ports: [{ name: 'pg', port: 5432 }], personalData: true },
      ],
      flows: [
        { from: 'registry', to: { component: 'db' }, ports: [{ port: 5432 }] },
        { from: 'registry', to: { cidr: '203.0.113.0/24' }, ports: [{ port: 443 }] },
      ],
    };
    const objects = synthesize(specOf(input));
    const gateway: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istio-ingressgateway', namespace: 'istio-system' },
      spec: { selector: { matchLabels: { istio: 'ingressgateway' } }, template: { metadata: { labels: { istio: 'ingressgateway' } }, spec: {
        serviceAccountName: 'istio-ingressgateway-service-account', containers: [{ name: 'istio-proxy', image: 'proxyv2' }] } } },
    };

    it('counts the ingress gateway reaching the exposed port as declared, and the cidr flow as allowed', () => {
      expect(flowFindings([...objects, gateway, rd(input)])).toEqual([]);
    });

    it('reports the cidr flow blocked when its egress policy is gone', () => {
      const dropIpBlock = (o: KubeObject): KubeObject => {
        if (o.kind !== 'NetworkPolicy' || o.metadata.name !== 'registry') return o;
        const spec = o.spec as { egress: { to: { ipBlock?: unknown }[] }[] };
        return { ...o, spec: { ...spec, egress: spec.egress.filter((r) => !r.to.some((p) => p.ipBlock)) } };
      };
      const without = objects.map(dropIpBlock);
      expect(JSON.stringify(without)).not.toContain('203.0.113.0/24"}');
      expect(flowFindings([...without, rd(input)]).map((f) => f.message)).toEqual([
        'Declared flow registry → 203.0.113.0/24 is blocked on TCP 443 by the effective NetworkPolicy/Istio policy (RegistryDeployment reg)',
      ]);
    });
  });
});
