import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { buildIndex } from '../../../policies/engine.js';
import { analyzeFlows, buildFlowContext, type FlowAnalysis, type FlowContext } from '../../../policies/flows/analyze.js';
import type { Protocol } from '../../../policies/flows/connset.js';
import { explain, resolveEndpoint, type Endpoint } from '../../../policies/flows/explain.js';
import { parseCidr, type IpRange } from '../../../policies/flows/ipset.js';
import { indexOfScenario, scenarios } from './helpers.js';

/**
 * The bulk engine (grouping, selector caches, candidate pairs, IP partition) must agree with the
 * direct per-connection evaluation that --explain uses, on the corpus and on generated clusters.
 */
const PROBES: readonly [Protocol, number][] = [['TCP', 80], ['TCP', 443], ['TCP', 5432], ['TCP', 8080], ['UDP', 53], ['SCTP', 9999]];
const IPS = ['10.0.0.1', '10.1.2.3', '192.168.1.1', '203.0.113.200', '8.8.8.8'];

function bulkAllows(a: FlowAnalysis, src: string, dst: string, proto: Protocol, port: number): boolean {
  const ip = (id: string): IpRange | undefined => parseCidr(id);
  return a.edges.some((e) => {
    const srcOk = e.src.type === 'ip' ? ip(src) !== undefined && e.src.range[0] <= ip(src)![0] && ip(src)![0] <= e.src.range[1] : e.src.id === src;
    const dstOk = e.dst.type === 'ip' ? ip(dst) !== undefined && e.dst.range[0] <= ip(dst)![0] && ip(dst)![0] <= e.dst.range[1] : e.dst.id === dst;
    return srcOk && dstOk && e.conn.contains(proto, port);
  });
}

function disagreements(ctx: FlowContext): string[] {
  const a = analyzeFlows(ctx, 'l4');
  const ends = [...ctx.nodes.workloads.map((n) => n.id), ...IPS];
  const out: string[] = [];
  for (const s of ends) {
    for (const d of ends) {
      if (s === d || (IPS.includes(s) && IPS.includes(d))) continue;
      const src = resolveEndpoint(ctx, s) as Endpoint;
      const dst = resolveEndpoint(ctx, d) as Endpoint;
      for (const [proto, port] of PROBES) {
        const ref = explain(ctx, { src, dst, protocol: proto, port, layer: 'l4' }).verdict === 'allowed';
        if (ref !== bulkAllows(a, s, d, proto, port)) out.push(`${s} => ${d} ${proto} ${String(port)}: explain says ${ref ? 'allowed' : 'denied'}`);
      }
    }
  }
  return out;
}

describe('the bulk engine agrees with the per-connection reference', () => {
  it.each(scenarios())('%s', (name) => {
    expect(disagreements(buildFlowContext(indexOfScenario(name)))).toEqual([]);
  });

  const label = fc.record({ app: fc.constantFrom('a', 'b', 'c'), tier: fc.constantFrom('x', 'y') }, { requiredKeys: ['app'] });
  const selector = fc.oneof(fc.constant({}), fc.record({ matchLabels: label }, { requiredKeys: [] }),
    fc.record({ matchExpressions: fc.constant([{ key: 'tier', operator: 'NotIn', values: ['x'] }]) }));
  const peer = fc.oneof(
    fc.record({ podSelector: selector }),
    fc.record({ namespaceSelector: fc.oneof(fc.constant({}), fc.constant({ matchLabels: { env: 'prod' } })) }),
    fc.record({ namespaceSelector: fc.constant({ matchLabels: { env: 'prod' } }), podSelector: selector }),
    fc.record({ ipBlock: fc.constantFrom({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, { cidr: '192.168.0.0/16' }, { cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] }) }),
  );
  const port = fc.oneof(fc.constant({ port: 80 }), fc.constant({ port: 'http' }), fc.constant({ port: 'dns', protocol: 'UDP' }),
    fc.constant({ port: 400, endPort: 6000 }), fc.constant({ protocol: 'UDP' }), fc.constant({ port: 9999, protocol: 'SCTP' }));
  const rule = fc.record({ peers: fc.option(fc.array(peer, { maxLength: 2 }), { nil: undefined }), ports: fc.option(fc.array(port, { maxLength: 2 }), { nil: undefined }) });
  const policy = fc.record({
    ns: fc.constantFrom('ns1', 'ns2'), sel: selector,
    types: fc.option(fc.subarray(['Ingress', 'Egress']), { nil: undefined }),
    ingress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }), egress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
  });
  const workload = fc.record({ ns: fc.constantFrom('ns1', 'ns2'), labels: label, ports: fc.subarray([{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }, { containerPort: 443 }]) });

  type PolicyGen = typeof policy extends fc.Arbitrary<infer T> ? T : never;
  type RuleGen = NonNullable<PolicyGen['ingress']>;

  function cluster(ws: { ns: string; labels: Record<string, string>; ports: object[] }[], ps: PolicyGen[]): KubeObject[] {
    const objs: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1', labels: { env: 'prod' } } }];
    ws.forEach((w, i) => objs.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `w${String(i)}`, namespace: w.ns, labels: w.labels }, spec: { containers: [{ name: 'c', ports: w.ports }] } }));
    ps.forEach((p, i) => {
      const rules = (rs: RuleGen | undefined, field: string): object[] | undefined => rs?.map((r) => ({ ...(r.peers ? { [field]: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) }));
      objs.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p${String(i)}`, namespace: p.ns }, spec: {
        podSelector: p.sel, ...(p.types ? { policyTypes: p.types } : {}),
        ...(p.ingress ? { ingress: rules(p.ingress, 'from') } : {}), ...(p.egress ? { egress: rules(p.egress, 'to') } : {}),
      } });
    });
    return objs;
  }

  it('on generated clusters', () => {
    fc.assert(fc.property(fc.array(workload, { minLength: 1, maxLength: 5 }), fc.array(policy, { maxLength: 4 }), (ws, ps) => {
      const ctx = buildFlowContext(buildIndex({ objects: cluster(ws, ps) }));
      expect(disagreements(ctx)).toEqual([]);
    }), { numRuns: 150, seed: 20261129 });
  });
});
