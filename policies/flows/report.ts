/**
 * The facts the HTML report needs beyond a check result: the flow analysis with its intent diff and
 * the effective mTLS per workload and port. Pure; the CLI adds the evidence (hashes, time).
 */
import type { RegistrySpec } from '../../charts-src/model/index.js';
import { ObjectIndex } from '../index/object-index.js';
import { effectiveMtlsByPort, sidecarInjected } from '../mesh/mtls.js';
import type { HtmlReport, MtlsRow } from '../reporters/html.js';
import { analyzeFlows, buildFlowContext, type FlowAnalysis, type FlowContext, type Layer } from './analyze.js';
import { summarizeFlows } from './format/summary.js';
import type { FlowNode } from './nodes.js';
import { intentDiff, placeholdersFor, specsInIndex, type IntentDiff } from './intent.js';

export interface FlowInputs {
  /** The index the flows are computed on (with placeholders for components without workloads). */
  readonly index: ObjectIndex;
  readonly spec?: RegistrySpec;
  readonly placeholders: number;
  /**
   * With placeholders: the namespaces of the input. Connections with neither end in them (e.g. from
   * outside the cluster to a placeholder in a namespace the input does not govern) say nothing about
   * the input and are left out.
   */
  readonly scope?: ReadonlySet<string>;
}

/** Adds placeholder workloads for the spec's components that have none (a given spec, else the first RegistryDeployment). */
export function withPlaceholders(index: ObjectIndex, given?: RegistrySpec): FlowInputs {
  const spec = given ?? specsInIndex(index)[0];
  if (!spec) return { index, placeholders: 0 };
  const extra = placeholdersFor(spec, index);
  if (extra.length === 0) return { index, spec, placeholders: 0 };
  const scope = new Set(index.namespaces());
  return { index: ObjectIndex.fromObjects([...index.objects, ...extra], { meshRootNamespace: index.meshRootNamespace, personalData: index.personalDataRecognisers }), spec, placeholders: extra.length, scope };
}

/** The flows of the inputs on `layer`, limited to the scope when there is one. */
export function analyzeInputs(inputs: FlowInputs, layer: Layer, ctx: FlowContext = buildFlowContext(inputs.index)): FlowAnalysis {
  const analysis = analyzeFlows(ctx, layer);
  const scope = inputs.scope;
  if (!scope) return analysis;
  const inScope = (n: FlowNode): boolean => n.type === 'workload' && scope.has(n.namespace);
  return { ...analysis, edges: analysis.edges.filter((e) => inScope(e.src) || inScope(e.dst)) };
}

export function mtlsRows(index: ObjectIndex): MtlsRow[] {
  const rows: MtlsRow[] = [];
  const sorted = [...index.workloads].sort((a, b) => (`${a.namespace}/${a.ref.name}` < `${b.namespace}/${b.ref.name}` ? -1 : 1));
  for (const w of sorted) {
    const injected = sidecarInjected(index, w);
    for (const { port, mtls } of effectiveMtlsByPort(index, w)) {
      const by = mtls.policy ? `PeerAuthentication ${mtls.policy.metadata.namespace ?? ''}/${mtls.policy.metadata.name} (${mtls.scope})` : 'Istio default (no PeerAuthentication)';
      rows.push({
        workload: `${w.namespace}/${w.ref.name}[${w.ref.kind}]`,
        sidecar: injected === undefined ? 'unknown' : injected ? 'yes' : 'no',
        port: port === undefined ? 'all' : String(port),
        mode: injected === false ? `${mtls.mode} (not enforced: no sidecar)` : mtls.mode,
        decidedBy: by,
      });
    }
  }
  return rows;
}

export interface FlowReport {
  readonly analysis: FlowAnalysis;
  readonly diff?: IntentDiff;
}

/** The analysis with its intent diff (when a spec is known) and its summary (who reaches what), for the reports. */
export function flowFacts(inputs: FlowInputs, analysis: FlowAnalysis, ctx: FlowContext = buildFlowContext(inputs.index)): NonNullable<HtmlReport['flows']> {
  const diff = inputs.spec ? intentDiff(inputs.spec, analysis) : undefined;
  return { analysis, ...(diff ? { diff } : {}), summary: summarizeFlows(ctx, analysis, diff) };
}

/** Flow analysis (and intent diff when a spec is known), its summary and the mTLS rows, for the HTML report. */
export function reportFacts(inputs: FlowInputs, layer: Layer = 'both'): Pick<HtmlReport, 'flows' | 'mtls'> {
  const ctx = buildFlowContext(inputs.index);
  return { flows: flowFacts(inputs, analyzeInputs(inputs, layer, ctx), ctx), mtls: mtlsRows(inputs.index) };
}

/**
 * Everything `ward check --format html` needs beyond the check result, for a caller that has the
 * index and the evidence: pass it as `html` in the reporter context
 * (`reporters.html(result, { ...ctx, html: htmlExtras(index, evidence) })`).
 */
export function htmlExtras(index: ObjectIndex, evidence: HtmlReport['evidence']): Partial<HtmlReport> {
  return { ...reportFacts(withPlaceholders(index)), evidence };
}
