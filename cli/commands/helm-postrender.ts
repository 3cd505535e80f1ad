import { Readable } from 'node:stream';
import { Option, type Command } from 'commander';
import { exitCodeOf, type CheckResult } from '../../policies/engine.js';
import { loadPaths, ReadError, readStreamBounded } from '../../policies/load/index.js';
import { VERSION } from '../../policies/load/root.js';
import { DEFAULT_PROFILE, BUILTIN_PROFILES } from '../../policies/profiles.js';
import { reporters } from '../../policies/reporters/index.js';
import type { Severity } from '../../policies/types.js';
import { ExitCode, UsageError } from '../exit-codes.js';
import { refuseEmpty } from '../guards.js';
import { writeWarnings } from '../input.js';
import { addLimitOptions, limitsOf, type LimitOptions } from '../limits.js';
import { resolveProfile } from '../profile-input.js';
import { writeOutputFile } from '../write.js';
import { auditGathered, parseSeverity, readWaivers } from './check.js';

interface PostrenderOptions extends LimitOptions {
  profile: string;
  failOn: Severity;
  addHardening?: string;
  waivers?: string;
  defaultNamespace?: string;
  summary?: boolean;
  allowEmpty?: boolean;
  report?: string;
  reportFormat: ReportFormat;
}

/** Formats --report writes (html needs the objects' flow matrix: use ward check for it). */
const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

const NAME = 'ward helm-postrender';

const HELP = `
A Helm post-renderer: Helm writes the rendered manifests to its stdin and applies (or, for helm
template, prints) what it writes to stdout. ward audits them with the rule catalogue, as
ward check does:
  - they pass (nothing at or above --fail-on): the manifests go to stdout unchanged, byte for
    byte, with a one-line summary on stderr;
  - they do not: nothing goes to stdout, the report goes to stderr and the exit code is 1, so
    helm install, upgrade and template stop and show it.
--add-hardening SPEC appends ward's synthesised objects for that spec (a RegistryDeployment or a
bare spec, as for ward synth -f) after the manifests; the audit covers both, so the hardening
counts (a PeerAuthentication makes the chart's workloads STRICT mTLS).

Helm 3 takes the post-renderer as one executable; its arguments go in --post-renderer-args, one
flag each. ward ships the executable ward-postrender (bin/ward-postrender.js), which runs
ward helm-postrender with them:
  helm template sr chart.tgz -n sr --post-renderer ward-postrender \\
    --post-renderer-args --profile=openg2p-audit --post-renderer-args --add-hardening=spec.yaml
  helm install sr chart.tgz -n sr --post-renderer ./node_modules/.bin/ward-postrender

--report FILE writes the report to FILE as well, passed or not, in --report-format (text, json,
sarif, junit): a CI job running helm upgrade uploads the SARIF.

Objects that name no namespace are taken to be in --default-namespace (Helm does not tell a
post-renderer its -n); without it, in the one namespace the others name, else "default".

Exit codes:
  0  passed: the manifests (and the hardening) are on stdout
  1  findings at or above --fail-on: the report is on stderr, stdout is empty
  2  usage or input error (malformed YAML, oversized input, a bad spec, profile or waivers file,
     no objects without --allow-empty): the message is on stderr, stdout is empty

The rules, profiles and waivers are ward check's: docs/check.md; Helm use: docs/helm.md.`;

async function readStdin(opts: PostrenderOptions): Promise<Buffer> {
  const { maxFileBytes } = limitsOf(opts);
  try {
    return await readStreamBounded(process.stdin, { maxBytes: maxFileBytes, name: '<stdin>' });
  } catch (err) {
    if (err instanceof ReadError) throw new UsageError(`cannot read <stdin>: ${err.reason}`);
    throw err;
  }
}

/** The hardening objects of a spec file as YAML documents (cdk8s is loaded only here). */
async function hardening(file: string): Promise<string> {
  if (file === '-') throw new UsageError('--add-hardening - cannot read the spec from stdin: stdin holds the manifests Helm rendered; give the spec file');
  const [{ readSpecFile }, { synthesize, toYaml }, { registryDeploymentOwner }] = await Promise.all([
    import('../spec-input.js'), import('../../charts-src/synthesize.js'), import('../../charts-src/model/index.js'),
  ]);
  const { document, spec } = await readSpecFile(file);
  const owner = registryDeploymentOwner(document);
  return toYaml(synthesize(spec, owner ? { owner } : {}));
}

