import { InvalidArgumentError, Option, type Command } from 'commander';
import { createHash } from 'node:crypto';
import { API_VERSION, KIND, type KubeObject } from '../../charts-src/kube.js';
import type { RegistrySpec } from '../../charts-src/model/index.js';
import { buildIndex, runCheck } from '../../policies/engine.js';
import { focus, LAYERS, buildFlowContext, type FlowAnalysis, type Layer } from '../../policies/flows/analyze.js';
import { isProtocol } from '../../policies/flows/connset.js';
import { explain, formatExplanation, resolveEndpoint } from '../../policies/flows/explain.js';
import { toDot, toSvg } from '../../policies/flows/format/graph.js';
import { toSummary } from '../../policies/flows/format/summary.js';
import { toConnlist, toCsv, toJson, toMarkdown } from '../../policies/flows/format/text.js';
import { intentDiff, unmatchedComponents } from '../../policies/flows/intent.js';
import { FLOW_COMPONENT_SELECTS_NOTHING, unmatchedComponentMessage } from '../../policies/rules/flow.js';
import { analyzeInputs, flowFacts, mtlsRows, withPlaceholders, type FlowInputs } from '../../policies/flows/report.js';
import type { ObjectIndex } from '../../policies/index/object-index.js';
import { loadSpecParser } from '../../policies/flows/spec-parser.js';
import { loadPaths, type LoadedDocument } from '../../policies/load/index.js';
import { renderHtmlReport, type InputHash } from '../../policies/reporters/html.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { nearestNames, refuseEmpty } from '../guards.js';
import { namespaceNoticeLine, writeWarnings } from '../input.js';
import { addLimitOptions, limitsOf, type LimitOptions } from '../limits.js';
import { readSpecFile } from '../spec-input.js';
import { readClusterObjects } from '../cluster-input.js';
import { writeOutputFile } from '../write.js';
import { VERSION } from '../../policies/load/root.js';
import { BUILTIN_PROFILES, DEFAULT_PROFILE, type Profile } from '../../policies/profiles.js';
import { resolveProfile } from '../profile-input.js';


export const FLOW_FORMATS = ['summary', 'connlist', 'json', 'csv', 'md', 'dot', 'svg', 'html'] as const;
export type FlowFormat = (typeof FLOW_FORMATS)[number];

interface FlowsOptions extends LimitOptions {
  /** Absent: summary on a terminal, connlist otherwise (pipes, the netpol-analyzer diff). */
  format?: FlowFormat;
  layer: Layer;
  focus?: string;
  allowEmpty?: boolean;
  explain?: string[];
  spec?: string;
  output?: string;
  cluster?: boolean;
  context?: string;
  kubeconfig?: string;
  defaultNamespace?: string;
  profile: string;
}

const HELP = `
Computes who can actually reach whom: NetworkPolicy (L3/L4, --layer l4), Istio mTLS and
AuthorizationPolicy (--layer mesh), or both (default: a connection must pass both).

Output (--format): summary (the default on a terminal) lists, per destination that holds personal
data or is exposed, who reaches it (collapsed: 0.0.0.0/0, the ingress gateway, N workloads in a
namespace), then the undeclared and blocked flows with the policy behind each. connlist (the
default when the output is not a terminal) is netpol-analyzer's "list" format line for line, so
  diff <(netpolicy list --dirpath DIR) <(ward flows DIR --layer l4)
shows only real differences. Connections that Istio allows only for requests meeting L7 conditions
(paths, methods) get their own line ending "(partially allowed: L7 conditions)". json, csv and md
carry the same rows; dot is Graphviz; svg a self-rendered connectivity matrix; html the auditor's
report (flow matrix, mTLS coverage, findings, evidence).

Intent: with --spec FILE (a RegistryDeployment or bare spec) or a RegistryDeployment among the inputs,
the effective flows are compared with the declared ones (rules WARD-FLOW-001..004, see
ward check). Components whose namespace has no workload in the input (synthesised output holds only
policies) are represented by a placeholder Deployment built from the spec: selector labels, service
account, ports. A component that selects no workload in a namespace that has workloads gets no
placeholder: it is reported (WARD-FLOW-004, with the closest pod label set) and its flows are blocked.

Namespaces: objects that name none take the one namespace every other namespaced object names
(helm template -n NS writes it only where a template does); when they name several, "default",
with a warning. --default-namespace NS wins over both.

Examples:
  ward flows manifests/ --layer l4
  ward synth --preset openg2p-social-registry --namespace dev | ward flows - --spec spec.yaml
  ward flows manifests/ --focus dev/postgresql --format md
  ward flows manifests/ --explain dev/registry dev/postgresql 5432
  ward flows manifests/ --format html -o flows.html

Exit codes: 0 computed (with a spec: effective equals declared); 1 with a spec, undeclared
connections allowed or declared flows blocked; 2 usage error or input error (malformed YAML, unreadable
or oversized input: what could be read is still analysed and printed), no objects in the input
(without --allow-empty) or a --focus that names no workload (the nearest are listed). Documents that
are not Kubernetes objects and empty documents are skipped (a warning on stderr for the former). Input
bounds: --max-file-size, --max-total-size, --max-documents (defaults in docs/check.md). Details: docs/flows.md.`;

