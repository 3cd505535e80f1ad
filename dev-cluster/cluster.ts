import { KubeConfig } from '@kubernetes/client-node';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolveBinaries, type ControlPlaneBinaries } from './binaries.js';
import { ensurePki, pkiPaths, writePrivateFile, type Pki } from './certs.js';
import { installCrds, istioCrdFile, PROMETHEUS_CRD_FILE, readCrds, WARD_CRD_FILE } from './crds.js';
import { renderKubeconfig } from './kubeconfig.js';
import { freePort, isPortFree, isRunning, killIfCmdlineContains, startDaemon, stopDaemon, tail, type StopResult } from './processes.js';
import { probeApiserver, probeEtcd, waitUntilReady } from './probes.js';
import { files, isDevClusterDir, readState, removePidFiles, writeState, type DevClusterState } from './state.js';

export type { DevClusterState } from './state.js';

/** Where `ward dev-cluster` keeps its files unless `--dir` says otherwise (relative to the cwd). */
export const DEFAULT_DIR = '.ward/dev-cluster';

export interface UpOptions {
  readonly dir: string;
  /** Secure port of kube-apiserver. @default the previous run's port if free, else a free one */
  readonly port?: number;
  readonly env: NodeJS.ProcessEnv;
  /** Progress lines for the user (build output, startup steps). */
  readonly progress: (line: string) => void;
  /** Keep the processes in this process's session (test harness). @default true (they outlive the CLI) */
  readonly detached?: boolean;
  /** @default 90_000 */
  readonly readyTimeoutMs?: number;
  /** Recorded in the state so a later run can reap clusters whose owner died. */
  readonly ownerPid?: number;
  /** Extra kube-apiserver flags (they come last, so they override ours). @default none */
  readonly extraApiserverArgs?: readonly string[];
}

export interface UpResult {
  readonly state: DevClusterState;
  /** True when a cluster was already running in `dir` and nothing was started. */
  readonly alreadyRunning: boolean;
  /** Names of the CRDs installed (empty when already running). */
  readonly crds: readonly string[];
  /** Why deploy/crd.yaml could not be installed, when it exists and the server rejected it. */
  readonly wardCrdError?: string;
}

/** Starts etcd and kube-apiserver in `dir` (or reports the cluster already running there). */
export async function up(options: UpOptions): Promise<UpResult> {
  const dir = resolve(options.dir);
  const previous = await readState(dir);
  if (previous && isRunning(previous.kubeApiserverPid, previous.kubeApiserverBin) && isRunning(previous.etcdPid, previous.etcdBin)) {
    return { state: previous, alreadyRunning: true, crds: [] };
  }
  if (previous) await stopProcesses(previous); // half-dead leftovers of an earlier run
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const bins = await resolveBinaries({ env: options.env, progress: options.progress });
  const pki = await ensurePki(files(dir).pki);
  const ports = await choosePorts(options.port, previous);
  const state = await startProcesses({ dir, bins, pki, ports, options });
  try {
    await writePrivateFile(state.kubeconfig, await renderKubeconfig(pki, state.server));
    const crds = await installDefaultCrds(state.kubeconfig, options);
    return { state, alreadyRunning: false, crds: crds.names, ...(crds.wardCrdError ? { wardCrdError: crds.wardCrdError } : {}) };
  } catch (err) {
    await stopProcesses(state);
    throw err;
  }
}

interface Ports {
  readonly apiserver: number;
  readonly etcdClient: number;
  readonly etcdPeer: number;
}

async function choosePorts(requested: number | undefined, previous: DevClusterState | undefined): Promise<Ports> {
  if (requested !== undefined && !(await isPortFree(requested))) {
    throw new Error(`port ${String(requested)} on 127.0.0.1 is in use; pick another --port or omit it to choose a free one`);
  }
  const reuse = async (port: number | undefined): Promise<number> => (port && (await isPortFree(port)) ? port : freePort());
  const apiserver = requested ?? (await reuse(previous?.apiserverPort));
  let etcdClient = await reuse(previous?.etcdClientPort);
  let etcdPeer = await reuse(previous?.etcdPeerPort);
  while (etcdClient === apiserver) etcdClient = await freePort();
  while (etcdPeer === apiserver || etcdPeer === etcdClient) etcdPeer = await freePort();
  return { apiserver, etcdClient, etcdPeer };
}

