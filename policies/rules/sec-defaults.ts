/**
 * SEC, continued: credentials anyone can guess without reading the manifest — a component's
 * documented default (policies/known-defaults.ts) and a password equal to its user name — in Secrets
 * (from the loader's facts), literal env values and ConfigMap data. Messages name the setting and
 * the default, never a value.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, str } from '../index/access.js';
import { envOf } from '../index/env.js';
import type { ObjectIndex } from '../index/object-index.js';
import { configMapEntries, configMapReaders, settingsOf } from '../index/settings.js';
import { describeContainer, type Workload } from '../index/workloads.js';
import { describeDefault, documentedDefault, knownDefaultById, type KnownDefault } from '../known-defaults.js';
import { namesCredential, userPasswordPairs } from '../secret-strength.js';
import { raise, type Finding, type Rule } from '../types.js';
import { defineRule, findingOf, NSA } from './util.js';

export const SEC_DOCUMENTED_DEFAULT = 'WARD-SEC-006';
export const SEC_PASSWORD_IS_USER = 'WARD-SEC-007';

const secretPath = (s: KubeObject, key: string): string[] => [rec(s.data)[key] !== undefined ? 'data' : 'stringData', key];
const images = (w: Workload): string[] => w.containers.map((c) => str(c.container.image) ?? '');
const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '' && !/^\$\(\w+\)$|^\$\{.*\}$|^\{\{.*\}\}$/.test(v.trim());

/** The documented default a credential setting holds, if any. */
function defaultOf(name: string, value: string | undefined, context: readonly string[]): KnownDefault | undefined {
  return isSet(value) && namesCredential(name) ? documentedDefault(value, [name, ...context]) : undefined;
}

/** Findings on a ConfigMap key: a single credential value, or credential settings of a settings file. */
function configMapDefaults(index: ObjectIndex, rule: Rule, cm: KubeObject): Finding[] {
  const where = `ConfigMap ${index.namespaceOf(cm) ?? ''}/${cm.metadata.name}`;
  return configMapEntries(cm).flatMap(([key, value]): Finding[] => {
    if (!value.includes('\n')) {
      const d = defaultOf(key, value, [cm.metadata.name]);
      return d ? [findingOf(index, rule, cm, `${where} key "${key}" ${describeDefault(d)}: move it into a Secret with a random value`, { path: ['data', key] })] : [];
    }
    return settingsOf(value).flatMap((s) => {
      const d = defaultOf(s.name, s.value, [key, cm.metadata.name]);
      return d ? [findingOf(index, rule, cm, `${where} key "${key}" sets ${s.name} to the documented default ${d.what} of ${d.component}: set a random value from a Secret`, { path: ['data', key] })] : [];
    });
  });
}

const documentedDefaultRule: Rule = defineRule({
  id: SEC_DOCUMENTED_DEFAULT, title: 'Documented default credential or signing key', severity: 'critical',
  rationale: 'A default written in the component\'s own documentation (MinIO\'s root login, Superset\'s SECRET_KEY, the SoftHSM PIN the OpenG2P key-manager chart hard-codes) is the first value anyone tries and is the same in every install: it protects nothing, whoever can reach the service logs in, forges sessions or unlocks the HSM that holds the keys of the personal data. Critical whatever the workload: the value is public.',
  remediation: 'Replace the value with a random one of at least 24 characters kept in a Secret (e.g. openssl rand -base64 32), and rotate it where it was already used.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => [
    ...index.ofKind('Secret').flatMap((s) => (index.secretFacts(s)?.defaults ?? []).flatMap((f) => {
      const d = knownDefaultById(f.id);
      return d ? [findingOf(index, documentedDefaultRule, s, `Secret ${index.namespaceOf(s) ?? ''}/${s.metadata.name} key "${f.key}" ${describeDefault(d)}`, { path: secretPath(s, f.key) })] : [];
    })),
    ...index.workloads.flatMap((w) => w.containers.flatMap((c) => envOf(index, w, c).flatMap((e) => {
      const d = e.source === 'literal' || e.source === 'configMap' ? defaultOf(e.name, e.value, [w.ref.name, ...images(w)]) : undefined;
      return d ? [findingOf(index, documentedDefaultRule, w.object, `${describeContainer(w, c)} sets ${e.name} to the documented default ${d.what} of ${d.component}`, { path: e.path })] : [];
    }))),
    ...index.ofKind('ConfigMap').flatMap((cm) => configMapDefaults(index, documentedDefaultRule, cm)),
  ],
});