function parseLayer(v: string): Layer {
  if (!(LAYERS as readonly string[]).includes(v)) throw new InvalidArgumentError(`"${v}" is not a layer; use l4, mesh or both.`);
  return v as Layer;
}

function parseFormat(v: string): FlowFormat {
  if (!(FLOW_FORMATS as readonly string[]).includes(v)) throw new InvalidArgumentError(`"${v}" is not a format; use ${FLOW_FORMATS.join(', ')}.`);
  return v as FlowFormat;
}

interface SpecInput {
  readonly spec: RegistrySpec;
  /** The spec as a document of the input (so WARD-FLOW rules see it in the HTML report's check). */
  readonly document: LoadedDocument;
  readonly hashes: InputHash[];
}

async function readSpec(file: string, maxBytes: number | undefined): Promise<SpecInput> {
  const { source, text, document, spec } = await readSpecFile(file, maxBytes);
  const raw = document as Record<string, unknown>;
  const object: KubeObject = raw.kind === KIND
    ? (raw as unknown as KubeObject)
    : { apiVersion: API_VERSION, kind: KIND, metadata: { name: spec.release, namespace: spec.namespace }, spec: raw };
  const location = { file: source, line: 1, column: 1 };
  return { spec, document: { object, file: source, docIndex: 0, line: 1, column: 1, locate: () => location }, hashes: [{ file: source, sha256: createHash('sha256').update(text).digest('hex') }] };
}

interface Gathered {
  readonly index: ObjectIndex;
  readonly documents: readonly LoadedDocument[];
  readonly objects: readonly KubeObject[] | undefined;
  readonly hashes: InputHash[];
  /** Input errors (already on stderr): what could be read is analysed, and the exit code is 2. */
  readonly inputErrors?: number;
}

async function gather(paths: readonly string[], opts: FlowsOptions, profile: Profile): Promise<Gathered> {
  // flows reads specs (--spec, or RegistryDeployments in the input) and loads the model for them anyway.
  await loadSpecParser();
  const personal = profile.personalData ? { personalData: profile.personalData } : {};
  if (opts.cluster) {
    if (paths.length) throw new UsageError('give either paths or --cluster, not both');
    const objects = await readClusterObjects(opts);
    return { index: buildIndex({ objects, cluster: true, ...personal }), documents: [], objects, hashes: [] };
  }
  if (!paths.length) throw new UsageError('nothing to analyse: give files, directories or "-" for stdin (or --cluster)');
  const load = await loadPaths(paths, { stdin: process.stdin, limits: limitsOf(opts) });
  writeWarnings('ward flows', load.warnings);
  for (const e of load.errors) process.stderr.write(`ward flows: ${e.message}\n`);
  const index = buildIndex({ documents: load.documents, ...personal, ...(opts.defaultNamespace !== undefined ? { defaultNamespace: opts.defaultNamespace } : {}) });
  const notice = namespaceNoticeLine('ward flows', index.namespaceDefault);
  if (notice) process.stderr.write(notice);
  return { index, documents: load.documents, objects: undefined, hashes: (load.inputs ?? []).map(({ file, sha256 }) => ({ file, sha256 })), inputErrors: load.errors.length };
}

