/**
 * vitest globalSetup of the `integration` project: one real control plane (etcd + kube-apiserver,
 * built from the Go module proxy by scripts/build-controlplane.sh and cached) per test run, in a
 * temporary directory. Tests get its kubeconfig with `inject('wardKubeconfig')` (see helpers.ts);
 * an empty string means the binaries could not be had and the suites skip (or fail with CI=true).
 *
 * Teardown stops both processes and deletes the directory. The processes are also killed from
 * exit/signal hooks, and clusters whose owning run died (kill -9) are reaped at the next run.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { GoMissingError } from '../../dev-cluster/binaries.js';
import { down, up } from '../../dev-cluster/cluster.js';
import { killNow } from '../../dev-cluster/processes.js';
import { readState, type DevClusterState } from '../../dev-cluster/state.js';
import { missingPrereq } from '../support/prereq.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the integration cluster's kubeconfig (contexts `admin`, `restricted`), or '' when skipped. */
    wardKubeconfig: string;
  }
}

const DIR_PREFIX = 'ward-it-';

/**
 * ConfigMaps bypass the watch cache on the integration cluster, so a test can provoke a real
 * `410 Gone` by compacting etcd (helpers.compactEtcd); every other resource is served as usual.
 */
const INTEGRATION_APISERVER_ARGS = ['--watch-cache-sizes=configmaps#0'];

/** Stops clusters left behind by runs that were killed before their teardown could run. */
async function reapOrphans(): Promise<void> {
  for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), name);
    const state = await readState(dir).catch(() => undefined);
    if (!state?.ownerPid || existsAlive(state.ownerPid)) continue;
    process.stderr.write(`integration: reaping cluster of dead run ${String(state.ownerPid)} in ${dir}\n`);
    await down(dir, { purge: true });
  }
}

function existsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function installExitHooks(state: DevClusterState): () => void {
  const killAll = (): void => {
    killNow({ pid: state.kubeApiserverPid, bin: state.kubeApiserverBin });
    killNow({ pid: state.etcdPid, bin: state.etcdBin });
    rmSync(state.dir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    killAll();
    // Re-raise when nobody else (vitest) handles the signal, so the default behaviour still happens.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', killAll);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  return () => {
    process.off('exit', killAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await reapOrphans();
  const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  let state: DevClusterState;
  try {
    const result = await up({
      dir,
      env: process.env,
      progress: (line) => void process.stderr.write(`integration: ${line}\n`),
      detached: false,
      ownerPid: process.pid,
      extraApiserverArgs: INTEGRATION_APISERVER_ARGS,
    });
    state = result.state;
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    if (!(err instanceof GoMissingError)) throw err;
    missingPrereq(`kube-apiserver/etcd for integration tests (${err.message.split('\n').join(' ')})`, false);
    project.provide('wardKubeconfig', '');
    return async () => {};
  }
  const removeHooks = installExitHooks(state);
  process.stderr.write(`integration: control plane at ${state.server}, kubeconfig ${state.kubeconfig}\n`);
  project.provide('wardKubeconfig', state.kubeconfig);
  return async () => {
    removeHooks();
    await down(dir, { purge: true });
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  };
}