/** etcd flags: one member on loopback, no fsync (a throw-away dev/test store). */
export function etcdArgs(dir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${String(ports.etcdClient)}`;
  const peer = `http://127.0.0.1:${String(ports.etcdPeer)}`;
  return [
    '--name=ward-dev', `--data-dir=${files(dir).etcdData}`,
    `--listen-client-urls=${client}`, `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=ward-dev=${peer}`,
    '--unsafe-no-fsync=true', '--log-level=warn',
  ];
}

/** kube-apiserver flags as envtest uses them: loopback, client-certificate auth, RBAC. */
export function apiserverArgs(pki: Pki, ports: Ports): string[] {
  const server = `https://127.0.0.1:${String(ports.apiserver)}`;
  return [
    `--etcd-servers=http://127.0.0.1:${String(ports.etcdClient)}`,
    '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${String(ports.apiserver)}`,
    `--cert-dir=${pki.dir}`, `--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`,
    `--client-ca-file=${pki.caCert}`, '--authorization-mode=RBAC',
    `--service-account-issuer=${server}`, `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    '--service-cluster-ip-range=10.0.0.0/24', '--disable-admission-plugins=ServiceAccount', '--allow-privileged=true',
  ];
}

interface StartInput {
  readonly dir: string;
  readonly bins: ControlPlaneBinaries;
  readonly pki: Pki;
  readonly ports: Ports;
  readonly options: UpOptions;
}

async function startProcesses({ dir, bins, pki, ports, options }: StartInput): Promise<DevClusterState> {
  const f = files(dir);
  const detached = options.detached ?? true;
  options.progress(`starting etcd on 127.0.0.1:${String(ports.etcdClient)}`);
  const etcd = await startDaemon({ name: 'etcd', bin: bins.etcd, args: etcdArgs(dir, ports), log: f.etcdLog, pidFile: f.etcdPid, detached });
  await waitOrExplain({ what: 'etcd', log: f.etcdLog, timeoutMs: 30_000, probe: () => probeEtcd(ports.etcdClient), alive: () => isRunning(etcd.pid, etcd.bin) },
    () => stopDaemon(etcd));
  options.progress(`starting kube-apiserver on https://127.0.0.1:${String(ports.apiserver)}`);
  const apiserver = await startDaemon({ name: 'kube-apiserver', bin: bins.kubeApiserver, args: [...apiserverArgs(pki, ports), ...(options.extraApiserverArgs ?? [])],
    log: f.apiserverLog, pidFile: f.apiserverPid, detached });
  const state: DevClusterState = {
    version: 1, dir, server: `https://127.0.0.1:${String(ports.apiserver)}`,
    apiserverPort: ports.apiserver, etcdClientPort: ports.etcdClient, etcdPeerPort: ports.etcdPeer,
    kubeApiserverBin: bins.kubeApiserver, etcdBin: bins.etcd, kubeApiserverPid: apiserver.pid, etcdPid: etcd.pid,
    kubeconfig: f.kubeconfig, startedAt: new Date().toISOString(),
    ...(options.ownerPid === undefined ? {} : { ownerPid: options.ownerPid }),
  };
  await writeState(state);
  await waitOrExplain({ what: 'kube-apiserver', log: f.apiserverLog, timeoutMs: options.readyTimeoutMs ?? 90_000,
    probe: () => probeApiserver(state.server, pki), alive: () => isRunning(apiserver.pid, apiserver.bin) },
  () => stopProcesses(state));
  return state;
}

async function waitOrExplain(
  wait: Parameters<typeof waitUntilReady>[0] & { readonly log: string },
  cleanup: () => Promise<unknown>,
): Promise<void> {
  try {
    await waitUntilReady(wait);
  } catch (err) {
    const logTail = await tail(wait.log, 40);
    await cleanup();
    throw new Error(`${(err as Error).message}\n--- last lines of ${wait.log} ---\n${logTail}`, { cause: err });
  }
}

interface InstalledCrds {
  readonly names: string[];
  readonly wardCrdError?: string;
}

/**
 * Installs the Istio CRDs (a failure fails `up`) and ward's own CRD from deploy/crd.yaml when it
 * exists. A rejected ward CRD is reported, not fatal: the cluster is still useful, and the server's
 * message is exactly what the CRD's author needs to see.
 */
async function installDefaultCrds(kubeconfig: string, options: UpOptions): Promise<InstalledCrds> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const istio = istioCrdFile(options.env);
  options.progress(`installing Istio CRDs from ${istio}`);
  const names = await installCrds(kc, await readCrds(istio));
  if (existsSync(PROMETHEUS_CRD_FILE)) {
    options.progress(`installing the PrometheusRule CRD from ${PROMETHEUS_CRD_FILE}`);
    names.push(...(await installCrds(kc, await readCrds(PROMETHEUS_CRD_FILE))));
  }
  if (!existsSync(WARD_CRD_FILE)) return { names };
  options.progress(`installing ward CRD from ${WARD_CRD_FILE}`);
  try {
    return { names: [...names, ...(await installCrds(kc, await readCrds(WARD_CRD_FILE)))] };
  } catch (err) {
    const wardCrdError = `${WARD_CRD_FILE} was rejected: ${(err as Error).message}`;
    options.progress(`WARNING: ${wardCrdError}`);
    return { names, wardCrdError };
  }
}

