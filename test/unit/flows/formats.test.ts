import { describe, expect, it } from 'vitest';
import { analyzeFlows, buildFlowContext, focus } from '../../../policies/flows/analyze.js';
import { toDot, toSvg } from '../../../policies/flows/format/graph.js';
import { toConnlist, toCsv, toJson, toMarkdown } from '../../../policies/flows/format/text.js';
import { indexOfScenario } from './helpers.js';

describe('flow output formats', () => {
  const l4 = analyzeFlows(buildFlowContext(indexOfScenario('17-egress-and-ingress-required')), 'l4');
  const both = analyzeFlows(buildFlowContext(indexOfScenario('30-mesh-l7-partial')), 'both');

  it.each([
    ['json carries every row with its verdict', () => expect(JSON.parse(toJson(l4))).toMatchObject({ layer: 'l4', connections: expect.arrayContaining([{ src: 'p/c[Pod]', dst: 'p/b[Pod]', conn: 'TCP 443', verdict: 'allowed' }]) })],
    ['csv has a header and one row per connection', () => expect(toCsv(l4).split('\n').slice(0, 2)).toEqual(['src,dst,conn,verdict', '0.0.0.0-255.255.255.255,p/a[Pod],All Connections,allowed'])],
    ['md is a table', () => expect(toMarkdown(l4)).toContain('| p/c[Pod] | p/b[Pod] | TCP 443 | allowed |')],
    ['dot groups workloads by namespace', () => expect(toDot(l4)).toMatch(/^digraph \{\n\tsubgraph "cluster_p" \{/)],
    ['svg is one self-rendered matrix', () => expect(toSvg(l4)).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<title>p\/c\[Pod\] =&gt; p\/b\[Pod\] : TCP 443<\/title>[\s\S]*<\/svg>\n$/)],
    ['connlist marks partially allowed connections', () => expect(toConnlist(both)).toContain('km/registry[Deployment] => km/keymanager[Deployment] : TCP 1-65535 (partially allowed: L7 conditions)\n')],
    ['json marks partially allowed connections', () => expect(toJson(both)).toContain('"verdict": "partial"')],
    ['dot draws partially allowed connections dashed', () => expect(toDot(both)).toContain('[label="TCP 1-65535 (partial)" color="gold2" fontcolor="darkgreen" style="dashed"]')],
  ])('%s', (_name, check) => {
    check();
  });

  it('--focus keeps only the connections of one workload', () => {
    const lines = toConnlist(focus(l4, 'p/b')).trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.includes('p/b[Pod]'))).toBe(true);
  });
});