function render(inputs: FlowInputs, analysis: FlowAnalysis, format: Exclude<FlowFormat, 'html'>): string {
  switch (format) {
    case 'summary': return toSummary(flowFacts(inputs, analysis).summary!);
    case 'json': return toJson(analysis);
    case 'csv': return toCsv(analysis);
    case 'md': return toMarkdown(analysis);
    case 'dot': return toDot(analysis);
    case 'svg': return toSvg(analysis);
    default: return toConnlist(analysis);
  }
}

/** The evidence time: SOURCE_DATE_EPOCH (reproducible reports) or the clock. Read at the edge only. */
function reportTime(): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  return (epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date()).toISOString();
}

function htmlReport(g: Gathered, inputs: FlowInputs, analysis: FlowAnalysis, spec: SpecInput | undefined, context: { defaultNamespace: string | undefined; profile: Profile }): string {
  const { defaultNamespace, profile } = context;
  const time = reportTime();
  const ns = defaultNamespace !== undefined ? { defaultNamespace } : {};
  const check = g.objects
    ? runCheck({ objects: [...g.objects, ...(spec ? [spec.document.object] : [])], cluster: true, now: new Date(time), profile })
    : runCheck({ documents: [...g.documents, ...(spec ? [spec.document] : [])], now: new Date(time), profile, ...ns });
  return renderHtmlReport({
    title: 'ward flows report',
    check,
    flows: flowFacts(inputs, analysis),
    mtls: mtlsRows(g.index),
    evidence: { toolVersion: VERSION, profile: check.summary.profile, time, inputs: [...g.hashes, ...(spec ? spec.hashes : [])] },
  });
}

async function emit(text: string, output: string | undefined): Promise<void> {
  if (output) await writeOutputFile(output, text);
  else process.stdout.write(text);
}

function runExplain(inputs: FlowInputs, args: readonly string[], layer: Layer): string {
  const [srcText, dstText, portText] = args;
  if (args.length !== 3 || !srcText || !dstText || !portText) throw new UsageError('--explain takes three values: SRC DST PORT (e.g. --explain dev/registry dev/postgresql 5432, or UDP/53)');
  const [protoText, numText] = portText.includes('/') ? portText.split('/', 2) : ['TCP', portText];
  const port = Number(numText);
  const protocol = (protoText ?? 'TCP').toUpperCase();
  if (!Number.isInteger(port) || port < 1 || port > 65535 || !isProtocol(protocol)) throw new UsageError(`--explain port "${portText}" must be 1-65535, optionally prefixed TCP/, UDP/ or SCTP/`);
  const ctx = buildFlowContext(inputs.index);
  const src = resolveEndpoint(ctx, srcText);
  const dst = resolveEndpoint(ctx, dstText);
  if (typeof src === 'string') throw new UsageError(`--explain source: ${src}`);
  if (typeof dst === 'string') throw new UsageError(`--explain destination: ${dst}`);
  return formatExplanation(explain(ctx, { src, dst, protocol, port, layer }));
}

/** The --focus value when it names a workload of the input (as `focus` matches it); else a usage error naming the nearest. */
function checkFocus(analysis: FlowAnalysis, wanted: string): string {
  const w = analysis.workloads;
  if (w.some((n) => n.id === wanted || `${n.namespace}/${n.name}` === wanted || n.name === wanted)) return wanted;
  const names = w.map((n) => `${n.namespace}/${n.name}`);
  const nearest = nearestNames(wanted, names);
  throw new UsageError(`--focus "${wanted}" names no workload of the input${nearest.length ? `; nearest: ${nearest.join(', ')}` : ' (it has none)'} (give name, ns/name or ns/name[Kind])`);
}

async function runFlows(paths: string[], opts: FlowsOptions): Promise<number> {
  const profile = await resolveProfile(opts.profile);
  const g = await gather(paths, opts, profile);
  const code = await analyse(g, opts, profile);
  return g.inputErrors ? ExitCode.Usage : code;
}

