import { InvalidArgumentError, Option, type Command } from 'commander';
import type { KubeObject } from '../../charts-src/kube.js';
import { exitCodeOf, runCheck, type CheckResult } from '../../policies/engine.js';
import { loadPaths, yamlSyntaxError, type LoadResult } from '../../policies/load/index.js';
import { BUILTIN_PROFILES, DEFAULT_PROFILE, type Profile } from '../../policies/profiles.js';
import { ObjectIndex } from '../../policies/index/object-index.js';
import { loadSpecParserFor } from '../../policies/flows/spec-parser.js';
import type { HtmlReport } from '../../policies/reporters/html.js';
import { isReporterName, reporters } from '../../policies/reporters/index.js';
import { GROUP_BY, type GroupBy } from '../../policies/reporters/types.js';
import { isSeverity, type Severity } from '../../policies/types.js';
import { parseWaiversFile, type Waiver } from '../../policies/waivers.js';
import { UsageError } from '../exit-codes.js';
import { namespaceNoticeLine, readTextInput, writeWarnings } from '../input.js';
import { addLimitOptions, limitsOf, type LimitOptions } from '../limits.js';
import { refuseEmpty } from '../guards.js';
import { fileErrorReason, writeOutputFile } from '../write.js';
import { VERSION } from '../../policies/load/root.js';
import { resolveProfile } from '../profile-input.js';


interface Output {
  readonly format: string;
  file?: string;
}

interface CheckOptions extends LimitOptions {
  profile: string;
  failOn: Severity;
  allowEmpty?: boolean;
  cluster?: boolean;
  context?: string;
  kubeconfig?: string;
  defaultNamespace?: string;
  groupBy: GroupBy;
  summary?: boolean;
}

const HELP = `
Inputs: files, directories (recursive: .yaml, .yml, .json) and "-" for stdin; multi-document YAML,
List objects, helm template and kustomize output. With --cluster, objects are read from the cluster.

--format may be given several times; each -o FILE writes the format given just before it
(ward check dir --format sarif -o out.sarif --format text). Without -o a format goes to stdout.

Waivers: annotation ward.g2p.dev/waive: "WARD-POD-007: reason; expires=2027-03-31; owner=team-x"
(one per line) or --waivers FILE (YAML list of rule, kind, namespace, name, reason, owner, expires).
A waiver names one rule id (a wildcard such as WARD-POD-* or * is an input error) and needs a
reason; expires must be a date YYYY-MM-DD; expired waivers stop suppressing; --no-waivers ignores
all of them, wherever it stands on the command line.

Profiles: a profile file selects rules with include/exclude lists and may list the images of data
stores whose workloads hold personal data (personalData.images; openg2p-audit lists the OpenG2P
ones); one that selects no rule, or has a field of the wrong type, is an input error (exit 2).

Exit codes:
  0  no finding at or above --fail-on
  1  findings at or above --fail-on
  2  usage error or input error (malformed YAML, binary or oversized input, unreadable path,
     a malformed waiver or profile, no objects in the input without --allow-empty); documents that are not Kubernetes objects are skipped with a warning

Input bounds (counted as read, pipes and FIFOs too): --max-file-size (32MiB), --max-total-size
(256MiB), --max-documents (500000 YAML documents and List items in all inputs).

Rule catalogue, profiles and the JSON schema: docs/check.md.`;

export function parseSeverity(v: string): Severity {
  if (!isSeverity(v)) throw new InvalidArgumentError(`"${v}" is not a severity; use critical, high, medium or low.`);
  return v;
}

export async function readWaivers(file: string): Promise<{ waivers: Waiver[]; errors: LoadResult['errors'] }> {
  let text: string;
  try {
    text = await readTextInput(file, 'waivers file');
  } catch (err) {
    throw new UsageError(`cannot read waivers file ${file}: ${fileErrorReason(err)}`);
  }
  // Checked here so that no YAML parser message (which can quote the file) reaches the output.
  const syntax = yamlSyntaxError(text, file);
  return syntax ? { waivers: [], errors: [syntax] } : parseWaiversFile(text, file);
}

export interface Gathered {
  readonly documents?: LoadResult['documents'];
  readonly objects?: KubeObject[];
  readonly errors: LoadResult['errors'];
  readonly inputs?: LoadResult['inputs'];
  readonly cluster: boolean;
}

