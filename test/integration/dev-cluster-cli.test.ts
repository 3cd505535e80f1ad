import { execa } from 'execa';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../dev-cluster/binaries.js';
import { down, up, type DevClusterState } from '../../dev-cluster/cluster.js';
import { isRunning } from '../../dev-cluster/processes.js';
import { readState } from '../../dev-cluster/state.js';
import { describeCluster, runDir } from './helpers.js';

/** Runs the real CLI (`bin/ward.js`) with the Node running the tests (Node 24 from the npm package). */
const ward = (...args: string[]) =>
  execa(process.execPath, [join(REPO_ROOT, 'bin', 'ward.js'), ...args], { cwd: REPO_ROOT, reject: false, stdin: 'ignore' });

const processesOf = (s: DevClusterState) => [
  { pid: s.kubeApiserverPid, bin: s.kubeApiserverBin },
  { pid: s.etcdPid, bin: s.etcdBin },
];

describeCluster('ward dev-cluster (end to end)', () => {
  // Below the run directory: if the run is interrupted, the global setup's hooks stop these clusters too.
  const dir = mkdtempSync(join(runDir, 'cli-'));
  const clusterDir = join(dir, 'cluster');
  afterAll(async () => {
    await down(clusterDir, { purge: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('up starts a cluster, a second up reports it, status sees it ready, down stops both processes', async () => {
    const first = await ward('dev-cluster', 'up', '--dir', clusterDir);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(`export KUBECONFIG=${join(clusterDir, 'kubeconfig')}`);
    const state = await readState(clusterDir);
    if (!state) throw new Error('no state.json after up');
    expect(processesOf(state).every((p) => isRunning(p.pid, p.bin))).toBe(true);
    expect(existsSync(join(clusterDir, 'etcd.pid')) && existsSync(join(clusterDir, 'kube-apiserver.pid'))).toBe(true);

    const second = await ward('dev-cluster', 'up', '--dir', clusterDir);
    expect(second.exitCode).toBe(0);
    expect(second.stderr).toContain(`already running in ${clusterDir}`);
    expect((await readState(clusterDir))?.kubeApiserverPid).toBe(state.kubeApiserverPid);

    const status = await ward('dev-cluster', 'status', '--dir', clusterDir, '--json');
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ ready: true, etcdRunning: true, apiserverRunning: true });

    const stopped = await ward('dev-cluster', 'down', '--dir', clusterDir);
    expect(stopped.exitCode).toBe(0);
    expect(stopped.stdout).toContain(`kube-apiserver (pid ${String(state.kubeApiserverPid)}): terminated`);
    expect(processesOf(state).some((p) => isRunning(p.pid, p.bin))).toBe(false);
    expect(existsSync(join(clusterDir, 'kubeconfig'))).toBe(true);

    const after = await ward('dev-cluster', 'status', '--dir', clusterDir);
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toContain('NOT ready');

    const purged = await ward('dev-cluster', 'down', '--dir', clusterDir, '--purge');
    expect(purged.exitCode).toBe(0);
    expect(existsSync(clusterDir)).toBe(false);
  }, 300_000); // a ceiling for a loaded 2-core machine, not an assertion

  it('refuses a --port that is in use, naming the port', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await ward('dev-cluster', 'up', '--dir', join(dir, 'busy'), '--port', String(port));
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`port ${String(port)} on 127.0.0.1 is in use`);
    } finally {
      server.close();
    }
  });

  it('shows the tail of the kube-apiserver log when it fails to start, and leaves nothing running', async () => {
    const failDir = join(dir, 'fail');
    const failure = await up({ dir: failDir, env: process.env, progress: () => undefined, extraApiserverArgs: ['--no-such-flag'] })
      .then(() => undefined, (err: unknown) => err as Error);
    expect(failure?.message).toContain('kube-apiserver exited during startup');
    expect(failure?.message).toContain('unknown flag: --no-such-flag');
    const state = await readState(failDir);
    if (!state) throw new Error('no state.json after a failed up');
    expect(processesOf(state).some((p) => isRunning(p.pid, p.bin))).toBe(false);
  });
});
