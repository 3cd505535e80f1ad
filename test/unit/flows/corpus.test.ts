import { describe, expect, it } from 'vitest';
import { analyzeFlows, buildFlowContext } from '../../../policies/flows/analyze.js';
import { toConnlist } from '../../../policies/flows/format/text.js';
import { hasFile, indexOfScenario, readScenario, scenarios } from './helpers.js';

/**
 * The scenario corpus (test/fixtures/flows/NN-name/input.yaml): every NetworkPolicy trap of
 * shared/reference/network-security.md and the Istio layer cases, each with its expected connlist.
 * expected.connlist is the L4 layer (and is what netpol-analyzer prints, see
 * test/system/flows-netpol-diff.test.ts); expected-both.connlist is NetworkPolicy and Istio together.
 */
describe('the flow scenario corpus', () => {
  it('has at least 20 scenarios, each with an expected L4 connlist', () => {
    expect(scenarios().length).toBeGreaterThanOrEqual(20);
    for (const s of scenarios()) expect(hasFile(s, 'expected.connlist'), s).toBe(true);
  });

  it.each(scenarios())('%s: the L4 connlist is the expected one', (name) => {
    const analysis = analyzeFlows(buildFlowContext(indexOfScenario(name)), 'l4');
    expect(toConnlist(analysis)).toBe(readScenario(name, 'expected.connlist'));
  });

  it.each(scenarios().filter((s) => hasFile(s, 'expected-both.connlist')))('%s: NetworkPolicy and Istio together give the expected connlist', (name) => {
    const analysis = analyzeFlows(buildFlowContext(indexOfScenario(name)), 'both');
    expect(toConnlist(analysis)).toBe(readScenario(name, 'expected-both.connlist'));
  });

  it('covers every trap of the NetworkPolicy reference at least once', () => {
    const traps = ['default-deny-ingress', 'egress-rules-imply-ingress', 'egress-only-isolation', 'and-vs-or-peers', 'empty-selectors',
      'empty-rule-vs-empty-list', 'ports-or-all-ports', 'named-ports-ingress', 'named-ports-egress', 'endport-range', 'ipblock-except-ingress',
      'ipblock-egress', 'cross-namespace-labels', 'namespace-name-label', 'dns-egress', 'egress-and-ingress-required'];
    const names = scenarios().map((s) => s.slice(3));
    for (const t of traps) expect(names, t).toContain(t);
  });
});
