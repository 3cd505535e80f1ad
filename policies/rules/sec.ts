/**
 * SEC: secrets handling — secret-looking literals in env and ConfigMaps (name patterns plus
 * entropy), references to Secrets or keys that are not there, weak or default values in Secrets,
 * and secrets passed as environment variables. Messages never contain a value.
 */
import { rec, recs, str } from '../index/access.js';
import { envOf } from '../index/env.js';
import type { ObjectIndex } from '../index/object-index.js';
import { describeContainer, type Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import { isStructuredText, shannonEntropy } from '../secret-strength.js';
import { raise, type Finding, type Rule, type Severity } from '../types.js';
import { celString, celStrings, everyContainer, workloadCel } from '../guard/cel.js';
import { cis, defineRule, findingOf, NSA } from './util.js';

export const SEC_LITERAL_ENV = 'WARD-SEC-001';
export const SEC_CONFIGMAP_SECRET = 'WARD-SEC-002';
export const SEC_MISSING_REF = 'WARD-SEC-003';
export const SEC_WEAK_VALUE = 'WARD-SEC-004';
export const SEC_SECRET_AS_ENV = 'WARD-SEC-005';

const SECRET_NAME = /(PASS(WORD|WD)?|SECRET|TOKEN|API[_-]?KEY|ACCESS[_-]?KEY|PRIVATE[_-]?KEY|CREDENTIALS?|(^|[_.-])PIN$|SIGNING[_-]?KEY|ENCRYPTION[_-]?KEY)/i;
const NOT_A_SECRET = /([_.-](URL|URI|PATH|FILE|DIR|ENDPOINT|HOST|PORT|NAME|ID|TYPE|ENABLED|EXPIRY|TTL|LENGTH|HEADER|MODE|TIMEOUT|REF|KEY_?ID|ALGORITHM|POLICY|LOCATION)$)|^(.*_)?TOKEN_(URL|URI)$/i;
/** Names the KM family reports with key-manager context (not duplicated here). */
export const KM_SECRET_NAMES: ReadonlySet<string> = new Set(['KEYMANAGER_AUTH_CLIENT_SECRET']);

/** Shannon entropy of a string in bits per character. */
export const entropy = (s: string): number => shannonEntropy(s);

/** A value that looks like a random credential (long, high entropy, no spaces, not a URL, path, JSON or URL-encoded JSON text). */
export function looksRandom(v: string): boolean {
  return v.length >= 20 && !/[\s/]/.test(v) && !/^[a-z]+:/i.test(v) && entropy(v) >= 4.2 && /\d/.test(v) && /[A-Za-z]/.test(v) && !isStructuredText(v);
}

const REFERENCE = /^\$\(\w+\)$/;
const TEMPLATE = /^\{\{.*\}\}$/;
const isReference = (v: string): boolean => REFERENCE.test(v.trim()) || TEMPLATE.test(v.trim());

/** Why a name/value pair looks like a secret, or undefined. */
export function secretLooking(name: string, value: string | undefined): 'name' | 'entropy' | undefined {
  if (value === undefined || value.trim() === '' || isReference(value)) return undefined;
  if (SECRET_NAME.test(name) && !NOT_A_SECRET.test(name) && !/^(true|false|yes|no)$/i.test(value)) return 'name';
  if (looksRandom(value)) return 'entropy';
  return undefined;
}

/** The words of a finding of WARD-SEC-001 raised by the variable's name on a literal `value` (what its CEL decides). */
export const SEC_LITERAL_BY_NAME = 'a secret-looking literal value';

/** CEL: no literal env value under a secret-looking name (the name branch of secretLooking, minus the key-manager names). */
function literalEnvCel(): string {
  const v = 'e.value.trim()';
  const byName = `${v} != '' && !${v}.matches(${celString(REFERENCE.source)}) && !${v}.matches(${celString(TEMPLATE.source)}) && e.name.matches(${celString(`(?i)${SECRET_NAME.source}`)})`
    + ` && !e.name.matches(${celString(`(?i)${NOT_A_SECRET.source}`)}) && !e.value.matches('(?i)^(true|false|yes|no)$') && !(e.name in ${celStrings([...KM_SECRET_NAMES])})`;
  return everyContainer(`!has(c.env) || !c.env.exists(e, has(e.value) && ${byName})`);
}

const sev = (index: ObjectIndex, w: Workload, base: Severity): Severity => (index.holdsPersonalData(w) ? raise(base) : base);

const literalEnv: Rule = defineRule({
  id: SEC_LITERAL_ENV, title: 'Secret-looking literal in env', severity: 'high',
  rationale: 'A credential written as a literal env value sits in the manifest, the Helm values, Git history and `kubectl get -o yaml` output for anyone who can read the workload.',
  remediation: 'Move the value into a Secret and reference it (preferably as a mounted file; else valueFrom.secretKeyRef).',
  controls: { cis1_12: cis('5.4.1'), nsa: NSA.secrets, owasp2025: 'K03' },
  cel: workloadCel('a container sets a secret-looking variable (by its name) to a literal value: reference a Secret instead', literalEnvCel(), {
    covers: (f) => f.message.includes(`${SEC_LITERAL_BY_NAME}: `),
    leavesToCheck: 'Values are not inspected in CEL: high-entropy values under other names, empty slots for a credential and values read through a ConfigMap (another object) are found by ward check only. A variable named twice in one container is judged on each entry (the check, like Kubernetes, takes the last).',
  }),
  check: (index) => index.workloads.flatMap((w) => w.containers.flatMap((c) => envOf(index, w, c).flatMap((e): Finding[] => {
    if (e.source !== 'literal' && e.source !== 'configMap') return [];
    if (e.value !== undefined && e.value.trim() === '' && isCredentialSetting(e.name)) {
      // The chart's slot for a literal secret (OpenG2P 1.3.1 odoo KEYMANAGER_AUTH_CLIENT_SECRET: ''):
      // nothing leaks yet, but the values the chart offers put the credential into the manifest.
      return [findingOf(index, literalEnv, w.object, `${describeContainer(w, c)} leaves ${e.name} empty, a slot to be filled with a literal secret: take it from a Secret (valueFrom.secretKeyRef) instead`,
        { path: e.path, severity: sev(index, w, 'medium') })];
    }
    if (KM_SECRET_NAMES.has(e.name)) return [];
    const why = secretLooking(e.name, e.value);
    if (!why) return [];
    const via = e.source === 'configMap' ? ' (through a ConfigMap)' : '';
    const what = why === 'name' ? SEC_LITERAL_BY_NAME : 'a high-entropy literal value that looks like a credential';
    return [findingOf(index, literalEnv, w.object, `${describeContainer(w, c)} sets ${e.name} to ${what}${via}: reference a Secret instead`,
      { path: e.path, severity: sev(index, w, why === 'name' ? literalEnv.severity : 'medium') })];
  }))),
});

const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
/** `name = value` / `name: value` lines of a settings file. */
const SETTING_LINE = /^\s*([A-Za-z_][\w.-]*)\s*[=:][ \t]*(.*)$/gm;
/** Last word of a setting name that makes it a credential (`db.password`, `clientSecret`, `auth_token`; not `tokendir`). */
const CREDENTIAL_WORD = /^(password|passwd|pwd|secret|token|apikey|pin)$/;

/** A setting whose last word names a credential (`KEYMANAGER_AUTH_CLIENT_SECRET`, `db.password`; not `tokendir`). */
export function isCredentialSetting(name: string): boolean {
  return CREDENTIAL_WORD.test(settingWords(name).at(-1) ?? '');
}

/** The words of a setting name: split at `.`, `_`, `-` and camelCase humps, lower-cased. */
export function settingWords(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s._-]+/).filter(Boolean).map((w) => w.toLowerCase());
}

