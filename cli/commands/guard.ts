import { Option, type Command } from 'commander';
import { registryDeploymentOwner } from '../../charts-src/model/index.js';
import { exportableRules, guardObjects, managedNamespaces, selectRules } from '../../policies/guard/generate.js';
import { rules as catalogue } from '../../policies/rules/index.js';
import { UsageError } from '../exit-codes.js';
import { readTextInput } from '../input.js';
import { addLimitOptions, type LimitOptions } from '../limits.js';
import { specFrom } from '../spec-input.js';
import { render, specInput, type SynthFormat } from './synth.js';

export interface GuardCliOptions extends LimitOptions {
  readonly preset?: string;
  readonly release?: string;
  readonly namespace?: string;
  readonly file?: string;
  readonly rules?: string;
  readonly list?: boolean;
  readonly ownership: boolean;
  readonly operatorServiceAccount: string;
  readonly format: SynthFormat;
}

/** `NAMESPACE/NAME` of the operator's service account, or a usage error. Pure. */
export function operatorIdentity(value: string): { namespace: string; serviceAccount: string } {
  const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value);
  if (!m) throw new UsageError(`--operator-service-account: expected NAMESPACE/NAME (e.g. ward-system/ward-operator), got "${value}"`);
  return { namespace: m[1] ?? '', serviceAccount: m[3] ?? '' };
}

const HELP = `
Writes one ValidatingAdmissionPolicy and one ValidatingAdmissionPolicyBinding per exported rule:
the rules ward can decide on a single object carry CEL next to their TypeScript check, and the API
server (Kubernetes 1.30+) evaluates it on every CREATE and UPDATE in the namespaces the
RegistryDeployment manages (its namespace, its components', the WireGuard gateway's).

  guard: audit (default)  validationActions [Warn, Audit]: the object is let in, the client gets a
                          warning naming the rule id, the audit log records it
  guard: enforce          validationActions [Deny, Audit]: the object is refused with the rule id

Ownership guard (unless --no-ownership): in those namespaces only the operator's service account
(--operator-service-account, default ward-system/ward-operator) may create, change or delete objects
labelled ward.g2p.dev/owner (WARD-GUARD-001), and nobody else may add a NetworkPolicy,
PeerAuthentication or AuthorizationPolicy that widens access without that label (WARD-GUARD-002).

The waiver annotation ward.g2p.dev/waive: "RULE-ID: reason" lets an object in; its expiry is not
checked (CEL has no clock): ward check stays the judge of expired waivers.

Input (exactly one) as ward synth: --preset NAME (with --release, --namespace) or -f FILE.

Examples:
  ward guard -f examples/openg2p-social-registry.yaml | kubectl apply -f -
  ward guard --preset openg2p-social-registry --namespace dev --rules WARD-MTLS-006,WARD-NET-006
  ward guard --list

Exit codes: 0 policies written; 2 usage error, invalid spec, or --rules naming a rule that is unknown
or has no CEL. Reference: docs/guard.md.`;

/** The `--list` text: exported rules, then what is left to ward check and why. Pure. */
export function listText(): string {
  const lines = exportableRules().map((r) => `${r.id}  ${r.title}${r.cel.leavesToCheck ? `\n    left to ward check: ${r.cel.leavesToCheck}` : ''}`);
  const others = [...catalogue.values()].filter((r) => !r.cel).map((r) => r.id);
  return `${lines.join('\n')}\n\nnot exported (docs/guard.md says why for each): ${others.join(', ')}\n`;
}

/** The rule ids of `--rules a,b`; undefined when absent. */
function ruleIds(value: string | undefined): string[] | undefined {
  return value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export async function runGuard(opts: GuardCliOptions): Promise<void> {
  if (opts.list) {
    process.stdout.write(listText());
    return;
  }
  const selected = selectRules(ruleIds(opts.rules));
  if (selected.issues.length > 0) throw new UsageError(`--rules:\n${selected.issues.map((i) => `  ${i.message}`).join('\n')}`);
  const contents = opts.file === undefined ? undefined : await readTextInput(opts.file, undefined, opts.maxFileSize);
  const { input, source } = specInput({ ...opts, format: opts.format }, contents);
  const owner = registryDeploymentOwner(input);
  const spec = specFrom(input, source);
  const operator = operatorIdentity(opts.operatorServiceAccount);
  const objects = guardObjects(spec, { ...(owner ? { owner } : {}), rules: selected.rules, ownership: opts.ownership, operator });
  process.stdout.write(render(objects, opts.format));
  process.stderr.write(`ward guard: ${String(selected.rules.length)} rules${opts.ownership ? ' and the ownership guard' : ''}, ${spec.guard === 'enforce' ? 'enforce (Deny + Audit)' : 'audit (Warn + Audit)'}, namespaces ${managedNamespaces(spec).join(', ')}\n`);
}

/** `ward guard`: the single-object rules as ValidatingAdmissionPolicies and bindings. */
export function registerGuard(program: Command): void {
  addLimitOptions(program
    .command('guard')
    .description('Write the rules that need one object only as ValidatingAdmissionPolicies and bindings for the namespaces of a registry stack (warn and audit, or deny with guard: enforce).')
    .option('--preset <name>', 'a known stack')
    .option('--release <name>', 'Helm release name of the stack (with --preset)')
    .option('--namespace <name>', 'namespace of the stack (with --preset)')
    .option('-f, --file <file>', 'spec file: a RegistryDeployment or a bare spec; "-" for stdin')
    .option('--rules <ids>', 'comma-separated rule ids to export (default: every rule with CEL)')
    .option('--list', 'list the exported rules, what each leaves to ward check, and the rules not exported')
    .option('--no-ownership', 'leave out the ownership guard (WARD-GUARD-001/002)')
    .option('--operator-service-account <ns/name>', 'the only identity that may change ward-owned objects', 'ward-system/ward-operator')
    .addOption(new Option('--format <format>', 'output format').choices(['yaml', 'json']).default('yaml')), true)
    .addHelpText('after', HELP)
    .action(async (opts: GuardCliOptions) => runGuard(opts));
}
