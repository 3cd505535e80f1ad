import type { Command } from 'commander';

/**
 * Every `ward` sub-command, in the order `ward --help` lists them. A registration adds the command
 * (with its options and `--help` text) to the program; the action does I/O only at the edges and
 * calls into charts-src/, policies/, operator/.
 *
 * Commands are loaded lazily: cli/main.ts imports only the module of the command being run, so
 * `ward --version` and `ward --help` load no command module and `ward check` never loads cdk8s.
 * `ward --help` lists the others from `name`, `aliases`, `term` and `summary` here; a unit test
 * (test/unit/cli-main.test.ts) checks each against what the loaded command registers.
 */
export type CommandRegistration = (program: Command) => void;

export interface CommandEntry {
  /** The command's name as registered (`policy-check`), and its aliases (`check`). */
  readonly name: string;
  readonly aliases: readonly string[];
  /** What follows the name in `ward --help`: `[options] [paths...]`, or '' for a command group. */
  readonly term: string;
  /** The command's description, as its module registers it. */
  readonly summary: string;
  readonly load: () => Promise<CommandRegistration>;
}

export const commands: readonly CommandEntry[] = [
  {
    name: 'synth', aliases: [], term: '[options]',
    summary: 'Synthesise the hardening manifests (Istio mTLS and authorization, NetworkPolicies, Pod Security labels) of a registry stack.',
    load: async () => (await import('./synth.js')).registerSynth,
  },
  {
    name: 'policy-check', aliases: ['check'], term: '[options] [paths...]',
    summary: 'Audit manifests (files, directories, stdin) or a live cluster against ward\'s rule catalogue.',
    load: async () => (await import('./check.js')).registerCheck,
  },
  {
    name: 'flows', aliases: [], term: '[options] [paths...]',
    summary: 'Who can actually reach whom: effective connectivity from NetworkPolicy and Istio policy, compared with the declared flows.',
    load: async () => (await import('./flows.js')).registerFlows,
  },
  {
    name: 'init', aliases: [], term: '[options]',
    summary: 'Infer a RegistryDeployment (components, flows, exposure, personal data) from a render, manifests or a live cluster, with the evidence as comments.',
    load: async () => (await import('./init.js')).registerInit,
  },
  {
    name: 'helm-postrender', aliases: [], term: '[options]',
    summary: 'Helm post-renderer: audit the rendered manifests on stdin; pass them through unchanged (optionally with ward\'s hardening) or fail with the report.',
    load: async () => (await import('./helm-postrender.js')).registerHelmPostrender,
  },
  {
    name: 'guard', aliases: [], term: '[options]',
    summary: 'Write the rules that need one object only as ValidatingAdmissionPolicies and bindings for the namespaces of a registry stack (warn and audit, or deny with guard: enforce).',
    load: async () => (await import('./guard.js')).registerGuard,
  },
  {
    name: 'wg', aliases: [], term: '',
    summary: 'WireGuard admin gateway: keys, peer client configs, rendered gateway configuration.',
    load: async () => (await import('./wg.js')).registerWg,
  },
  {
    name: 'admin-cert', aliases: [], term: '',
    summary: "Administrators' client certificates for the admin gateway: CSR on the admin's machine, signing and revocation (CRL) on the CA.",
    load: async () => (await import('./admin-cert.js')).registerAdminCert,
  },
  {
    name: 'operator', aliases: [], term: '[options]',
    summary: 'Run the operator: reconcile RegistryDeployments (apply, prune, check Secrets and the key manager, report conditions).',
    load: async () => (await import('./operator.js')).registerOperator,
  },
  {
    name: 'dev-cluster', aliases: [], term: '',
    summary: 'A local Kubernetes control plane (kube-apiserver + etcd, RBAC on, Istio CRDs) for trying ward and for tests.',
    load: async () => (await import('./dev-cluster.js')).registerDevCluster,
  },
];

/**
 * The command an argument list runs: its first word that is not an option (the program itself has
 * only -h/--help and -V/--version), or the command `ward help NAME` asks about.
 */
export function commandFor(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return commands.find((c) => c.name === name || c.aliases.includes(name ?? ''));
}