async function gather(paths: readonly string[], opts: CheckOptions): Promise<Gathered> {
  if (opts.cluster) {
    if (paths.length) throw new UsageError('give either paths or --cluster, not both');
    const { readCluster } = await import('../../policies/cluster.js');
    try {
      const objects = await readCluster({ ...(opts.context ? { context: opts.context } : {}), ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}) });
      return { objects, errors: [], cluster: true };
    } catch (err) {
      throw new UsageError(`cannot read the cluster: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (opts.context || opts.kubeconfig) throw new UsageError('--context and --kubeconfig go with --cluster');
  if (!paths.length) throw new UsageError('nothing to check: give files, directories or "-" for stdin (or --cluster)');
  const load = await loadPaths(paths, { stdin: process.stdin, limits: limitsOf(opts) });
  writeWarnings('ward check', load.warnings);
  return { documents: load.documents, errors: load.errors, inputs: load.inputs ?? [], cluster: false };
}

export interface AuditOptions {
  readonly profile: Profile;
  readonly failOn: Severity;
  readonly waivers: { readonly waivers: Waiver[]; readonly errors: LoadResult['errors'] };
  readonly noWaivers: boolean;
  readonly defaultNamespace?: string | undefined;
}

/**
 * The audit of gathered objects, as `ward check` runs it (also `ward helm-postrender`): the spec
 * parser when the input holds RegistryDeployments, then the rule engine; the namespace notice on stderr.
 */
export async function auditGathered(gathered: Gathered, opts: AuditOptions, command = 'ward check'): Promise<CheckResult> {
  await loadSpecParserFor(gathered.objects ?? (gathered.documents ?? []).map((d) => d.object));
  const result = runCheck({
    ...(gathered.objects ? { objects: gathered.objects } : { documents: gathered.documents ?? [] }),
    inputErrors: [...gathered.errors, ...opts.waivers.errors],
    inputs: gathered.inputs ?? [],
    cluster: gathered.cluster,
    profile: opts.profile,
    waivers: opts.waivers.waivers,
    noWaivers: opts.noWaivers,
    now: new Date(),
    failOn: opts.failOn,
    ...(opts.defaultNamespace ? { defaultNamespace: opts.defaultNamespace } : {}),
  });
  const notice = namespaceNoticeLine(command, result.namespaceDefault);
  if (notice) process.stderr.write(notice);
  return result;
}

/**
 * The HTML report's flow matrix and mTLS coverage need the objects, not just the findings: built
 * only when an html output was asked for.
 */
async function htmlContext(result: CheckResult, gathered: Gathered, defaultNamespace: string | undefined, profile: Profile): Promise<Partial<HtmlReport>> {
  const { htmlExtras } = await import('../../policies/flows/report.js');
  const options = { cluster: gathered.cluster, ...(defaultNamespace ? { defaultNamespace } : {}), ...(profile.personalData ? { personalData: profile.personalData } : {}) };
  const index = gathered.objects ? ObjectIndex.fromObjects(gathered.objects, options) : ObjectIndex.fromDocuments(gathered.documents ?? [], options);
  const inputs = result.inputs.map(({ file, sha256 }) => ({ file, sha256 }));
  return htmlExtras(index, { toolVersion: VERSION, profile: result.summary.profile, time: new Date().toISOString(), inputs });
}

function parseGroupBy(v: string): GroupBy {
  if (!(GROUP_BY as readonly string[]).includes(v)) throw new InvalidArgumentError(`"${v}" is not a grouping; use ${GROUP_BY.join(' or ')}.`);
  return v as GroupBy;
}

interface TextLayout {
  readonly groupBy: GroupBy;
  readonly summaryOnly: boolean;
}

async function writeOutputs(result: CheckResult, outputs: readonly Output[], layout: TextLayout, html: () => Promise<Partial<HtmlReport>>): Promise<void> {
  const tty = Boolean(process.stdout.isTTY);
  const color = !process.env.NO_COLOR && tty;
  // Wrap only on a terminal (its width); a pipe or a file gets one line per entry.
  const width = tty && process.stdout.columns > 0 ? process.stdout.columns : undefined;
  for (const o of outputs.length ? outputs : [{ format: 'text' }]) {
    const reporter = reporters[o.format];
    if (!reporter) continue;
    const extra = o.format === 'html' ? { html: await html() } : {};
    const terminal = !o.file && width !== undefined ? { width } : {};
    const text = reporter(result, { color: color && !o.file, toolVersion: VERSION, cwd: process.cwd(), ...layout, ...terminal, ...extra });
    if (o.file) await writeOutputFile(o.file, text, `${o.format} report`);
    else process.stdout.write(text);
  }
}

/** `ward policy-check` (alias `ward check`): audit manifests or a live cluster against the rule catalogue. */
export function registerCheck(program: Command): void {
  let outputs: Output[] = [];
  // --waivers FILE and --no-waivers are read independently so that --no-waivers (auditor mode) wins
  // whatever their order: commander keeps only the last of two options sharing one attribute.
  let waiversFile: string | undefined;
  let auditorMode = false;
  const command = addLimitOptions(program
    .command('policy-check')
    .alias('check')
    .description('Audit manifests (files, directories, stdin) or a live cluster against ward\'s rule catalogue.')
    .argument('[paths...]', 'files, directories or "-" for stdin')
    .option('--profile <name|file>', `rule profile: ${BUILTIN_PROFILES.join(', ')} or a profile YAML file`, DEFAULT_PROFILE)
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity', parseSeverity, 'high')
    .addOption(new Option('--format <format>', `report format: ${Object.keys(reporters).join(', ')} (repeatable; default text)`).argParser((v: string) => {
      if (!isReporterName(v)) throw new InvalidArgumentError(`"${v}" is not a format; use ${Object.keys(reporters).join(', ')}.`);
      outputs.push({ format: v });
      return v;
    }))
    .addOption(new Option('-o, --output <file>', 'write the format given just before to FILE (repeatable)').argParser((v: string) => {
      const last = outputs.at(-1);
      if (!last || last.file !== undefined) throw new InvalidArgumentError(`-o ${v} must follow a --format it applies to (e.g. --format sarif -o ${v}).`);
      last.file = v;
      return v;
    }))
    .addOption(new Option('--waivers <file>', 'central waivers file (YAML list)').argParser((v: string) => {
      waiversFile = v;
      return v;
    }))
    .option('--no-waivers', 'auditor mode: ignore every waiver (annotations and file), whatever the order of the options')
    .option('--allow-empty', 'accept an input with no objects (otherwise exit 2: "no objects in the input")')
    .option('--cluster', 'read the objects from a live cluster (read-only)')
    .option('--context <context>', 'kubeconfig context (with --cluster)')
    .option('--kubeconfig <file>', 'kubeconfig file (with --cluster; default: KUBECONFIG or ~/.kube/config)')
    .option('--default-namespace <ns>', 'namespace of objects that name none (default: the one namespace the other objects name, else "default")')
    .addOption(new Option('--group-by <grouping>', 'text report: findings by severity → rule (remediation once per rule) or by object').argParser(parseGroupBy).default('rule'))
    .option('--summary', 'text report: only the summary (counts per severity and per rule), no findings'))
    .addHelpText('after', HELP)
    .action(async (paths: string[], opts: CheckOptions) => {
      const chosen = outputs;
      const noWaivers = auditorMode;
      const file = noWaivers ? undefined : waiversFile;
      outputs = [];
      waiversFile = undefined;
      auditorMode = false;
      const profile = await resolveProfile(opts.profile);
      const fileWaivers = file !== undefined ? await readWaivers(file) : { waivers: [], errors: [] };
      const gathered = await gather(paths, opts);
      refuseEmpty(gathered.objects?.length ?? gathered.documents?.length ?? 0, gathered.errors.length, opts.allowEmpty === true);
      const result = await auditGathered(gathered, { profile, failOn: opts.failOn, waivers: fileWaivers, noWaivers, defaultNamespace: opts.defaultNamespace });
      await writeOutputs(result, chosen, { groupBy: opts.groupBy, summaryOnly: opts.summary === true }, () => htmlContext(result, gathered, opts.defaultNamespace, profile));
      process.exitCode = exitCodeOf(result);
    });
  command.on('option:no-waivers', () => {
    auditorMode = true;
  });
}
