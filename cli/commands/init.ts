import type { Command } from 'commander';
import { parseRegistrySpec, formatIssues } from '../../charts-src/model/index.js';
import { buildIndex } from '../../policies/engine.js';
import { inferSpec } from '../../policies/init/infer.js';
import { useSpecParser } from '../../policies/flows/spec-parser.js';
import { inferenceToYaml } from '../../policies/init/write.js';
import type { IndexOptions, ObjectIndex } from '../../policies/index/object-index.js';
import { KUBE_YAML } from '../../policies/load/kube-yaml.js';
import { loadPaths } from '../../policies/load/index.js';
import { parse } from 'yaml';
import { ExitCode, UsageError } from '../exit-codes.js';
import { inputName, namespaceNoticeLine, writeWarnings } from '../input.js';
import { addLimitOptions, limitsOf, type LimitOptions } from '../limits.js';
import { writeOutputFile } from '../write.js';
import { readClusterObjects } from '../cluster-input.js';
import { builtinProfile } from '../../policies/profiles.js';

/** The images `ward init` takes as stores of personal data: the openg2p-audit profile's list (the one list). */
const recognisers = (): Pick<IndexOptions, 'personalData'> => ({ personalData: builtinProfile('openg2p-audit').personalData ?? { images: [] } });

interface InitOptions extends LimitOptions {
  from?: string[];
  cluster?: boolean;
  context?: string;
  kubeconfig?: string;
  output?: string;
  release?: string;
  namespace?: string;
  defaultNamespace?: string;
}

const HELP = `
Infers a RegistryDeployment from what a render, a directory or a live cluster runs, so that a chart
ward has no preset for gets a spec in minutes:
  - components from workloads: the workload's selector (or its stable pod labels: never chart
    versions or hashes), its service account, its container ports and the target ports of the
    Services selecting it; Helm hooks and pods of controllers are listed, not made components;
  - personal data for Odoo, PostgreSQL, MinIO, the MOSIP key manager and OpenSearch images, and
    for pods labelled ward.g2p.dev/personal-data: "true";
  - exposure from the VirtualServices and Ingresses that route a host to a component;
  - flows from the addresses each workload's configuration names (env values, arguments,
    ConfigMaps it reads: sr-postgresql, sr-keymanager.sr.svc, http://sr-keymanager/v1/keymanager,
    host:port), resolved to the Service, its workloads and target ports.
Every component and flow carries a YAML comment with its evidence (file:line and field). Addresses
that name nothing in the input (another namespace, an external host) are TODO comments at the end.
Secret values are never read. The output is deterministic and passes \`ward synth -f\`.

Examples:
  helm template sr chart.tgz -n sr | ward init --from - -o spec.yaml
  ward init --from manifests/ --release sr -o spec.yaml
  ward init --cluster --namespace sr -o spec.yaml
  ward synth -f spec.yaml | ward flows - render.yaml --spec spec.yaml

Exit codes: 0 spec written; 2 usage error, input error (malformed YAML, unreadable or oversized
input), or no workload in the input (nothing to infer from). Details: docs/init.md.`;

async function gatherCluster(opts: InitOptions): Promise<{ index: ObjectIndex; source: string; inputErrors: number }> {
  let objects = await readClusterObjects(opts);
  if (opts.namespace) objects = objects.filter((o) => o.metadata.namespace === undefined || o.metadata.namespace === opts.namespace);
  return { index: buildIndex({ objects, cluster: true, ...recognisers() }), source: `the cluster${opts.context ? ` (context ${opts.context})` : ''}${opts.namespace ? `, namespace ${opts.namespace}` : ''}`, inputErrors: 0 };
}

async function gather(opts: InitOptions): Promise<{ index: ObjectIndex; source: string; inputErrors: number }> {
  const from = opts.from ?? [];
  if (opts.cluster) {
    if (from.length) throw new UsageError('give either --from or --cluster, not both');
    return gatherCluster(opts);
  }
  if (!from.length) throw new UsageError('nothing to infer from: give --from FILE|DIR|- (a render, manifests or stdin) or --cluster');
  const load = await loadPaths(from, { stdin: process.stdin, limits: limitsOf(opts) });
  writeWarnings('ward init', load.warnings ?? []);
  for (const e of load.errors) process.stderr.write(`ward init: ${e.message}\n`);
  const index = buildIndex({ documents: load.documents, ...recognisers(), ...(opts.defaultNamespace !== undefined ? { defaultNamespace: opts.defaultNamespace } : {}) });
  const notice = namespaceNoticeLine('ward init', index.namespaceDefault);
  if (notice) process.stderr.write(notice);
  return { index, source: from.map(inputName).join(', '), inputErrors: load.errors.length };
}

async function runInit(opts: InitOptions): Promise<number> {
  useSpecParser(parseRegistrySpec); // a RegistryDeployment in the input is read through its spec (its preset expanded)
  const { index, source, inputErrors } = await gather(opts);
  if (index.workloads.length === 0) {
    throw new UsageError(`no workload in the input (${String(index.objects.length)} object(s), none a Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod): nothing to infer a spec from; give the chart's render (helm template ...) or the manifests that run the stack`);
  }
  const inference = inferSpec(index, { ...(opts.release ? { release: opts.release } : {}), ...(opts.namespace ? { namespace: opts.namespace } : {}) });
  if (inference.components.length === 0) throw new UsageError('no workload of the input can be a component (every one is a Helm hook, run by a controller or has no stable label): nothing to infer');
  const text = inferenceToYaml(inference, { source });
  // The output is the contract: it must be a valid spec. A failure here is a bug in ward init, said so.
  const checked = parseRegistrySpec((parse(text, KUBE_YAML) as { spec?: unknown }).spec);
  if (!checked.ok) throw new Error(`ward init produced an invalid spec (a bug; please report it): ${formatIssues(checked.issues)}`);
  if (opts.output) await writeOutputFile(opts.output, text);
  else process.stdout.write(text);
  const todos = inference.todos.length ? `; ${String(inference.todos.length)} TODO(s) to decide (comments at the end)` : '';
  process.stderr.write(`ward init: ${String(inference.components.length)} component(s), ${String(inference.flows.length)} flow(s) from ${String(inference.workloads)} workload(s) in ${source}; ${String(inference.notComponents.length)} not made components${todos}${opts.output ? `; written to ${opts.output}` : ''}\n`);
  return inputErrors > 0 ? ExitCode.Usage : ExitCode.Ok;
}

/** `ward init`: a RegistryDeployment inferred from a render, a directory or a live cluster (read-only). */
export function registerInit(program: Command): void {
  addLimitOptions(program
    .command('init')
    .description('Infer a RegistryDeployment (components, flows, exposure, personal data) from a render, manifests or a live cluster, with the evidence as comments.')
    .option('--from <path...>', 'files, directories or "-" for stdin (a helm template render, manifests)')
    .option('--cluster', 'read the objects from a live cluster (read-only)')
    .option('--context <context>', 'kubeconfig context (with --cluster)')
    .option('--kubeconfig <file>', 'kubeconfig file (with --cluster)')
    .option('-o, --output <file>', 'write the spec to FILE instead of stdout')
    .option('--release <name>', 'Helm release of the stack (default: the pods\' most common app.kubernetes.io/instance)')
    .option('--namespace <ns>', 'namespace of the spec (default: the namespace with the most workloads; with --cluster, read only it)')
    .option('--default-namespace <ns>', 'namespace of objects that name none (default: the one namespace the other objects name, else "default")'))
    .addHelpText('after', HELP)
    .action(async (opts: InitOptions) => {
      process.exitCode = await runInit(opts);
    });
}
