import { Option, type Command } from 'commander';
import { join } from 'node:path';
import type { KubeObject } from '../../charts-src/kube.js';
import { helmValuesOverlays, presets, registryDeploymentOwner } from '../../charts-src/model/index.js';
import { synthesize, toJson, toYaml } from '../../charts-src/synthesize.js';
import { UsageError } from '../exit-codes.js';
import { inputName, readTextInput } from '../input.js';
import { addLimitOptions, type LimitOptions } from '../limits.js';
import { parseSpecDocument, specFrom } from '../spec-input.js';
import { makeOutputDir, writeOutputFile } from '../write.js';

export type SynthFormat = 'yaml' | 'json';

export interface SynthOptions extends LimitOptions {
  readonly preset?: string;
  readonly release?: string;
  readonly namespace?: string;
  readonly file?: string;
  readonly output?: string;
  readonly format: SynthFormat;
  readonly helmValues?: string;
}

const HELP = `
Input (exactly one):
  --preset NAME   a known stack: ${Object.keys(presets).join(', ')}
                  (--release defaults to "openg2p", --namespace to the release name)
  -f FILE         a RegistryDeployment (apiVersion ward.g2p.dev/v1alpha1) or a bare spec; "-" reads stdin

Output: multi-document YAML (or a JSON array with --format json) on stdout, or with -o DIR one file
per object named <kind>-<namespace>-<name>.yaml (lowercase). The same input always gives the same bytes.
Objects are labelled ward.g2p.dev/owner=<namespace>.<name> of the RegistryDeployment (as the operator
labels them), or <namespace>.<release> for a bare spec or a preset.

--helm-values FILE also writes the Helm values overlay that makes the preset's chart compatible with
ward's hardening (subchart NetworkPolicies off, the plain-TCP PostgreSQL gateway off, client secrets
from Secrets; each key commented with why, and what the chart offers no value for listed at the top).
Presets with an overlay: ${Object.keys(helmValuesOverlays).join(', ')}. See docs/openg2p.md.

Examples:
  ward synth --preset openg2p-social-registry --namespace dev
  ward synth --preset openg2p-social-registry --release sr --namespace sr --helm-values ward-values.yaml > ward.yaml
  ward synth -f examples/openg2p-social-registry.yaml -o manifests/
  cat spec.yaml | ward synth -f - --format json

Exit codes: 0 manifests written; 2 usage error, unreadable input or invalid spec (each issue
printed as "path: message"). Spec reference: docs/synth.md.`;

/** Refuses contradictory inputs before anything is read. Pure. */
export function checkInputs(opts: SynthOptions): void {
  if ((opts.preset === undefined) === (opts.file === undefined)) {
    throw new UsageError('give exactly one input: --preset NAME or -f FILE (see ward synth --help)');
  }
  if (opts.file !== undefined && (opts.release !== undefined || opts.namespace !== undefined)) {
    throw new UsageError('--release and --namespace go with --preset; with -f set release and namespace in the file');
  }
}

/** The spec input an invocation describes (before parsing), or a usage error. Pure. */
export function specInput(opts: SynthOptions, fileContents?: string): { input: unknown; source: string } {
  checkInputs(opts);
  if (opts.file !== undefined) {
    const source = inputName(opts.file);
    return { input: parseSpecDocument(fileContents ?? '', source), source };
  }
  const input: Record<string, unknown> = { preset: opts.preset };
  if (opts.release !== undefined) input.release = opts.release;
  input.namespace = opts.namespace ?? opts.release ?? 'openg2p';
  return { input, source: `--preset ${opts.preset}` };
}

/** File name of an object under -o: <kind>-<namespace>-<name>.<ext>, lowercase. */
export function objectFileName(o: KubeObject, format: SynthFormat): string {
  const parts = [o.kind, o.metadata.namespace, o.metadata.name].filter((p): p is string => p !== undefined && p !== '');
  return `${parts.join('-').toLowerCase()}.${format}`;
}

export function render(objects: readonly KubeObject[], format: SynthFormat): string {
  return format === 'json' ? toJson(objects) : toYaml(objects);
}

async function writeObjects(dir: string, objects: readonly KubeObject[], format: SynthFormat): Promise<void> {
  await makeOutputDir(dir);
  for (const o of objects) await writeOutputFile(join(dir, objectFileName(o, format)), render([o], format));
  process.stderr.write(`wrote ${objects.length} objects to ${dir}\n`);
}

/** Writes the preset's Helm values overlay, or refuses a spec whose preset has none. */
async function writeHelmValues(file: string, spec: ReturnType<typeof specFrom>): Promise<void> {
  const overlay = spec.preset === undefined ? undefined : helmValuesOverlays[spec.preset];
  if (overlay === undefined) {
    throw new UsageError(`--helm-values: ${spec.preset === undefined ? 'the spec names no preset' : `preset ${spec.preset} has no Helm values overlay`}; overlays exist for: ${Object.keys(helmValuesOverlays).join(', ')}`);
  }
  await writeOutputFile(file, overlay(spec), 'Helm values overlay');
  process.stderr.write(`wrote the Helm values overlay for ${spec.preset} to ${file} (what the chart offers no value for is listed at its top)\n`);
}

export async function runSynth(opts: SynthOptions): Promise<void> {
  checkInputs(opts);
  const contents = opts.file === undefined ? undefined : await readTextInput(opts.file, undefined, opts.maxFileSize);
  const { input, source } = specInput(opts, contents);
  const owner = registryDeploymentOwner(input);
  const spec = specFrom(input, source);
  if (opts.helmValues !== undefined) await writeHelmValues(opts.helmValues, spec);
  const objects = synthesize(spec, owner ? { owner } : {});
  if (opts.output !== undefined) await writeObjects(opts.output, objects, opts.format);
  else process.stdout.write(render(objects, opts.format));
}

/** `ward synth`: spec → hardened manifests (Istio mTLS/authorization, NetworkPolicies, Pod Security labels). */
export function registerSynth(program: Command): void {
  addLimitOptions(program
    .command('synth')
    .description('Synthesise the hardening manifests (Istio mTLS and authorization, NetworkPolicies, Pod Security labels) of a registry stack.')
    .option('--preset <name>', 'a known stack to synthesise')
    .option('--release <name>', 'Helm release name of the stack (with --preset)')
    .option('--namespace <name>', 'namespace of the stack (with --preset)')
    .option('-f, --file <file>', 'spec file: a RegistryDeployment or a bare spec; "-" for stdin')
    .option('-o, --output <dir>', 'write one file per object into this directory instead of stdout')
    .option('--helm-values <file>', "also write the Helm values overlay for the preset's chart to this file")
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml')), true)
    .addHelpText('after', HELP)
    .action(async (opts: SynthOptions) => runSynth(opts));
}