/** Password settings equal to their user setting among `values` (name → value), skipping unset values. */
function samePairs(values: ReadonlyMap<string, string | undefined>, context: readonly string[]): { password: string; user: string }[] {
  // A documented default is that fact alone (WARD-SEC-006), even when the user name is the same.
  return userPasswordPairs([...values.keys()]).filter((p) => {
    const pw = values.get(p.password);
    return isSet(pw) && pw === values.get(p.user) && defaultOf(p.password, pw, context) === undefined;
  });
}

function configMapSame(index: ObjectIndex, rule: Rule, cm: KubeObject): Finding[] {
  const where = `ConfigMap ${index.namespaceOf(cm) ?? ''}/${cm.metadata.name}`;
  const entries = configMapEntries(cm);
  const raised = configMapReaders(index, cm).some((w) => index.holdsPersonalData(w));
  const single = samePairs(new Map(entries.filter(([, v]) => !v.includes('\n'))), [cm.metadata.name])
    .map((p) => findingOf(index, rule, cm, `${where} key "${p.password}" equals its user name (key "${p.user}")`, { path: ['data', p.password], raised }));
  const files = entries.filter(([, v]) => v.includes('\n')).flatMap(([key, text]) => samePairs(new Map(settingsOf(text).map((s) => [s.name, s.value])), [key, cm.metadata.name])
    .map((p) => findingOf(index, rule, cm, `${where} key "${key}" sets ${p.password} equal to its user name (${p.user})`, { path: ['data', key], raised })));
  return [...single, ...files];
}

const passwordIsUser: Rule = defineRule({
  id: SEC_PASSWORD_IS_USER, title: 'Password equal to its user name', severity: 'high',
  rationale: 'Password guessing tries the user name as the password first (credential-stuffing lists, hydra -e s): a password equal to its user name falls to the first attempt of anyone who can read or guess the user name.',
  remediation: 'Generate a random password of at least 24 characters (e.g. openssl rand -base64 32), keep it in a Secret and rotate it.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => [
    ...index.ofKind('Secret').flatMap((s) => (index.secretFacts(s)?.sameAsUser ?? []).map((f) =>
      findingOf(index, passwordIsUser, s, `Secret ${index.namespaceOf(s) ?? ''}/${s.metadata.name} key "${f.key}" equals its user name (key "${f.userKey}")`, { path: secretPath(s, f.key) }))),
    ...index.workloads.flatMap((w) => w.containers.flatMap((c) => {
      const env = envOf(index, w, c).filter((e) => e.source === 'literal' || e.source === 'configMap');
      return samePairs(new Map(env.map((e) => [e.name, e.value])), [w.ref.name, ...images(w)]).map((p) =>
        findingOf(index, passwordIsUser, w.object, `${describeContainer(w, c)} sets ${p.password} equal to its user name (${p.user})`, { path: env.find((e) => e.name === p.password)?.path ?? c.path, severity: index.holdsPersonalData(w) ? raise(passwordIsUser.severity) : passwordIsUser.severity }));
    })),
    ...index.ofKind('ConfigMap').flatMap((cm) => configMapSame(index, passwordIsUser, cm)),
  ],
});

export const secDefaultRules: readonly Rule[] = [documentedDefaultRule, passwordIsUser];
