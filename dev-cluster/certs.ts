import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The PKI of a dev cluster, generated at runtime with `openssl` into `<dir>/pki` (never committed).
 * ECDSA P-256 keys: fast to generate and accepted by kube-apiserver for TLS, client certificates and
 * service-account token signing.
 */
export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly restrictedCert: string;
  readonly restrictedKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

/** Identities of the two kubeconfig users. The restricted user has no RBAC rights at all. */
export const ADMIN_USER = { cn: 'admin', org: 'system:masters' } as const;
export const RESTRICTED_USER = { cn: 'restricted', org: 'ward:restricted' } as const;

/** Subject alternative names of the serving certificate (loopback plus the in-cluster service). */
export const SERVING_SANS = 'IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default.svc';

const DAYS = '365';

export function pkiPaths(dir: string): Pki {
  const p = (name: string): string => join(dir, name);
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    restrictedCert: p('restricted.crt'),
    restrictedKey: p('restricted.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
  };
}

async function openssl(args: readonly string[]): Promise<void> {
  try {
    await execa('openssl', args, { stdin: 'ignore' });
  } catch (err) {
    const e = err as { code?: string; stderr?: string };
    if (e.code === 'ENOENT') {
      throw new Error("'openssl' is not on PATH; it is needed to create the dev cluster's certificates (apt-get install openssl).", {
        cause: err,
      });
    }
    throw new Error(`openssl ${args[0] ?? ''} failed: ${e.stderr ?? String(err)}`, { cause: err });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issueLeaf(pki: Pki, cert: string, key: string, subject: string, ext: readonly string[]): Promise<void> {
  await openssl(['req', '-x509', ...EC_KEY, '-keyout', key, '-out', cert, '-days', DAYS, '-subj', subject,
    '-CA', pki.caCert, '-CAkey', pki.caKey, ...ext.flatMap((e) => ['-addext', e])]);
}

/**
 * Creates whatever part of the PKI is missing in `dir` and returns the paths. Existing files are kept,
 * so a restarted cluster keeps its CA and its users' kubeconfig credentials stay valid.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(pki.caCert) || !existsSync(pki.caKey)) {
    await openssl(['req', '-x509', ...EC_KEY, '-keyout', pki.caKey, '-out', pki.caCert, '-days', DAYS,
      '-subj', '/CN=ward-dev-cluster-ca', '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  }
  const leafExt = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment'];
  if (!existsSync(pki.servingCert)) {
    await issueLeaf(pki, pki.servingCert, pki.servingKey, '/CN=kube-apiserver',
      [...leafExt, 'extendedKeyUsage=serverAuth', `subjectAltName=${SERVING_SANS}`]);
  }
  for (const [user, cert, key] of [[ADMIN_USER, pki.adminCert, pki.adminKey], [RESTRICTED_USER, pki.restrictedCert, pki.restrictedKey]] as const) {
    if (!existsSync(cert)) await issueLeaf(pki, cert, key, `/O=${user.org}/CN=${user.cn}`, [...leafExt, 'extendedKeyUsage=clientAuth']);
  }
  if (!existsSync(pki.serviceAccountKey) || !existsSync(pki.serviceAccountPub)) {
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', pki.serviceAccountKey]);
    await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  }
  for (const key of [pki.caKey, pki.servingKey, pki.adminKey, pki.restrictedKey, pki.serviceAccountKey]) await chmod(key, 0o600);
  return pki;
}

/** Reads a PEM file as base64 for a kubeconfig `*-data` field. */
export async function pemBase64(path: string): Promise<string> {
  return Buffer.from(await readFile(path)).toString('base64');
}

export async function writePrivateFile(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
}