/** The manifests with the hardening after them, one `---` between. */
export function appendDocuments(manifests: Buffer, extra: string): Buffer {
  if (extra === '') return manifests;
  const text = manifests.toString('utf8');
  const sep = text === '' || text.endsWith('\n') ? '---\n' : '\n---\n';
  return Buffer.concat([manifests, Buffer.from(sep + extra, 'utf8')]);
}

function report(result: CheckResult, summaryOnly: boolean, format: ReportFormat = 'text'): string {
  return reporters[format]!(result, { color: false, toolVersion: VERSION, cwd: process.cwd(), groupBy: 'rule', summaryOnly });
}

export async function runPostrender(opts: PostrenderOptions): Promise<number> {
  const profile = await resolveProfile(opts.profile);
  const waivers = opts.waivers !== undefined ? await readWaivers(opts.waivers) : { waivers: [], errors: [] };
  const extra = opts.addHardening !== undefined ? await hardening(opts.addHardening) : '';
  const output = appendDocuments(await readStdin(opts), extra);
  const load = await loadPaths(['-'], { stdin: Readable.from([output]), limits: limitsOf(opts) });
  writeWarnings(NAME, load.warnings);
  refuseEmpty(load.documents.length, load.errors.length, opts.allowEmpty === true);
  const gathered = { documents: load.documents, errors: load.errors, inputs: load.inputs ?? [], cluster: false };
  const result = await auditGathered(gathered, { profile, failOn: opts.failOn, waivers, noWaivers: false, defaultNamespace: opts.defaultNamespace }, NAME);
  const code = exitCodeOf(result);
  if (opts.report !== undefined) await writeOutputFile(opts.report, report(result, false, opts.reportFormat), `${opts.reportFormat} report`);
  if (code !== ExitCode.Ok) {
    process.stderr.write(report(result, opts.summary === true));
    process.stderr.write(`${NAME}: the manifests did not pass (profile ${result.summary.profile}, --fail-on ${opts.failOn}); nothing was written to stdout\n`);
    return code;
  }
  process.stdout.write(output);
  const s = result.summary;
  process.stderr.write(`${NAME}: passed: ${String(s.objects)} objects${extra ? ' (with the hardening)' : ''}, profile ${s.profile}, no finding at or above ${opts.failOn} (${String(s.findings)} below, ${String(s.suppressed)} waived)\n`);
  return code;
}

/** `ward helm-postrender`: the audit between `helm template|install|upgrade` and the cluster. */
export function registerHelmPostrender(program: Command): void {
  addLimitOptions(program
    .command('helm-postrender')
    .description('Helm post-renderer: audit the rendered manifests on stdin; pass them through unchanged (optionally with ward\'s hardening) or fail with the report.')
    .option('--profile <name|file>', `rule profile: ${BUILTIN_PROFILES.join(', ')} or a profile YAML file`, DEFAULT_PROFILE)
    .option('--fail-on <severity>', 'fail when a finding is at or above this severity', parseSeverity, 'high')
    .option('--add-hardening <spec>', 'append the objects ward synth -f SPEC would write (audited with the manifests)')
    .option('--waivers <file>', 'central waivers file (YAML list), as for ward check')
    .option('--default-namespace <ns>', 'namespace of objects that name none (pass Helm\'s -n)')
    .option('--summary', 'on failure, report only the summary (counts per severity and rule)')
    .option('--allow-empty', 'accept a render with no objects')
    .option('--report <file>', 'also write the report to FILE, passed or not')
    .addOption(new Option('--report-format <format>', 'format of --report').choices([...REPORT_FORMATS]).default('text')))
    .addHelpText('after', HELP)
    .action(async (opts: PostrenderOptions) => {
      process.exitCode = await runPostrender(opts);
    });
}
