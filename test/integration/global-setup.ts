/**
 * vitest globalSetup of the `integration` project: one real control plane (etcd + kube-apiserver,
 * built from the Go module proxy by scripts/build-controlplane.sh and cached) per test run.
 *
 * Everything of a run lives in one run directory `<tmp>/ward-it-XXXXXX/`: the shared cluster in
 * `cluster/`, and any extra cluster a test starts under `inject('wardRunDir')` (see helpers.ts).
 * Teardown stops every cluster found there and deletes the directory. The same happens from exit
 * and signal hooks (synchronous SIGKILL), and a run killed outright (kill -9) is reaped by the next
 * run, which finds its `owner.pid` dead.
 *
 * Tests get the kubeconfig with `inject('wardKubeconfig')` (also in $KUBECONFIG and
 * $WARD_TEST_KUBECONFIG of the test workers); an empty string means the binaries
 * could not be had and the suites skip loudly (or the run fails with CI=true).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { GoMissingError } from '../../dev-cluster/binaries.js';
import { down, killClusterNow, up } from '../../dev-cluster/cluster.js';
import { missingPrereq } from '../support/prereq.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the integration cluster's kubeconfig (contexts `admin`, `restricted`), or '' when skipped. */
    wardKubeconfig: string;
    /** Why deploy/crd.yaml was rejected by the API server, or '' (installed, or absent). */
    wardCrdError: string;
    /** This run's directory: tests that start their own cluster put it below here, so teardown finds it. */
    wardRunDir: string;
  }
}

const RUN_PREFIX = 'ward-it-';
const OWNER_FILE = 'owner.pid';

/**
 * ConfigMaps bypass the watch cache on the integration cluster, so a test can provoke a real
 * `410 Gone` by compacting etcd (helpers.compactEtcd); every other resource is served as usual.
 */
const INTEGRATION_APISERVER_ARGS = ['--watch-cache-sizes=configmaps#0'];

/** Directories below `runDir` (two levels) that hold a dev cluster. */
function clusterDirs(runDir: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    if (existsSync(join(dir, 'etcd.pid')) || existsSync(join(dir, 'state.json'))) found.push(dir);
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) visit(join(dir, entry.name), depth - 1);
  };
  if (existsSync(runDir)) visit(runDir, 2);
  return found;
}

function killRunNow(runDir: string): void {
  for (const dir of clusterDirs(runDir)) killClusterNow(dir);
  rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills the clusters of earlier runs whose vitest process is gone (killed before teardown). */
function reapOrphans(): void {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(RUN_PREFIX))) {
    const runDir = join(tmpdir(), name);
    const ownerFile = join(runDir, OWNER_FILE);
    if (!existsSync(ownerFile)) continue;
    const owner = Number(readFileSync(ownerFile, 'utf8').trim());
    if (isAlive(owner)) continue;
    process.stderr.write(`integration: reaping the clusters of dead run ${String(owner)} in ${runDir}\n`);
    killRunNow(runDir);
  }
}

function installExitHooks(runDir: string): () => void {
  const onExit = (): void => killRunNow(runDir);
  const onSignal = (signal: NodeJS.Signals): void => {
    killRunNow(runDir);
    // Re-raise when nobody else (vitest) handles the signal, so the default behaviour still happens.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // Prepended: vitest's own SIGINT/exit listeners call process.exit(), after which no later listener runs.
  process.prependOnceListener('exit', onExit);
  for (const s of signals) process.prependOnceListener(s, onSignal);
  return () => {
    process.off('exit', onExit);
    for (const s of signals) process.off(s, onSignal);
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  reapOrphans();
  const runDir = mkdtempSync(join(tmpdir(), RUN_PREFIX));
  writeFileSync(join(runDir, OWNER_FILE), `${String(process.pid)}\n`);
  const removeHooks = installExitHooks(runDir);
  const teardown = async (): Promise<void> => {
    for (const dir of clusterDirs(runDir)) await down(dir, { purge: true }).catch(() => killClusterNow(dir));
    killRunNow(runDir);
    removeHooks();
  };
  project.provide('wardRunDir', runDir);
  try {
    const { state, wardCrdError } = await up({
      dir: join(runDir, 'cluster'),
      env: process.env,
      progress: (line) => void process.stderr.write(`integration: ${line}\n`),
      detached: false,
      ownerPid: process.pid,
      extraApiserverArgs: INTEGRATION_APISERVER_ARGS,
      readyTimeoutMs: 180_000, // CI runs the other test projects beside this one on 2 cores
    });
    process.stderr.write(`integration: control plane at ${state.server}, kubeconfig ${state.kubeconfig}\n`);
    project.provide('wardKubeconfig', state.kubeconfig);
    project.provide('wardCrdError', wardCrdError ?? '');
    // Also for code that reads the environment (KubeConfig.loadFromDefault, a spawned `ward`): tests can
    // never reach the developer's own cluster through an inherited KUBECONFIG.
    process.env.KUBECONFIG = state.kubeconfig;
    process.env.WARD_TEST_KUBECONFIG = state.kubeconfig;
  } catch (err) {
    await teardown();
    if (!(err instanceof GoMissingError)) throw err;
    missingPrereq('kube-apiserver/etcd for the integration tests: not cached and Go is not installed (see build-controlplane above)', false);
    project.provide('wardKubeconfig', '');
    project.provide('wardCrdError', '');
  }
  return teardown;
}
