import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ConditionType, Reason, type ConditionResult } from '../conditions.js';

/**
 * Live proof of the registry database's transport security, spoken in the PostgreSQL wire protocol
 * (PostgreSQL 16 documentation 55.2.10 "SSL Session Encryption" and 55.7 "Message Formats"):
 * 1. SSLRequest (Int32 8, Int32 80877103): the server answers `S` (TLS offered) or `N`;
 * 2. TLS with `sslmode=verify-full` semantics: the CA from a Secret, the host name checked against
 *    the certificate; then a StartupMessage, which the server must answer (an authentication request
 *    or an error both prove the session works; no password is ever sent);
 * 3. the same StartupMessage over plain TCP, which must be refused with an ErrorResponse
 *    (pg_hba.conf has no non-TLS record: SQLSTATE 28000).
 * Every step has a bounded timeout. The CA is public; no credential goes on the wire.
 */

export interface DatabaseTlsInput {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** PEM CA bundle the server certificate must chain to. */
  readonly ca: string;
  /** Name the certificate must carry. @default host */
  readonly serverName?: string;
  readonly timeoutMs: number;
}

class Stop extends Error {
  constructor(readonly reason: Reason, message: string) {
    super(message);
  }
}

const TLS_VERIFY_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|HOSTNAME|ISSUER|EXPIRED/;

/** Bytes of a socket, read as the protocol's messages arrive; every wait bounded by the timeout. */
class Reader {
  private buf = Buffer.alloc(0);
  private waiting: (() => void) | undefined;
  private ended: Error | undefined;

  constructor(private readonly socket: Socket | TLSSocket, private readonly timeoutMs: number, private readonly what: string) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.waiting?.(); });
    socket.on('end', () => { this.ended = new Stop(Reason.Unreachable, `${what}: the server closed the connection`); this.waiting?.(); });
    socket.on('error', (e: NodeJS.ErrnoException) => { this.ended = classify(e, what); this.waiting?.(); });
  }

  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { reject(new Stop(Reason.ProbeTimeout, `${this.what}: no answer within ${String(this.timeoutMs)} ms`)); }, this.timeoutMs);
        this.waiting = () => { clearTimeout(timer); this.waiting = undefined; resolve(); };
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** One backend message: its type byte and body. */
  async message(): Promise<{ type: string; body: Buffer }> {
    const head = await this.take(5);
    const len = head.readInt32BE(1);
    if (len < 4 || len > 1_000_000) throw new Stop(Reason.DatabaseProtocolError, `${this.what}: not a PostgreSQL server (message length ${String(len)})`);
    return { type: String.fromCharCode(head[0] ?? 0), body: await this.take(len - 4) };
  }
}

function classify(e: NodeJS.ErrnoException, what: string): Stop {
  const code = e.code ?? '';
  if (TLS_VERIFY_CODES.test(code) || /certificate|Hostname\/IP/i.test(e.message)) return new Stop(Reason.CertificateInvalid, `${what}: the server certificate does not verify against the CA (${code || e.message})`);
  return new Stop(Reason.Unreachable, `${what}: ${code || e.message}`);
}

function open(input: DatabaseTlsInput, what: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = netConnect({ host: input.host, port: input.port });
    const timer = setTimeout(() => { s.destroy(); reject(new Stop(Reason.ProbeTimeout, `${what}: no connection within ${String(input.timeoutMs)} ms`)); }, input.timeoutMs);
    s.once('connect', () => { clearTimeout(timer); resolve(s); });
    s.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); reject(classify(e, what)); });
  });
}

function startup(user: string, database: string): Buffer {
  const params = Buffer.from(`user\0${user}\0database\0${database}\0application_name\0ward-operator\0\0`, 'utf8');
  const head = Buffer.alloc(8);
  head.writeInt32BE(8 + params.length, 0);
  head.writeInt32BE(196608, 4); // protocol 3.0
  return Buffer.concat([head, params]);
}

const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** The SQLSTATE and message of an ErrorResponse body (fields C and M). */
export function errorFields(body: Buffer): { code: string; message: string } {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    fields.set(String.fromCharCode(body[i] ?? 0), body.subarray(i + 1, end < 0 ? body.length : end).toString('utf8'));
    i = end < 0 ? body.length : end + 1;
  }
  return { code: fields.get('C') ?? '', message: fields.get('M') ?? '' };
}

/** Step 1 and 2: TLS offered, verified, and a startup answered over it. */
async function verifiedSession(input: DatabaseTlsInput, where: string): Promise<string> {
  const raw = await open(input, where);
  try {
    raw.write(SSL_REQUEST);
    const answer = (await new Reader(raw, input.timeoutMs, where).take(1)).toString('latin1');
    if (answer !== 'S') throw new Stop(Reason.DatabaseTLSOff, `${where} answered the SSLRequest with "${answer}": the server offers no TLS`);
    raw.removeAllListeners('data');
    const tls = tlsConnect({ socket: raw, ca: input.ca, servername: input.serverName ?? input.host, rejectUnauthorized: true });
    const reader = new Reader(tls, input.timeoutMs, where);
    await new Promise<void>((resolve, reject) => {
      tls.once('secureConnect', () => { resolve(); });
      tls.once('error', (e: NodeJS.ErrnoException) => { reject(classify(e, where)); });
    });
    const protocol = tls.getProtocol() ?? 'TLS';
    tls.write(startup(input.user, input.database));
    const first = await reader.message();
    if (first.type !== 'R' && first.type !== 'E') throw new Stop(Reason.DatabaseProtocolError, `${where}: unexpected answer "${first.type}" to the startup over TLS`);
    const auth = first.type === 'R' ? 'an authentication request' : `error ${errorFields(first.body).code}`;
    tls.destroy();
    return `${protocol} verified against the CA for "${input.serverName ?? input.host}", startup answered with ${auth}`;
  } finally {
    raw.destroy();
  }
}

/** Step 3: a plaintext startup must be refused. */
async function plaintextRefused(input: DatabaseTlsInput, where: string): Promise<string> {
  const raw = await open(input, where);
  try {
    raw.write(startup(input.user, input.database));
    const first = await new Reader(raw, input.timeoutMs, where).message();
    if (first.type === 'R') throw new Stop(Reason.PlaintextAccepted, `${where} accepts a plaintext connection for user "${input.user}" (it asked for authentication without TLS): pg_hba.conf has a host record, make it hostssl`);
    if (first.type !== 'E') throw new Stop(Reason.DatabaseProtocolError, `${where}: unexpected answer "${first.type}" to a plaintext startup`);
    const e = errorFields(first.body);
    return `plaintext refused (SQLSTATE ${e.code})`;
  } finally {
    raw.destroy();
  }
}

const result = (ok: boolean, reason: Reason, message: string): ConditionResult => ({ type: ConditionType.DatabaseTLS, status: ok ? 'True' : 'False', reason, message });

/** Runs the probe; never throws: every failure is a DatabaseTLS=False reason. */
export async function probeDatabaseTls(input: DatabaseTlsInput): Promise<ConditionResult> {
  const where = `PostgreSQL ${input.host}:${String(input.port)}`;
  try {
    const tls = await verifiedSession(input, where);
    const plain = await plaintextRefused(input, where);
    return result(true, Reason.TLSVerified, `${where}: ${tls}; ${plain}`);
  } catch (err) {
    if (err instanceof Stop) return result(false, err.reason, err.message);
    return result(false, Reason.Unreachable, `${where}: probe failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
