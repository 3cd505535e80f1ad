import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { buildIndex } from '../../../policies/engine.js';
import { analyzeFlows, buildFlowContext } from '../../../policies/flows/analyze.js';
import { explain, resolveEndpoint, type Endpoint } from '../../../policies/flows/explain.js';

/**
 * The Istio layer's bulk answer (port segments, memoised per source identity and destination class)
 * agrees with the per-port decision --explain makes, on generated meshes.
 */
const PORTS = [80, 443, 5432, 8080, 9090, 15000];

const labels = fc.record({ app: fc.constantFrom('a', 'b', 'c') });
const sa = fc.constantFrom('sa1', 'sa2');
const workload = fc.record({ ns: fc.constantFrom('m1', 'm2', 'plain'), labels, sa, ports: fc.subarray([80, 443, 5432, 8080]) });
const source = fc.oneof(
  fc.record({ principals: fc.constantFrom(['cluster.local/ns/m1/sa/sa1'], ['*'], ['cluster.local/ns/m2/*']) }),
  fc.record({ namespaces: fc.constantFrom(['m1'], ['m2', 'plain']) }),
  fc.record({ notPrincipals: fc.constant(['*']) }),
  fc.record({ ipBlocks: fc.constant(['0.0.0.0/0']) }),
);
const operation = fc.oneof(
  fc.record({ ports: fc.constantFrom(['80'], ['5432', '8080'], ['9090']) }),
  fc.record({ notPorts: fc.constant(['443']) }),
  fc.record({ paths: fc.constant(['/api/*']) }),
  fc.record({ methods: fc.constant(['GET']), ports: fc.constant(['80']) }),
);
const rule = fc.record({
  from: fc.option(fc.array(fc.record({ source }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  to: fc.option(fc.array(fc.record({ operation }), { minLength: 1, maxLength: 2 }), { nil: undefined }),
  when: fc.option(fc.constantFrom([{ key: 'destination.port', values: ['8080'] }], [{ key: 'request.headers[x]', values: ['y'] }], [{ key: 'source.namespace', notValues: ['m2'] }]), { nil: undefined }),
});
const authz = fc.record({
  ns: fc.constantFrom('m1', 'm2', 'istio-system'),
  selector: fc.option(labels, { nil: undefined }),
  action: fc.constantFrom('ALLOW', 'DENY', 'CUSTOM'),
  rules: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
});
const peerAuth = fc.record({
  ns: fc.constantFrom('m1', 'm2', 'istio-system'),
  selector: fc.option(labels, { nil: undefined }),
  mode: fc.constantFrom('STRICT', 'PERMISSIVE', 'DISABLE', 'UNSET'),
  portLevel: fc.option(fc.constantFrom({ 8080: { mode: 'PERMISSIVE' } }, { 443: { mode: 'STRICT' } }), { nil: undefined }),
});

type Gen<T> = T extends fc.Arbitrary<infer U> ? U : never;

function mesh(ws: Gen<typeof workload>[], aps: Gen<typeof authz>[], pas: Gen<typeof peerAuth>[]): KubeObject[] {
  const out: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'm1', labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'm2', labels: { 'istio.io/rev': 'stable' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } },
  ];
  ws.forEach((w, i) => out.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${String(i)}`, namespace: w.ns, labels: w.labels }, spec: {
    serviceAccountName: w.sa, containers: [{ name: 'c', ports: w.ports.map((p) => ({ containerPort: p })) }] } }));
  aps.forEach((a, i) => out.push({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `ap${String(i)}`, namespace: a.ns }, spec: {
    action: a.action, ...(a.selector ? { selector: { matchLabels: a.selector } } : {}),
    ...(a.rules ? { rules: a.rules.map((r) => ({ ...(r.from ? { from: r.from } : {}), ...(r.to ? { to: r.to } : {}), ...(r.when ? { when: r.when } : {}) })) } : {}) } }));
  pas.forEach((p, i) => out.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: `pa${String(i)}`, namespace: p.ns, creationTimestamp: `2026-01-0${String(i + 1)}T00:00:00Z` }, spec: {
    mtls: { mode: p.mode }, ...(p.selector ? { selector: { matchLabels: p.selector } } : {}), ...(p.portLevel && p.selector ? { portLevelMtls: p.portLevel } : {}) } }));
  return out;
}

describe('the Istio layer agrees with the per-port reference', () => {
  it('on generated meshes', () => {
    fc.assert(fc.property(fc.array(workload, { minLength: 1, maxLength: 4 }), fc.array(authz, { maxLength: 3 }), fc.array(peerAuth, { maxLength: 3 }), (ws, aps, pas) => {
      const ctx = buildFlowContext(buildIndex({ objects: mesh(ws, aps, pas) }));
      const a = analyzeFlows(ctx, 'mesh');
      const ends = [...ctx.nodes.workloads.map((n) => n.id), '203.0.113.9'];
      const wrong: string[] = [];
      for (const s of ends) {
        for (const d of ctx.nodes.workloads.map((n) => n.id)) {
          if (s === d) continue;
          const src = resolveEndpoint(ctx, s) as Endpoint;
          const dst = resolveEndpoint(ctx, d) as Endpoint;
          const edge = a.edges.find((e) => (e.src.type === 'ip' ? s === '203.0.113.9' : e.src.id === s) && e.dst.id === d);
          for (const port of PORTS) {
            const ref = explain(ctx, { src, dst, protocol: 'TCP', port, layer: 'mesh' }).verdict;
            const bulk = edge?.conn.contains('TCP', port) ? 'allowed' : edge?.partial.contains('TCP', port) ? 'partially allowed' : 'denied';
            if (ref !== bulk) wrong.push(`${s} => ${d} TCP ${String(port)}: explain ${ref}, bulk ${bulk}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    }), { numRuns: 200, seed: 4242 });
  });
});