async function analyse(g: Gathered, opts: FlowsOptions, profile: Profile): Promise<number> {
  refuseEmpty(g.index.objects.length, g.inputErrors ?? 0, opts.allowEmpty === true);
  const spec = opts.spec ? await readSpec(opts.spec, opts.maxFileSize) : undefined;
  const inputs = withPlaceholders(g.index, spec?.spec);
  if (inputs.placeholders > 0) process.stderr.write(`ward flows: ${String(inputs.placeholders)} component(s) without a workload in the input are represented by placeholders from the spec\n`);
  if (opts.explain) {
    await emit(runExplain(inputs, opts.explain, opts.layer), opts.output);
    return 0;
  }
  let analysis = analyzeInputs(inputs, opts.layer);
  if (opts.focus) analysis = focus(analysis, checkFocus(analysis, opts.focus));
  const format = opts.format ?? (!opts.output && process.stdout.isTTY ? 'summary' : 'connlist');
  await emit(format === 'html' ? htmlReport(g, inputs, analysis, spec, { defaultNamespace: opts.defaultNamespace, profile }) : render(inputs, analysis, format), opts.output);
  return inputs.spec ? reportIntent(inputs, inputs.spec, g.index) : 0;
}

/** The intent diff on stderr; 1 when the effective flows differ from the declared ones. */
function reportIntent(inputs: FlowInputs, spec: NonNullable<FlowInputs['spec']>, index: Gathered['index']): number {
  const diff = intentDiff(spec, analyzeInputs(inputs, 'both'));
  const unmatched = unmatchedComponents(spec, index);
  for (const u of unmatched) process.stderr.write(`ward flows: ${FLOW_COMPONENT_SELECTS_NOTHING}: ${unmatchedComponentMessage(spec, u)}\n`);
  const undeclared = diff.undeclaredEdges.length + diff.undeclaredEgress.length;
  if (undeclared + diff.blockedFlows.length + unmatched.length === 0) {
    process.stderr.write('ward flows: effective flows match the declared flows\n');
    return 0;
  }
  const selecting = unmatched.length ? `, ${String(unmatched.length)} component(s) selecting no workload` : '';
  process.stderr.write(`ward flows: ${String(undeclared)} undeclared connection(s) allowed, ${String(diff.blockedFlows.length)} declared flow(s) blocked${selecting} (WARD-FLOW-001/002${unmatched.length ? '/004' : ''}; details: ward check)\n`);
  return 1;
}

/** `ward flows`: effective connectivity (NetworkPolicy + Istio), intent diff and reports. */
export function registerFlows(program: Command): void {
  addLimitOptions(program
    .command('flows')
    .description('Who can actually reach whom: effective connectivity from NetworkPolicy and Istio policy, compared with the declared flows.')
    .argument('[paths...]', 'files, directories or "-" for stdin')
    .addOption(new Option('--format <format>', `output format: ${FLOW_FORMATS.join(', ')} (default: summary on a terminal, connlist otherwise)`).argParser(parseFormat))
    .addOption(new Option('--layer <layer>', 'l4 (NetworkPolicy), mesh (Istio) or both').argParser(parseLayer).default('both'))
    .option('--focus <workload>', 'only connections to or from this workload (name, ns/name or ns/name[Kind])')
    .option('--explain <src-dst-port...>', 'explain one connection: SRC DST PORT (give paths before it)')
    .option('--allow-empty', 'accept an input with no objects (otherwise exit 2: "no objects in the input")')
    .option('--spec <file>', 'RegistryDeployment or bare spec with the declared flows')
    .option('-o, --output <file>', 'write to FILE instead of stdout')
    .option('--cluster', 'read the objects from a live cluster (read-only)')
    .option('--context <context>', 'kubeconfig context (with --cluster)')
    .option('--kubeconfig <file>', 'kubeconfig file (with --cluster)')
    .option('--default-namespace <ns>', 'namespace of objects that name none (default: the one namespace the other objects name, else "default")')
    .option('--profile <name|file>', `rule profile for the personal-data holders (openg2p-audit recognises the OpenG2P data stores by image) and the HTML report's findings: ${BUILTIN_PROFILES.join(', ')} or a profile YAML file`, DEFAULT_PROFILE))
    .addHelpText('after', HELP)
    .action(async (paths: string[], opts: FlowsOptions) => {
      process.exitCode = await runFlows(paths, opts);
    });
}
