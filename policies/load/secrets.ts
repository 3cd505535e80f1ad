/**
 * Secrets are reduced to names, keys and weakness facts here, in the loader: their values never
 * reach the index, the rules, a finding or a report.
 */
import { X509Certificate } from 'node:crypto';
import type { KubeObject } from '../../charts-src/kube.js';
import { documentedDefault } from '../known-defaults.js';
import { isCredentialKey, isDefaultAdminUser, isKnownDefault, namesCredential, userPasswordPairs } from '../secret-strength.js';
import type { SecretFacts } from './types.js';

/** Values shorter than this are weak. */
export const MIN_SECRET_LENGTH = 12;

export const REDACTED = '<redacted by ward>';

function decode(value: unknown, base64: boolean): string | undefined {
  if (typeof value !== 'string') return undefined;
  return base64 ? Buffer.from(value, 'base64').toString('utf8') : value;
}

function weakness(key: string, value: string): SecretFacts['weak'][number]['reason'] | undefined {
  // Ports, user names, Git branches and the like are no credentials: their length says nothing,
  // but a default administrator name (MinIO root-user admin) is half of a default login.
  if (!isCredentialKey(key, value)) return isDefaultAdminUser(key, value) ? 'known-default' : undefined;
  if (value.length === 0) return 'empty';
  if (isKnownDefault(value)) return 'known-default';
  if (value.length < MIN_SECRET_LENGTH) return 'short';
  return undefined;
}

function entries(value: unknown): [string, unknown][] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

type Facts = { keys: string[]; weak: { key: string; reason: 'empty' | 'short' | 'known-default' }[]; defaults: { key: string; id: string }[]; sameAsUser: { key: string; userKey: string }[] };

/**
 * Facts of the decoded values: a documented component default (WARD-SEC-006) or a password equal to
 * its user name (WARD-SEC-007) is that fact alone, not also a weak value (WARD-SEC-004).
 */
function factsOf(secretName: string, values: ReadonlyMap<string, string>): Facts {
  const facts: Facts = { keys: [...values.keys()], weak: [], defaults: [], sameAsUser: [] };
  const owned = new Set<string>();
  for (const [key, value] of values) {
    const known = value !== '' && namesCredential(key) ? documentedDefault(value, [key, secretName]) : undefined;
    if (!known) continue;
    facts.defaults.push({ key, id: known.id });
    owned.add(key);
  }
  for (const { password, user } of userPasswordPairs([...values.keys()])) {
    const value = values.get(password) ?? '';
    if (value === '' || value !== values.get(user) || owned.has(password)) continue;
    facts.sameAsUser.push({ key: password, userKey: user });
    owned.add(password);
  }
  for (const [key, value] of values) {
    const reason = owned.has(key) ? undefined : weakness(key, value);
    if (reason) facts.weak.push({ key, reason });
  }
  return facts;
}

/** Keys holding public certificates (Istio credential Secrets: tls.crt, ca.crt; generic: cacert). */
const CERTIFICATE_KEY = /(^|\.)crt$|^cacert$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The subject and expiry of the first certificate of each certificate key; values that do not parse are skipped. */
function certificatesOf(values: ReadonlyMap<string, string>): { key: string; subject: string; notAfter: string }[] {
  const out: { key: string; subject: string; notAfter: string }[] = [];
  for (const [key, value] of values) {
    const pem = CERTIFICATE_KEY.test(key) ? PEM_CERTIFICATE.exec(value)?.[0] : undefined;
    if (pem === undefined) continue;
    try {
      const cert = new X509Certificate(pem);
      out.push({ key, subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo).toISOString() });
    } catch {
      // not a certificate: nothing to report about its expiry
    }
  }
  return out;
}

const CRL_KEY = /^(ca\.)?crl$/;
const PEM_CRL = /-----BEGIN X509 CRL-----([\s\S]+?)-----END X509 CRL-----/;

/** DER of one SEQUENCE spanning the whole buffer (definite length): the outer shape of a CertificateList. */
function derSequence(der: Buffer): boolean {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first === der.length;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return false;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + (der[2 + i] ?? 0);
  return 2 + n + len === der.length;
}

/** Revocation-list keys whose value is not a PEM X.509 CRL (a fact about the value's form; never the value). */
function unreadableCrlsOf(values: ReadonlyMap<string, string>): string[] {
  return [...values].filter(([key, value]) => {
    if (!CRL_KEY.test(key)) return false;
    const body = PEM_CRL.exec(value)?.[1];
    return body === undefined || !derSequence(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  }).map(([key]) => key);
}

/** Computes the facts of a Secret and returns a copy whose values are replaced by a marker. */
export function redactSecret(obj: KubeObject): { object: KubeObject; facts: SecretFacts } {
  const keys: string[] = [];
  const values = new Map<string, string>();
  const redacted: Record<string, unknown> = { ...obj };
  for (const [field, base64] of [['data', true], ['stringData', false]] as const) {
    const list = entries(obj[field]);
    if (list.length === 0) continue;
    const out: Record<string, string> = {};
    for (const [key, raw] of list) {
      keys.push(key);
      const value = decode(raw, base64);
      // stringData wins over data for the same key, as the API server merges them.
      if (value !== undefined) values.set(key, value);
      out[key] = REDACTED;
    }
    redacted[field] = out;
  }
  const { weak, defaults, sameAsUser } = factsOf(typeof obj.metadata.name === 'string' ? obj.metadata.name : '', values);
  const certificates = certificatesOf(values);
  const unreadableCrls = unreadableCrlsOf(values);
  return {
    object: redacted as KubeObject,
    facts: { keys: [...new Set(keys)], weak, ...(defaults.length ? { defaults } : {}), ...(sameAsUser.length ? { sameAsUser } : {}), ...(certificates.length ? { certificates } : {}), ...(unreadableCrls.length ? { unreadableCrls } : {}) },
  };
}