async function stopProcesses(state: DevClusterState): Promise<StopResult[]> {
  const results = [
    await stopDaemon({ name: 'kube-apiserver', bin: state.kubeApiserverBin, pid: state.kubeApiserverPid }),
    await stopDaemon({ name: 'etcd', bin: state.etcdBin, pid: state.etcdPid }),
  ];
  await removePidFiles(state.dir);
  return results;
}

/**
 * Synchronous SIGKILL of the cluster in `dir`, from its pid files alone (works before state.json is
 * written). Only processes whose command line names `dir` are signalled. For exit and signal hooks.
 */
export function killClusterNow(dirInput: string): void {
  const dir = resolve(dirInput);
  for (const pidFile of [files(dir).apiserverPid, files(dir).etcdPid]) {
    if (!existsSync(pidFile)) continue;
    killIfCmdlineContains(Number(readFileSync(pidFile, 'utf8').trim()), `${dir}/`);
  }
}

export interface StatusResult {
  readonly dir: string;
  readonly state?: DevClusterState;
  readonly etcdRunning: boolean;
  readonly apiserverRunning: boolean;
  /** `/readyz` answered 200. */
  readonly ready: boolean;
  readonly detail: string;
}

/** What runs in `dir`, and whether the API server answers. */
export async function status(dirInput: string): Promise<StatusResult> {
  const dir = resolve(dirInput);
  const state = await readState(dir);
  if (!state) return { dir, etcdRunning: false, apiserverRunning: false, ready: false, detail: `no dev cluster in ${dir}` };
  const etcdRunning = isRunning(state.etcdPid, state.etcdBin);
  const apiserverRunning = isRunning(state.kubeApiserverPid, state.kubeApiserverBin);
  const probe = apiserverRunning ? await probeApiserver(state.server, pkiPaths(files(dir).pki)) : { ok: false, detail: 'kube-apiserver is not running' };
  return { dir, state, etcdRunning, apiserverRunning, ready: probe.ok, detail: probe.detail };
}

export interface DownResult {
  readonly dir: string;
  readonly stopped: readonly StopResult[];
  readonly purged: boolean;
}

/** Stops both processes (SIGTERM, then SIGKILL). Files stay unless `purge`. */
export async function down(dirInput: string, options: { readonly purge?: boolean } = {}): Promise<DownResult> {
  const dir = resolve(dirInput);
  const state = await readState(dir);
  const stopped = state ? await stopProcesses(state) : [];
  let purged = false;
  if (options.purge && existsSync(dir)) {
    if (!isDevClusterDir(dir)) throw new Error(`refusing to purge ${dir}: it does not look like a dev cluster directory`);
    await rm(dir, { recursive: true, force: true });
    purged = true;
  }
  return { dir, stopped, purged };
}
