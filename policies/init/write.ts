/**
 * The inferred spec as a RegistryDeployment YAML with its evidence as comments. Pure and
 * deterministic: the same inference gives the same bytes. Strings are written as YAML 1.1 reads
 * them (the schema Kubernetes and ward's loader use), so a label value `on` stays a string.
 */
import { stringify } from 'yaml';
import { API_VERSION, KIND } from '../../charts-src/kube.js';
import type { Inference, InferredComponent, InferredFlow } from './infer.js';

const YAML_OUT = { version: '1.1', lineWidth: 0 } as const;

/** A comment line: one line, no control characters. */
function comment(indent: string, text: string): string {
  return `${indent}# ${text.replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ')}\n`;
}

function item(value: unknown, indent: string): string {
  return stringify([value], YAML_OUT).trimEnd().split('\n').map((l) => indent + l).join('\n') + '\n';
}

function componentValue(c: InferredComponent, specNamespace: string): Record<string, unknown> {
  return {
    name: c.name,
    ...(c.namespace !== specNamespace ? { namespace: c.namespace } : {}),
    selector: c.selector,
    serviceAccount: c.serviceAccount,
    ports: c.ports.map((p) => ({ name: p.name, port: p.port, ...(p.protocol === 'UDP' ? { protocol: 'UDP' } : {}) })),
    personalData: c.personalData,
    ...(c.exposure ? { exposure: { type: 'ingress', hosts: c.exposure.hosts, port: c.exposure.port } } : {}),
    ...(c.sharedIdentityReason ? { sharedIdentityReason: c.sharedIdentityReason } : {}),
  };
}

/** Evidence lines shown per flow; the rest are counted. */
const MAX_EVIDENCE = 4;

function flowValue(f: InferredFlow): Record<string, unknown> {
  return {
    from: f.from,
    to: { component: f.to },
    ports: f.ports.map((p) => ({ port: p.port, ...(p.protocol === 'UDP' ? { protocol: 'UDP' } : {}) })),
    description: `inferred by ward init from ${f.evidence.length === 1 ? 'one reference' : `${String(f.evidence.length)} references`} in ${f.from}'s configuration`,
  };
}

export interface WriteOptions {
  /** What was read, for the header: file names, or "the cluster (context x)". */
  readonly source: string;
}

export function inferenceToYaml(inf: Inference, options: WriteOptions): string {
  let out = '';
  out += comment('', `RegistryDeployment inferred by \`ward init\` from ${options.source}: ${String(inf.workloads)} workload(s), ${String(inf.components.length)} component(s), ${String(inf.flows.length)} flow(s).`);
  out += comment('', 'Review before use: each component and flow below names the evidence it was inferred from; TODOs at the end need a decision.');
  out += comment('', 'Secret values were not read. Check it with: ward synth -f THIS_FILE | ward flows - RENDER --spec THIS_FILE');
  out += stringify({ apiVersion: API_VERSION, kind: KIND, metadata: { name: inf.release, namespace: inf.namespace } }, YAML_OUT);
  out += 'spec:\n';
  out += stringify({ release: inf.release, namespace: inf.namespace }, YAML_OUT).split('\n').filter((l) => l !== '').map((l) => `  ${l}\n`).join('');
  out += inf.components.length > 0 ? '  components:\n' : '  components: []\n';
  for (const c of inf.components) {
    for (const e of c.evidence) out += comment('    ', e);
    out += item(componentValue(c, inf.namespace), '    ');
  }
  out += inf.flows.length > 0 ? '  flows:\n' : '  flows: []\n';
  for (const f of inf.flows) {
    for (const e of f.evidence.slice(0, MAX_EVIDENCE)) out += comment('    ', `from ${e}`);
    if (f.evidence.length > MAX_EVIDENCE) out += comment('    ', `(and ${String(f.evidence.length - MAX_EVIDENCE)} more references)`);
    out += item(flowValue(f), '    ');
  }
  if (inf.notComponents.length > 0) {
    out += comment('', 'Not components (they get no flow; ward\'s default deny applies to them):');
    for (const n of inf.notComponents) out += comment('', `  ${n.workload}: ${n.reason}`);
  }
  if (inf.todos.length > 0) {
    out += comment('', `TODO (${String(inf.todos.length)}): addresses and routes ward could not turn into a component or flow:`);
    for (const t of inf.todos) out += comment('', `  ${t}`);
  }
  return out;
}