/** Credential settings of a multi-line settings file: `set` with a literal value, `empty` with '' (the chart's slot for a literal secret). */
export function credentialSettings(text: string): { set: string[]; empty: string[] } {
  const set: string[] = [];
  const empty: string[] = [];
  for (const m of text.matchAll(SETTING_LINE)) {
    const [name = '', raw = ''] = [m[1], m[2]];
    const words = settingWords(name);
    const last = words.at(-1) ?? '';
    if (!CREDENTIAL_WORD.test(last) && !(last === 'key' && words.at(-2) === 'api')) continue;
    const value = raw.replace(/\s+#.*$/, '').trim();
    if (/^(''|""|)$/.test(value)) empty.push(name);
    else if (!/^(\$\{|\{\{|true$|false$|null$|~$|[|>][-+]?$)/i.test(value)) set.push(name);
  }
  return { set, empty };
}

function configMapProblem(key: string, value: string): string | undefined {
  if (PEM_PRIVATE.test(value)) return 'holds a PEM private key';
  if (secretLooking(key, value) === 'name') return 'has a secret-looking name and a value';
  if (!value.includes('\n') && looksRandom(value)) return 'holds a high-entropy value that looks like a credential';
  if (!value.includes('\n')) return undefined;
  const found = credentialSettings(value);
  if (found.set.length) return `contains a password/secret setting (${found.set.join(', ')})`;
  if (found.empty.length) return `leaves the secret setting ${found.empty.join(', ')} empty, to be filled in with a literal secret`;
  return undefined;
}

const configMapSecret: Rule = defineRule({
  id: SEC_CONFIGMAP_SECRET, title: 'Secret-looking ConfigMap entry', severity: 'high',
  rationale: 'ConfigMaps are not access-controlled like Secrets (many roles can read them) and are never encrypted at rest.',
  remediation: 'Move the entry into a Secret and mount or reference it from there.',
  controls: { cis1_12: cis('5.4.1'), nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => index.ofKind('ConfigMap').flatMap((cm) => Object.entries(rec(cm.data)).flatMap(([key, v]): Finding[] => {
    const problem = typeof v === 'string' ? configMapProblem(key, v) : undefined;
    return problem ? [findingOf(index, configMapSecret, cm, `ConfigMap ${index.namespaceOf(cm) ?? ''}/${cm.metadata.name} key "${key}" ${problem}: move it into a Secret`, { path: ['data', key] })] : [];
  })),
});

interface SecretRef { readonly name: string; readonly keys: readonly string[]; readonly optional: boolean; readonly path: FieldPath; readonly what: string }

function secretRefs(w: Workload): SecretRef[] {
  const out: SecretRef[] = [];
  for (const c of w.containers) {
    recs(c.container.env).forEach((e, i) => {
      const ref = rec(rec(e.valueFrom).secretKeyRef);
      const name = str(ref.name);
      if (name) out.push({ name, keys: str(ref.key) ? [str(ref.key) ?? ''] : [], optional: ref.optional === true, path: [...c.path, 'env', i], what: `env ${str(e.name) ?? ''} of container "${c.name}"` });
    });
    recs(c.container.envFrom).forEach((ef, i) => {
      const name = str(rec(ef.secretRef).name);
      if (name) out.push({ name, keys: [], optional: rec(ef.secretRef).optional === true, path: [...c.path, 'envFrom', i], what: `envFrom of container "${c.name}"` });
    });
  }
  recs(w.podSpec.volumes).forEach((v, i) => {
    const s = rec(v.secret);
    const name = str(s.secretName);
    if (name) out.push({ name, keys: recs(s.items).map((it) => str(it.key) ?? ''), optional: s.optional === true, path: [...w.podSpecPath, 'volumes', i], what: `volume "${str(v.name) ?? ''}"` });
    recs(rec(v.projected).sources).forEach((src) => {
      const ps = rec(src.secret);
      const pname = str(ps.name);
      if (pname) out.push({ name: pname, keys: recs(ps.items).map((it) => str(it.key) ?? ''), optional: ps.optional === true, path: [...w.podSpecPath, 'volumes', i], what: `projected volume "${str(v.name) ?? ''}"` });
    });
  });
  recs(w.podSpec.imagePullSecrets).forEach((s, i) => {
    const name = str(s.name);
    if (name) out.push({ name, keys: [], optional: false, path: [...w.podSpecPath, 'imagePullSecrets', i], what: 'imagePullSecrets' });
  });
  return out;
}

function missing(index: ObjectIndex, w: Workload, ref: SecretRef): string | undefined {
  const secret = index.get('Secret', w.namespace, ref.name);
  if (!secret) return `Secret ${w.namespace}/${ref.name}, which does not exist`;
  const keys = index.secretFacts(secret)?.keys;
  if (!keys) return undefined;
  const absent = ref.keys.filter((k) => !keys.includes(k));
  return absent.length ? `key${absent.length > 1 ? 's' : ''} ${absent.map((k) => `"${k}"`).join(', ')} of Secret ${w.namespace}/${ref.name}, which it does not have` : undefined;
}

const missingRef: Rule = defineRule({
  id: SEC_MISSING_REF, title: 'Reference to a missing Secret or key', severity: 'high',
  rationale: 'A pod referencing a Secret or key that is not there fails to start (or starts without the credential when optional), and a later Secret with that name is trusted blindly.',
  remediation: 'Create the Secret with the key, or fix the reference.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => index.workloads.flatMap((w) => {
    if (!index.knowsKindIn('Secret', w.namespace)) return [];
    return secretRefs(w).flatMap((ref): Finding[] => {
      if (ref.optional) return [];
      const problem = missing(index, w, ref);
      return problem ? [findingOf(index, missingRef, w.object, `${w.ref.kind} ${w.namespace}/${w.ref.name} ${ref.what} references ${problem}`, { path: ref.path, severity: sev(index, w, missingRef.severity) })] : [];
    });
  }),
});

const WEAK_TEXT = { empty: 'is empty', short: 'is shorter than 12 characters', 'known-default': 'is a well-known default value' } as const;

const weakValue: Rule = defineRule({
  id: SEC_WEAK_VALUE, title: 'Weak or default Secret value', severity: 'high',
  rationale: 'Default credentials (admin/admin, changeme, the chart\'s defaults) and short values are the first thing an attacker tries.',
  remediation: 'Generate a random value of at least 24 characters (e.g. openssl rand -base64 32) and rotate it.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => index.ofKind('Secret').flatMap((s) => (index.secretFacts(s)?.weak ?? []).map((wk) =>
    findingOf(index, weakValue, s, `Secret ${index.namespaceOf(s) ?? ''}/${s.metadata.name} key "${wk.key}" ${WEAK_TEXT[wk.reason]}`, { path: [rec(s.data)[wk.key] !== undefined ? 'data' : 'stringData', wk.key] }))),
});

const asEnv: Rule = defineRule({
  id: SEC_SECRET_AS_ENV, title: 'Secret passed as environment variable', severity: 'low',
  rationale: 'Environment variables leak into child processes, crash dumps and debug endpoints; files can be permissioned and rotated in place.',
  remediation: 'Mount the Secret as a volume and point the program at the file (e.g. *_FILE variables).',
  controls: { cis1_12: cis('5.4.1'), nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => index.workloads.flatMap((w) => w.containers.flatMap((c) => {
    const names = envOf(index, w, c).filter((e) => e.source === 'secret').map((e) => e.name);
    const fromAll = recs(c.container.envFrom).filter((ef) => ef.secretRef !== undefined).map((ef) => `all keys of Secret ${str(rec(ef.secretRef).name) ?? '?'}`);
    const all = [...names, ...fromAll];
    return all.length ? [findingOf(index, asEnv, w.object, `${describeContainer(w, c)} receives secrets as environment variables (${all.join(', ')}): mount them as files`, { path: c.path })] : [];
  })),
});

export const secRules: readonly Rule[] = [literalEnv, configMapSecret, missingRef, weakValue, asEnv];
