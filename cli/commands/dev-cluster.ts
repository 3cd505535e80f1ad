import { InvalidArgumentError, type Command } from 'commander';
import { relative } from 'node:path';
import { DEFAULT_DIR, down, status, up, type StatusResult } from '../../dev-cluster/cluster.js';
import { ExitCode } from '../exit-codes.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port (1-65535).`);
  return port;
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

function printStatus(s: StatusResult): void {
  if (!s.state) return out(s.detail);
  const state = s.state;
  out(`dev cluster in ${s.dir}: ${s.ready ? 'ready' : 'NOT ready'}`);
  out(`  kube-apiserver  ${s.apiserverRunning ? 'running' : 'stopped'}  pid ${String(state.kubeApiserverPid)}  ${state.server}`);
  out(`  etcd            ${s.etcdRunning ? 'running' : 'stopped'}  pid ${String(state.etcdPid)}  http://127.0.0.1:${String(state.etcdClientPort)}`);
  if (!s.ready) out(`  readyz: ${s.detail}`);
  out(`export KUBECONFIG=${shellQuote(state.kubeconfig)}`);
}

/** `ward dev-cluster up|status|down`: a real kube-apiserver + etcd on loopback, from the Go module build cache. */
export function registerDevCluster(program: Command): void {
  const cmd = program
    .command('dev-cluster')
    .description('A local Kubernetes control plane (kube-apiserver + etcd, RBAC on, Istio CRDs) for trying ward and for tests.')
    .addHelpText('after', `
kube-apiserver and etcd are built from the Go module proxy on first use (several minutes, needs Go)
and cached under .cache/controlplane (WARD_CACHE_DIR). There is no controller-manager, scheduler or
kubelet: objects are stored and validated, nothing runs.`);

  cmd
    .command('up')
    .description('Start the control plane in the background and print the KUBECONFIG to use.')
    .option('--dir <dir>', 'state directory (certificates, etcd data, logs, kubeconfig)', DEFAULT_DIR)
    .option('--port <port>', 'kube-apiserver secure port (default: a free port)', parsePort)
    .action(async (opts: { dir: string; port?: number }) => {
      const result = await up({ dir: opts.dir, port: opts.port, env: process.env, progress: err });
      const { state } = result;
      if (result.alreadyRunning) err(`a dev cluster is already running in ${state.dir} (${state.server}); not starting another`);
      if (result.wardCrdError) err(`WARNING: ${result.wardCrdError}`);
      if (!result.alreadyRunning) err(`dev cluster ready at ${state.server} (${String(result.crds.length)} CRDs installed); contexts: admin, restricted`);
      err(`stop it with: ward dev-cluster down${relative(process.cwd(), state.dir) === DEFAULT_DIR ? '' : ` --dir ${shellQuote(state.dir)}`}`);
      out(`export KUBECONFIG=${shellQuote(state.kubeconfig)}`);
    });

  cmd
    .command('status')
    .description('Show whether the dev cluster in DIR is running and ready (exit 1 when not).')
    .option('--dir <dir>', 'state directory', DEFAULT_DIR)
    .option('--json', 'print the status as JSON')
    .action(async (opts: { dir: string; json?: boolean }) => {
      const s = await status(opts.dir);
      if (opts.json) out(JSON.stringify(s, null, 2));
      else printStatus(s);
      process.exitCode = s.ready ? ExitCode.Ok : ExitCode.Findings;
    });

  cmd
    .command('down')
    .description('Stop kube-apiserver and etcd (SIGTERM, then SIGKILL). Keeps DIR unless --purge.')
    .option('--dir <dir>', 'state directory', DEFAULT_DIR)
    .option('--purge', 'also delete DIR (certificates, etcd data, logs, kubeconfig)')
    .action(async (opts: { dir: string; purge?: boolean }) => {
      const result = await down(opts.dir, { purge: opts.purge ?? false });
      if (result.stopped.length === 0) out(`no dev cluster state in ${result.dir}; nothing to stop`);
      for (const s of result.stopped) out(`${s.name} (pid ${String(s.pid)}): ${s.outcome}`);
      if (result.purged) out(`removed ${result.dir}`);
    });
}
