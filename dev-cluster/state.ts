import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `ward dev-cluster up` records in `<dir>/state.json` so `status` and `down` can find the processes. */
export interface DevClusterState {
  readonly version: 1;
  readonly dir: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly apiserverPort: number;
  readonly etcdClientPort: number;
  readonly etcdPeerPort: number;
  readonly kubeApiserverBin: string;
  readonly etcdBin: string;
  readonly kubeApiserverPid: number;
  readonly etcdPid: number;
  readonly kubeconfig: string;
  readonly startedAt: string;
  /** Set by the test harness: the process whose exit must take the cluster down with it. */
  readonly ownerPid?: number;
}

/** Fixed file names inside a dev cluster directory. */
export const files = (dir: string) =>
  ({
    state: join(dir, 'state.json'),
    kubeconfig: join(dir, 'kubeconfig'),
    pki: join(dir, 'pki'),
    etcdData: join(dir, 'etcd'),
    etcdLog: join(dir, 'etcd.log'),
    etcdPid: join(dir, 'etcd.pid'),
    apiserverLog: join(dir, 'kube-apiserver.log'),
    apiserverPid: join(dir, 'kube-apiserver.pid'),
  }) as const;

export async function readState(dir: string): Promise<DevClusterState | undefined> {
  const path = files(dir).state;
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(await readFile(path, 'utf8')) as DevClusterState;
    return state.version === 1 ? state : undefined;
  } catch (err) {
    throw new Error(`${path} is not a dev cluster state file; remove it or pick another --dir`, { cause: err });
  }
}

export async function writeState(state: DevClusterState): Promise<void> {
  await writeFile(files(state.dir).state, `${JSON.stringify(state, null, 2)}\n`);
}

export async function removePidFiles(dir: string): Promise<void> {
  await rm(files(dir).etcdPid, { force: true });
  await rm(files(dir).apiserverPid, { force: true });
}

/** True when `dir` looks like a dev cluster directory (so `--purge` never deletes anything else). */
export function isDevClusterDir(dir: string): boolean {
  return existsSync(files(dir).state) || existsSync(join(files(dir).pki, 'ca.crt'));
}
