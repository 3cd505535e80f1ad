/**
 * Helpers of the real WireGuard tunnel test: network namespaces joined by veth pairs, long-running
 * processes inside them, and a TCP probe. Everything created is recorded so `teardown()` removes it
 * in reverse order, also after a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';

export interface Run {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (no shell). Throws with its stderr when it fails and `check` is set. */
export function run(cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; check?: boolean } = {}): Run {
  const r = spawnSync(cmd, args, { input: opts.input, env: opts.env ?? process.env, encoding: 'utf8' });
  const result = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? String(r.error ?? '') };
  if ((opts.check ?? true) && result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${String(result.status)}: ${result.stderr.trim()}`);
  }
  return result;
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

/** Runs `cmd` inside network namespace `ns`. */
export function inNs(ns: string, cmd: string, args: readonly string[], opts: { input?: string; env?: NodeJS.ProcessEnv; check?: boolean } = {}): Run {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], opts);
}

export class Lab {
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private readonly sockets: string[] = [];
  readonly logs = new Map<ChildProcess, { stdout: string; stderr: string }>();

  addNamespace(name: string): string {
    run('ip', ['netns', 'add', name]);
    this.namespaces.push(name);
    inNs(name, 'ip', ['link', 'set', 'lo', 'up']);
    return name;
  }

  /** A veth pair between two namespaces, each end with an address (CIDR). */
  link(a: { ns: string; dev: string; addr: string }, b: { ns: string; dev: string; addr: string }): void {
    run('ip', ['link', 'add', a.dev, 'netns', a.ns, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns]);
    for (const end of [a, b]) {
      inNs(end.ns, 'ip', ['address', 'add', end.addr, 'dev', end.dev]);
      inNs(end.ns, 'ip', ['link', 'set', end.dev, 'up']);
    }
  }

  /** Starts a long-running process in its own process group; its output is kept for assertions. */
  start(ns: string, cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { env: env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = { stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (log.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log.stderr += d.toString()));
    this.logs.set(child, log);
    this.processes.push(child);
    return child;
  }

  /** Resolves once `predicate` holds for the process's stderr; rejects if the process exits first. */
  async waitFor(child: ChildProcess, predicate: (stderr: string) => boolean, what: string): Promise<void> {
    const log = this.logs.get(child);
    if (!log) throw new Error('unknown process');
    await new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (predicate(log.stderr)) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`${what}: process exited (${String(code)}) first; stderr:\n${log.stderr}`));
      };
      const cleanup = (): void => {
        child.stderr?.off('data', check);
        child.off('exit', onExit);
      };
      child.stderr?.on('data', check);
      child.on('exit', onExit);
      check();
    });
  }

  /** A userspace WireGuard interface (wireguard-go in the foreground) in `ns`. */
  async wireguardGo(ns: string, ifname: string): Promise<void> {
    this.sockets.push(`/var/run/wireguard/${ifname}.sock`);
    const child = this.start(ns, 'wireguard-go', ['-f', ifname], { ...process.env, LOG_LEVEL: 'error' });
    for (let i = 0; i < 100; i++) {
      if (inNs(ns, 'wg', ['show', ifname], { check: false }).status === 0) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`wireguard-go did not bring up ${ifname} in ${ns}: ${this.logs.get(child)?.stderr ?? ''}`);
  }

  recordSocket(ifname: string): void {
    this.sockets.push(`/var/run/wireguard/${ifname}.sock`);
  }

  /** SIGTERM to the process group (SIGKILL after 3 s); resolves with the exit code (null when killed by a signal). */
  async stop(child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
    } catch {
      return child.exitCode;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(child.pid ?? 0), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 3000);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  /** Stops every process (SIGTERM, then SIGKILL), deletes every namespace and stale socket. */
  async teardown(): Promise<void> {
    for (const p of [...this.processes].reverse()) await this.stop(p);
    for (const ns of [...this.namespaces].reverse()) run('ip', ['netns', 'delete', ns], { check: false });
    for (const s of this.sockets) if (existsSync(s)) rmSync(s, { force: true });
    this.processes.length = 0;
    this.namespaces.length = 0;
  }
}

const PROBE = `
const [host, port, local, ms] = process.argv.slice(1);
const s = require('node:net').connect({ host, port: Number(port), localAddress: local || undefined, timeout: Number(ms) });
let data = '';
s.on('data', (d) => (data += d));
s.on('end', () => { process.stdout.write(data); process.exit(0); });
s.on('timeout', () => { process.stdout.write('timeout'); process.exit(1); });
s.on('error', (e) => { process.stdout.write(e.code || String(e)); process.exit(1); });
`;

/**
 * Connects to host:port from `ns` (optionally from a given source address): the reply, or why it
 * failed. A connection that gets no answer within `idleMs` reports "timeout" (the packets were dropped).
 */
export function probe(ns: string, host: string, port: number, localAddress = '', idleMs = 3000): { ok: boolean; reply: string } {
  const r = inNs(ns, process.execPath, ['-e', PROBE, host, String(port), localAddress, String(idleMs)], { check: false });
  return { ok: r.status === 0, reply: r.stdout.trim() };
}

const SERVER = `
const port = Number(process.argv[1]);
require('node:net').createServer((s) => s.end('reply from port ' + port)).listen(port, '0.0.0.0', () => process.stderr.write('listening ' + port + '\\n'));
`;

/** A TCP server in `ns` answering "reply from port N". */
export async function tcpServer(lab: Lab, ns: string, port: number): Promise<void> {
  const child = lab.start(ns, process.execPath, ['-e', SERVER, String(port)]);
  await lab.waitFor(child, (s) => s.includes(`listening ${String(port)}`), `TCP server on ${String(port)}`);
}
