/**
 * SEC, continued: credentials anyone can guess without reading the manifest — a component's
 * documented default (policies/known-defaults.ts) and a password equal to its user name — in Secrets
 * (from the loader's facts), env values (literal and through ConfigMaps) and ConfigMap data
 * (setting-groups.ts: each value is reported once, where envOf or the ConfigMap key puts it).
 * Messages name the setting and the default, never a value.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, str } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { describeDefault, documentedDefault, knownDefaultById, type KnownDefault } from '../known-defaults.js';
import { namesCredential, userPasswordPairs } from '../secret-strength.js';
import type { Finding, Rule } from '../types.js';
import { placedFinding, settingGroups, type SettingGroup } from './setting-groups.js';
import { defineRule, findingOf, NSA } from './util.js';

export const SEC_DOCUMENTED_DEFAULT = 'WARD-SEC-006';
export const SEC_PASSWORD_IS_USER = 'WARD-SEC-007';

const secretPath = (s: KubeObject, key: string): string[] => [rec(s.data)[key] !== undefined ? 'data' : 'stringData', key];
const isSet = (v: string | undefined): v is string => v !== undefined && v.trim() !== '' && !/^\$\(\w+\)$|^\$\{.*\}$|^\{\{.*\}\}$/.test(v.trim());

/** Names that say which component a group's settings belong to: its object, the images it runs, the file. */
function contextOf(g: SettingGroup): string[] {
  const images = g.kind === 'container' ? g.workloads.flatMap((w) => w.containers.map((c) => str(c.container.image) ?? '')) : [];
  return [g.object.metadata.name, ...images, ...g.texts.map((t) => t.where)];
}

/** The documented default a credential setting holds, if any. */
function defaultOf(name: string, value: string | undefined, context: readonly string[]): KnownDefault | undefined {
  return isSet(value) && namesCredential(name) ? documentedDefault(value, [name, ...context]) : undefined;
}

/** `… env X is the documented default …`; a settings file names the setting: `… key "odoo.conf" sets admin_passwd to the documented default …`. */
function defaultFindings(index: ObjectIndex, rule: Rule, g: SettingGroup): Finding[] {
  const context = contextOf(g);
  return g.settings.flatMap((s) => {
    const d = defaultOf(s.name, s.value, context);
    if (!d) return [];
    const what = g.kind === 'file' ? `sets ${s.name} to the documented default ${d.what} of ${d.component}` : describeDefault(d);
    return [placedFinding(index, rule, g, s, what)];
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
    ...settingGroups(index).flatMap((g) => defaultFindings(index, documentedDefaultRule, g)),
  ],
});

/** Password settings of a group equal to their user setting (a documented default is WARD-SEC-006's alone). */
function sameFindings(index: ObjectIndex, rule: Rule, g: SettingGroup): Finding[] {
  const byName = new Map(g.settings.map((s) => [s.name, s]));
  const context = contextOf(g);
  return userPasswordPairs([...byName.keys()]).flatMap(({ password, user }) => {
    const pw = byName.get(password);
    if (!pw || !isSet(pw.value) || pw.value !== byName.get(user)?.value || defaultOf(password, pw.value, context)) return [];
    const what = g.kind === 'file' ? `sets ${password} equal to its user name (${user})` : `equals its user name (${g.kind === 'entries' ? `key "${user}"` : user})`;
    return [placedFinding(index, rule, g, pw, what)];
  });
}

const passwordIsUser: Rule = defineRule({
  id: SEC_PASSWORD_IS_USER, title: 'Password equal to its user name', severity: 'high',
  rationale: 'Password guessing tries the user name as the password first (credential-stuffing lists, hydra -e s): a password equal to its user name falls to the first attempt of anyone who can read or guess the user name.',
  remediation: 'Generate a random password of at least 24 characters (e.g. openssl rand -base64 32), keep it in a Secret and rotate it.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => [
    ...index.ofKind('Secret').flatMap((s) => (index.secretFacts(s)?.sameAsUser ?? []).map((f) =>
      findingOf(index, passwordIsUser, s, `Secret ${index.namespaceOf(s) ?? ''}/${s.metadata.name} key "${f.key}" equals its user name (key "${f.userKey}")`, { path: secretPath(s, f.key) }))),
    ...settingGroups(index).flatMap((g) => sameFindings(index, passwordIsUser, g)),
  ],
});

export const secDefaultRules: readonly Rule[] = [documentedDefaultRule, passwordIsUser];
