/**
 * The administrators' client-certificate CA behind `ward admin-cert` (docs/edge.md): an OpenSSL CA
 * directory (openssl ca: index.txt, serial, crlnumber; ca.key 0600 in a 0700 directory), client
 * certificates for CSRs made on the administrators' machines, revocation and the CRL Istio reads as
 * `ca.crl`. OpenSSL does the cryptography (the well-kept tool every platform team has); ward writes
 * its configuration, checks names and paths, and never prints or copies a private key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { UsageError } from '../exit-codes.js';
import { writePrivateFile } from '../write.js';

/** Administrator names: a DNS-1123-like word (it becomes the certificate's CN, and a file name). */
const NAME = /^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/;

export function adminNameProblem(name: string): string | undefined {
  return NAME.test(name) ? undefined : `"${name}" is not an administrator name: lowercase letters, digits, "." and "-", at most 63 characters, e.g. alice or alice-laptop`;
}

export const CA_FILES = { key: 'ca.key', cert: 'ca.crt', crl: 'ca.crl', config: 'openssl.cnf', index: 'index.txt', serial: 'serial', crlNumber: 'crlnumber', certs: 'certs' } as const;

/** The openssl ca configuration of a CA directory (absolute paths; client certificates only). */
export function caConfig(dir: string, crlDays: number): string {
  return `# Written by ward admin-cert init: the administrators' client-certificate CA (docs/edge.md).
[ ca ]
default_ca = ward
[ ward ]
dir = ${dir}
database = $dir/${CA_FILES.index}
new_certs_dir = $dir/${CA_FILES.certs}
certificate = $dir/${CA_FILES.cert}
private_key = $dir/${CA_FILES.key}
serial = $dir/${CA_FILES.serial}
crlnumber = $dir/${CA_FILES.crlNumber}
default_md = sha256
default_days = 90
default_crl_days = ${String(crlDays)}
policy = ward_policy
unique_subject = no
copy_extensions = none
x509_extensions = client_cert
[ ward_policy ]
commonName = supplied
[ client_cert ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ req ]
distinguished_name = req_dn
[ req_dn ]
[ ca_cert ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;
}

/** Runs openssl; a failure is an error naming the step and openssl's own message (never a key). */
async function openssl(step: string, args: readonly string[]): Promise<string> {
  const r = await execa('openssl', args, { reject: false });
  if (r.failed) {
    const text = typeof r.stderr === 'string' && r.stderr !== '' ? r.stderr : (r.message ?? '');
    const why = r.code === 'ENOENT' ? 'openssl is not installed (Debian: apt-get install openssl)' : text.trim().split('\n').slice(0, 3).join('; ');
    throw new UsageError(`${step} failed: ${why}`, 1);
  }
  return r.stdout;
}

function caPaths(caDir: string): Record<keyof typeof CA_FILES, string> {
  const dir = resolve(caDir);
  return Object.fromEntries(Object.entries(CA_FILES).map(([k, f]) => [k, join(dir, f)])) as Record<keyof typeof CA_FILES, string>;
}

function requireCa(caDir: string): Record<keyof typeof CA_FILES, string> {
  const p = caPaths(caDir);
  for (const f of [p.config, p.key, p.cert, p.index]) if (!existsSync(f)) throw new UsageError(`${caDir} is not a ward admin CA (no ${f}): create one with ward admin-cert init --ca-dir ${caDir}`);
  return p;
}

export interface InitOptions { readonly caDir: string; readonly name: string; readonly days: number; readonly crlDays: number }

/** A new CA: key (0600, never printed), self-signed CA certificate, empty index, first CRL. */
export async function initCa(o: InitOptions): Promise<{ cert: string; crl: string }> {
  const dir = resolve(o.caDir);
  const p = caPaths(dir);
  if (existsSync(p.key)) throw new UsageError(`${o.caDir} already holds a CA (${p.key}): refusing to overwrite its key`);
  await mkdir(join(dir, CA_FILES.certs), { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await writeFile(p.config, caConfig(dir, o.crlDays));
  await writeFile(p.index, '');
  await writeFile(p.serial, '1000\n');
  await writeFile(p.crlNumber, '1000\n');
  await writePrivateFile(p.key, privateKeyPem(), 'CA private key');
  await openssl('creating the CA certificate', ['req', '-config', p.config, '-x509', '-new', '-key', p.key, '-out', p.cert, '-days', String(o.days), '-subj', `/CN=${o.name}`, '-extensions', 'ca_cert']);
  await gencrl(p);
  return { cert: p.cert, crl: p.crl };
}

/** An EC P-256 private key (PKCS#8 PEM), made in this process: written 0600 by the caller, never printed. */
function privateKeyPem(): string {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/** On the administrator's machine: `<out>.key` (0600) and `<out>.csr` with CN=<name>. */
export async function requestCertificate(name: string, out: string): Promise<{ key: string; csr: string }> {
  const problem = adminNameProblem(name);
  if (problem !== undefined) throw new UsageError(problem);
  const key = `${out}.key`;
  const csr = `${out}.csr`;
  if (existsSync(key)) throw new UsageError(`${key} exists: refusing to overwrite a private key (choose another -o or remove it)`);
  await writePrivateFile(key, privateKeyPem(), 'private key');
  await openssl('creating the CSR', ['req', '-new', '-key', key, '-out', csr, '-subj', `/CN=${name}`]);
  return { key, csr };
}

/** The CN of a CSR (verified: its signature must check out). */
async function csrName(csr: string): Promise<string> {
  if (!existsSync(csr)) throw new UsageError(`cannot read the CSR ${csr}: no such file`);
  const subject = await openssl(`reading the CSR ${csr}`, ['req', '-in', csr, '-noout', '-verify', '-subject', '-nameopt', 'sep_multiline,lname']);
  const cn = /commonName\s*=\s*(\S+)/.exec(subject)?.[1];
  const problem = cn === undefined ? 'names no commonName' : adminNameProblem(cn);
  if (problem !== undefined) throw new UsageError(`the CSR ${csr} ${cn === undefined ? problem : `has CN ${problem}`}`);
  return cn as string;
}

/** On the CA: signs a CSR as a client certificate; returns its path (`<ca>/certs/<serial>.pem` copied to `out`). */
export async function signRequest(caDir: string, csr: string, days: number, out: string | undefined): Promise<{ name: string; cert: string }> {
  const p = requireCa(caDir);
  const name = await csrName(csr);
  const cert = out ?? join(resolve(caDir), `${name}.crt`);
  await openssl(`signing ${csr}`, ['ca', '-batch', '-config', p.config, '-in', csr, '-out', cert, '-days', String(days), '-notext']);
  return { name, cert };
}

/** Serials of the valid certificates issued to `name` (index.txt: status, expiry, revocation, serial, file, subject). */
async function validSerials(indexFile: string, name: string): Promise<string[]> {
  const lines = (await readFile(indexFile, 'utf8')).split('\n');
  return lines.map((l) => l.split('\t')).filter((f) => f[0] === 'V' && f[5] === `/CN=${name}`).map((f) => f[3] ?? '').filter((s) => s !== '');
}

async function gencrl(p: Record<keyof typeof CA_FILES, string>): Promise<void> {
  await openssl('writing the CRL', ['ca', '-config', p.config, '-gencrl', '-out', p.crl]);
}

/** On the CA: revokes every valid certificate of `name` and rewrites the CRL; returns the revoked serials. */
export async function revokeAdmin(caDir: string, name: string): Promise<{ serials: string[]; crl: string }> {
  const problem = adminNameProblem(name);
  if (problem !== undefined) throw new UsageError(problem);
  const p = requireCa(caDir);
  const serials = await validSerials(p.index, name);
  if (serials.length === 0) throw new UsageError(`${caDir} holds no valid certificate for ${name}: nothing to revoke`);
  for (const s of serials) await openssl(`revoking serial ${s}`, ['ca', '-config', p.config, '-revoke', join(p.certs, `${s}.pem`), '-crl_reason', 'keyCompromise']);
  await gencrl(p);
  return { serials, crl: p.crl };
}

/** The Secret update after a revocation: a merge patch with the public ca.crt and ca.crl only (never tls.key). */
export async function secretPatch(caDir: string, secret: string, namespace: string): Promise<string> {
  const p = requireCa(caDir);
  const b64 = async (f: string): Promise<string> => (await readFile(f)).toString('base64');
  return `# kubectl -n ${namespace} patch secret ${secret} --type merge --patch-file <this file>
# (public data only: the administrators' CA and its revocation list; tls.crt/tls.key stay as they are)
data:
  ca.crt: ${await b64(p.cert)}
  ca.crl: ${await b64(p.crl)}
`;
}

/** cert-manager instead of the offline CA: the CertificateRequest for a CSR. */
export async function certificateRequest(csr: string, issuer: string, kind: string, namespace: string, days: number): Promise<string> {
  const name = await csrName(csr);
  const request = (await readFile(csr)).toString('base64');
  return `apiVersion: cert-manager.io/v1
kind: CertificateRequest
metadata:
  name: admin-${name}
  namespace: ${namespace}
spec:
  request: ${request}
  issuerRef: {name: ${issuer}, kind: ${kind}, group: cert-manager.io}
  duration: ${String(days * 24)}h
  usages: [client auth, digital signature]
`;
}
