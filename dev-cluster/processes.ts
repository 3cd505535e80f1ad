import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process started by the dev cluster: what it runs, its pid and where its output goes. */
export interface DaemonRef {
  readonly name: string;
  readonly bin: string;
  readonly pid: number;
  readonly log: string;
  readonly pidFile: string;
}

export interface StartDaemonOptions {
  readonly name: string;
  readonly bin: string;
  readonly args: readonly string[];
  readonly log: string;
  readonly pidFile: string;
  /**
   * Detach into its own session so the process outlives the CLI that started it (`ward dev-cluster up`).
   * The test harness keeps it attached, so a Ctrl-C in the terminal reaches it too.
   * @default true
   */
  readonly detached?: boolean;
}

/** Starts a long-running process with stdout and stderr appended to `log`, and writes its pid file. */
export async function startDaemon(options: StartDaemonOptions): Promise<DaemonRef> {
  const fd = openSync(options.log, 'a');
  try {
    const child = spawn(options.bin, options.args, { detached: options.detached ?? true, stdio: ['ignore', fd, fd] });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`cannot start ${options.name} (${options.bin}): ${err.message}`, { cause: err })));
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    await writeFile(options.pidFile, `${pid}\n`);
    return { name: options.name, bin: options.bin, pid, log: options.log, pidFile: options.pidFile };
  } finally {
    closeSync(fd);
  }
}

/**
 * True when `pid` is alive and (where /proc exists) still runs `bin` — a recycled pid belonging to
 * another program is never reported as ours, so `down` never signals a stranger. Zombies count as dead.
 */
export function isRunning(pid: number, bin: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!existsSync('/proc/self/cmdline')) return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (/^\d+ \(.*\) Z/s.test(stat)) return false;
    const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
    return argv0 === bin;
  } catch {
    return false;
  }
}

export interface StopResult {
  readonly name: string;
  readonly pid: number;
  readonly outcome: 'not-running' | 'terminated' | 'killed';
}

/** Stops a daemon: SIGTERM, then SIGKILL when it has not exited after `graceMs`. */
export async function stopDaemon(ref: Pick<DaemonRef, 'name' | 'bin' | 'pid'>, graceMs = 10_000): Promise<StopResult> {
  const base = { name: ref.name, pid: ref.pid };
  if (!isRunning(ref.pid, ref.bin)) return { ...base, outcome: 'not-running' };
  signal(ref.pid, 'SIGTERM');
  for (let waited = 0; waited < graceMs; waited += 100) {
    await sleep(100);
    if (!isRunning(ref.pid, ref.bin)) return { ...base, outcome: 'terminated' };
  }
  signal(ref.pid, 'SIGKILL');
  for (let i = 0; i < 50 && isRunning(ref.pid, ref.bin); i++) await sleep(100);
  return { ...base, outcome: 'killed' };
}

/** Synchronous SIGKILL for exit hooks, where nothing asynchronous runs any more. */
export function killNow(ref: Pick<DaemonRef, 'bin' | 'pid'>): void {
  if (isRunning(ref.pid, ref.bin)) signal(ref.pid, 'SIGKILL');
}

/**
 * SIGKILL `pid` only when its command line contains `marker` (e.g. its data directory), then wait
 * (synchronously, up to `waitMs`) until it is gone or a zombie. Linux /proc only. For exit hooks.
 */
export function killIfCmdlineContains(pid: number, marker: string, waitMs = 3_000): void {
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    if (!readFileSync(`/proc/${String(pid)}/cmdline`, 'utf8').split('\0').some((arg) => arg.includes(marker))) return;
    signal(pid, 'SIGKILL');
  } catch {
    return; // gone already, or no /proc
  }
  const tick = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; waited < waitMs && !isGoneOrZombie(pid); waited += 20) Atomics.wait(tick, 0, 0, 20);
}

function isGoneOrZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${String(pid)}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The last `lines` lines of a log file, or a note that it is missing. */
export async function tail(path: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${path})`;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on 127.0.0.1:`port`. */
export async function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
