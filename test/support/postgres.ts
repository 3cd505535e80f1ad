/**
 * A real PostgreSQL server from Debian's postgresql-15 package (scripts/ci-system.sh installs it),
 * started by the test on loopback with a CA and server certificate made by openssl. PostgreSQL
 * refuses to run as root: as root the server runs as the package's `postgres` user (runuser), else
 * as the current user. Missing binaries are a missing prerequisite (a failure with CI=true).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRoot, missingPrereq } from './prereq.js';

const BIN = process.env.WARD_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** The skip message when the server binaries or openssl are missing (throws with CI=true). */
export function postgresPrereq(): string | undefined {
  return missingPrereq(`PostgreSQL 15 server binaries in ${BIN} (bash scripts/ci-system.sh: apt-get install postgresql-15)`, existsSync(join(BIN, 'postgres')) && existsSync(join(BIN, 'initdb')))
    ?? missingPrereq('openssl', existsSync('/usr/bin/openssl'));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => { resolve(typeof a === 'object' && a ? a.port : 0); });
    });
  });
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

/** A CA (ca.crt) and a server certificate for `names` signed by it (server.crt, server.key), in `dir`. */
export function makeCertificates(dir: string, names: readonly string[], prefix = ''): { ca: string; cert: string; key: string } {
  const p = (f: string): string => `${prefix}${f}`;
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=ward test CA', '-keyout', p('ca.key'), '-out', p('ca.crt')], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${names[0] ?? 'localhost'}`, '-keyout', p('server.key'), '-out', p('server.csr')], dir);
  const san = names.map((n) => (/^\d+\.\d+\.\d+\.\d+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(join(dir, p('ext.cnf')), `subjectAltName=${san}\n`);
  openssl(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', p('ext.cnf'), '-out', p('server.crt')], dir);
  return { ca: join(dir, p('ca.crt')), cert: join(dir, p('server.crt')), key: join(dir, p('server.key')) };
}

export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  readonly ca: string;
  stop(): void;
}

const asServer = (cmd: string, args: readonly string[]): string[] => (isRoot() ? ['runuser', '-u', 'postgres', '--', cmd, ...args] : [cmd, ...args]);

function run(cmd: string, args: readonly string[]): void {
  const [bin, ...rest] = asServer(cmd, args);
  execFileSync(bin!, rest, { stdio: 'pipe' });
}

/** initdb + pg_ctl start on 127.0.0.1:<free port>, TLS on or off, with `hba` as pg_hba.conf. */
export async function startPostgres(options: { tls: boolean; hba: string }): Promise<PostgresServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ward-pg-'));
  const data = join(dir, 'data');
  const certs = makeCertificates(dir, ['localhost', '127.0.0.1']);
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const f of ['', certs.cert, certs.key, certs.ca]) chownSync(f || dir, uid, gid);
  }
  chmodSync(certs.key, 0o600);
  run(join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8']);
  const port = await freePort();
  const conf = [`listen_addresses = '127.0.0.1'`, `port = ${String(port)}`, `unix_socket_directories = '${dir}'`, `ssl = ${options.tls ? 'on' : 'off'}`, `ssl_cert_file = '${certs.cert}'`, `ssl_key_file = '${certs.key}'`];
  writeFileSync(join(data, 'postgresql.conf'), `${readFileSync(join(data, 'postgresql.conf'), 'utf8')}\n${conf.join('\n')}\n`);
  writeFileSync(join(data, 'pg_hba.conf'), `local all all trust\n${options.hba}\n`);
  run(join(BIN, 'pg_ctl'), ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  return {
    port, dir, ca: readFileSync(certs.ca, 'utf8'),
    stop() {
      try {
        run(join(BIN, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
