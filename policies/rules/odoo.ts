/**
 * ODOO: the Odoo settings behind an administrator's break-out and the registry database's link.
 * Read from the Bitnami Odoo environment (ODOO_*) and the container's command line, and from
 * odoo.conf files in ConfigMaps. Facts, with their sources (docs/data-tier.md lists them):
 * - Odoo refuses every database-manager call when list_db is False (odoo/odoo odoo/service/db.py:
 *   check_db_management_enabled, list_dbs, exp_list); the option's default is True
 *   (odoo/tools/config.py `--no-database-list`).
 * - The Bitnami image writes odoo.conf once, on the first start, from its template: list_db from
 *   ODOO_LIST_DB (default no → False), admin_passwd = ODOO_PASSWORD (default `bitnami`),
 *   `; db_sslmode = prefer` left commented, proxy_mode = True; then sets the admin user's password
 *   to ODOO_PASSWORD too (bitnami/containers bitnami/odoo/*: odoo-env.sh, libodoo.sh
 *   odoo_initialize, odoo/bitnami-templates/odoo.conf.tpl). run.sh passes the container's
 *   arguments to odoo after --config, so `--db_sslmode=…` on the command line wins.
 * - The OpenG2P 1.3 image (bitnami/odoo plus post-init-openg2p.sh) re-sets list_db from
 *   ODOO_LIST_DB on every start; the chart's own LIST_DB variable is read by nothing
 *   (OpenG2P/openg2p-packaging packaging/post-init-openg2p.sh).
 * - db_sslmode's default is prefer (odoo/tools/config.py); Odoo passes it to libpq as sslmode
 *   (odoo/sql_db.py connection_info_for), so PGSSLMODE in the environment does not change it.
 * - proxy_mode defaults to False (odoo/tools/config.py `--proxy-mode`); only with it on does Odoo
 *   apply werkzeug's ProxyFix to X-Forwarded-For/-Proto/-Host, and only when X-Forwarded-Host is
 *   present (odoo/http.py Application.__call__). The Bitnami template hard-codes proxy_mode = True
 *   (odoo/bitnami-templates/odoo.conf.tpl; no ODOO_PROXY_MODE in odoo-env.sh or libodoo.sh).
 */
import type { ObjectIndex } from '../index/object-index.js';
import { settingsOf, type Setting } from '../index/settings.js';
import { str } from '../index/access.js';
import { imageRepository } from '../index/personal-data.js';
import type { Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import type { Finding, Rule } from '../types.js';
import { argValue, configFiles, storeContainers, type SettingsFile, type StoreContainer } from './data-stores.js';
import { ingressRoutesTo } from './ingress-routes.js';
import { isOff, isOn } from './setting-groups.js';
import { defineRule, findingOf, NSA } from './util.js';

export const ODOO_DB_MANAGER = 'WARD-ODOO-001';
export const ODOO_MASTER_PASSWORD = 'WARD-ODOO-002';
export const ODOO_DEMO_DATA = 'WARD-ODOO-003';
export const ODOO_DB_SSLMODE = 'WARD-ODOO-004';
export const ODOO_SUPERUSER = 'WARD-ODOO-005';
export const ODOO_DBFILTER = 'WARD-ODOO-006';
export const ODOO_PROXY_MODE = 'WARD-ODOO-007';

/** One Odoo configuration as the rules judge it: a Bitnami container, or an odoo.conf file. */
interface OdooConfig {
  readonly rule: 'container' | 'file';
  readonly object: SettingsFile['object'];
  readonly where: string;
  readonly personal: boolean;
  /** The workloads that run with it (the container's; those mounting the file). */
  readonly workloads: readonly Workload[];
  /** The effective value of an odoo.conf option and where it was set (undefined `value`: Odoo's default). */
  option(name: OdooOption): { readonly value: string | undefined; readonly from: string; readonly path: FieldPath };
}

type OdooOption = 'list_db' | 'db_sslmode' | 'db_user' | 'dbfilter' | 'db_name' | 'without_demo' | 'proxy_mode';

/** The env variable behind each option in the Bitnami image (odoo.conf.tpl), and the CLI flag odoo accepts. */
const BITNAMI: Readonly<Record<OdooOption, { env?: string; flag?: string }>> = {
  list_db: { env: 'ODOO_LIST_DB' },
  db_sslmode: { flag: '--db_sslmode' },
  db_user: { env: 'ODOO_DATABASE_USER', flag: '--db_user' },
  dbfilter: { env: 'ODOO_DATABASE_FILTER', flag: '--db-filter' },
  db_name: { env: 'ODOO_DATABASE_NAME', flag: '--database' },
  without_demo: { env: 'ODOO_LOAD_DEMO_DATA' },
  proxy_mode: { env: 'ODOO_PROXY_MODE' },
};

type OptionValue = ReturnType<OdooConfig['option']>;

/** Options the Bitnami image derives from a yes/no variable: the value for yes, and for anything else. */
const YES_NO: Partial<Record<OdooOption, readonly [string, string]>> = { list_db: ['True', 'False'], without_demo: ['False', 'all'] };
/** odoo-env.sh defaults of the other variables. */
const ENV_DEFAULTS: Partial<Record<OdooOption, string>> = { db_user: 'bn_odoo', db_name: 'bitnami_odoo' };

/** What the Bitnami image makes of the variable behind `name` (set or unset). */
function fromEnv(s: StoreContainer, name: OdooOption, env: string | undefined): OptionValue {
  const e = env ? s.env.get(env) : undefined;
  const path = e?.path ?? s.container.path;
  const yesNo = YES_NO[name];
  if (yesNo) return { value: isOn(e?.value ?? '') ? yesNo[0] : yesNo[1], from: e ? `env ${env ?? ''}` : `${env ?? name} unset`, path };
  return e ? { value: e.value, from: `env ${env ?? ''}`, path } : { value: ENV_DEFAULTS[name], from: 'the image default', path };
}

/**
 * Whether the image writes ODOO_PROXY_MODE into odoo.conf. The Bitnami image hard-codes
 * `proxy_mode = True` in its template and reads no variable for it; so do the OpenG2P packaging
 * images before 1.5, which are bitnami/odoo plus a post-init script. From 1.5 they are built on
 * library/odoo and render `proxy_mode = ${ODOO_PROXY_MODE}` (default True) on every start
 * (OpenG2P/openg2p-packaging commit 1b3e037; packaging/odoo.conf.tpl, docker-entrypoint.d/01-set-default-env-vars.sh).
 */
export function readsProxyModeEnv(image: string): boolean {
  const repo = imageRepository(image);
  if (/(^|\/)bitnami\/odoo$/.test(repo)) return false;
  if (!/(^|\/)openg2p\/[\w.-]+-odoo-package$/.test(repo)) return true;
  const tag = /:v?(\d+)\.(\d+)[^/]*$/.exec(image.split('@')[0] ?? '');
  return tag === null || Number(tag[1]) > 1 || (Number(tag[1]) === 1 && Number(tag[2]) >= 5);
}

/** proxy_mode of an Odoo container: `--proxy-mode` on the command line, else ODOO_PROXY_MODE where the image reads it, else True. */
function proxyModeOf(s: StoreContainer, argsPath: FieldPath): OptionValue {
  if (s.argv.includes('--proxy-mode')) return { value: 'True', from: 'argument --proxy-mode', path: argsPath };
  const e = s.env.get('ODOO_PROXY_MODE');
  if (e === undefined || !readsProxyModeEnv(str(s.container.container.image) ?? '')) return { value: 'True', from: 'the image default', path: s.container.path };
  return { value: e.value, from: 'env ODOO_PROXY_MODE', path: e.path };
}

function containerConfig(index: ObjectIndex, s: StoreContainer): OdooConfig {
  const argsPath = [...s.container.path, 'args'];
  return {
    rule: 'container', object: s.workload.object, where: s.where, personal: index.holdsPersonalData(s.workload), workloads: [s.workload],
    option(name) {
      const { env, flag } = BITNAMI[name];
      if (name === 'list_db' && s.argv.includes('--no-database-list')) return { value: 'False', from: 'argument --no-database-list', path: argsPath };
      if (name === 'proxy_mode') return proxyModeOf(s, argsPath);
      const arg = flag ? argValue(s.argv, flag) : undefined;
      return arg !== undefined ? { value: arg, from: `argument ${flag ?? ''}`, path: argsPath } : fromEnv(s, name, env);
    },
  };
}

const isOdooConf = (key: string, text: string): boolean => /^\s*\[options\]\s*$/m.test(text) && (/odoo|openerp/i.test(key) || /^\s*(addons_path|admin_passwd|db_host)\s*=/m.test(text));

function fileConfig(index: ObjectIndex, f: SettingsFile): OdooConfig {
  const settings = new Map<string, Setting>(settingsOf(f.text).filter((s) => s.separator === '=').map((s) => [s.name, s]));
  const mounting = index.workloadsIn(index.namespaceOf(f.object) ?? '').filter((w) => JSON.stringify(w.podSpec.volumes ?? []).includes(`"${f.object.metadata.name}"`));
  return {
    rule: 'file', object: f.object, where: f.where, personal: mounting.some((w) => index.holdsPersonalData(w)), workloads: mounting,
    option(name) {
      const s = settings.get(name);
      return { value: s?.value, from: s ? `${name} = ${s.value}` : `${name} not set`, path: f.path };
    },
  };
}

/** Every Odoo configuration in the input: Bitnami-style containers and odoo.conf files. */
function odooConfigs(index: ObjectIndex): OdooConfig[] {
  return [...storeContainers(index, 'odoo').map((s) => containerConfig(index, s)), ...configFiles(index, isOdooConf).map((f) => fileConfig(index, f))];
}

const finding = (index: ObjectIndex, rule: Rule, c: OdooConfig, what: string, path: FieldPath): Finding =>
  findingOf(index, rule, c.object, `${c.where} ${what}`, { path, raised: c.personal });

/** list_db: a file without it gets Odoo's default (True). */
function dbManagerOn(c: OdooConfig): { on: boolean; from: string; path: FieldPath } {
  const o = c.option('list_db');
  return { on: o.value === undefined ? true : !isOff(o.value), from: o.value === undefined ? 'list_db not set (Odoo\'s default is True)' : o.from, path: o.path };
}

const dbManager: Rule = defineRule({
  id: ODOO_DB_MANAGER, title: 'Odoo database manager enabled', severity: 'high',
  rationale: 'With list_db on, /web/database/manager lets anyone who reaches Odoo and knows (or guesses) the master password create, duplicate, drop, back up and restore whole databases: a full copy of the registry and its personal data in one download, or a restored database with an administrator of the attacker\'s choosing, the first step of the break-out to the operating system. Odoo refuses every one of these calls when list_db is False.',
  remediation: 'Set list_db = False: ODOO_LIST_DB=no on the Bitnami image (its default), or the odoo argument --no-database-list; in an odoo.conf, list_db = False. Manage databases with pg_dump and psql from an admin host instead.',
  controls: { nsa: NSA.app, owasp2025: 'K01' },
  check: (index) => odooConfigs(index).flatMap((c) => {
    const m = dbManagerOn(c);
    return m.on ? [finding(index, dbManager, c, `enables the database manager (${m.from})`, m.path)] : [];
  }),
});

/** The Bitnami image's master password: its default when ODOO_PASSWORD is unset; always the admin user's password. */
function masterPasswordFindings(index: ObjectIndex, rule: Rule, s: StoreContainer): Finding[] {
  const c = containerConfig(index, s);
  if (!s.env.has('ODOO_PASSWORD')) return [findingOf(index, rule, s.workload.object, `${s.where} leaves ODOO_PASSWORD unset: the master password (admin_passwd) and the admin user's password are the Bitnami default "bitnami"`, { path: s.container.path, severity: 'critical' })];
  const m = dbManagerOn(c);
  if (!m.on) return [];
  return [findingOf(index, rule, s.workload.object, `${s.where} has the database manager on with the master password (admin_passwd) equal to the admin user's password: the Bitnami image sets both from ODOO_PASSWORD`, { path: s.env.get('ODOO_PASSWORD')?.path ?? s.container.path, raised: c.personal })];
}

const masterPassword: Rule = defineRule({
  id: ODOO_MASTER_PASSWORD, title: 'Odoo master password default or equal to a user password', severity: 'high',
  rationale: 'The master password guards the database manager. The Bitnami image writes admin_passwd = ODOO_PASSWORD into odoo.conf and sets the admin user\'s password to the same value, defaulting to "bitnami": whoever knows or phishes the admin login (or reads the image\'s documentation) holds the master password too. With the database manager off the master password gates nothing reachable, so only an unset ODOO_PASSWORD (the admin login itself is then "bitnami") is reported.',
  remediation: 'Set ODOO_PASSWORD from a Secret with a random value, and keep the database manager off (ODOO_LIST_DB=no). If it must stay on, set a distinct admin_passwd in odoo.conf (the Bitnami image writes the file only on the first start, so edit the persisted file) and rotate it.',
  controls: { nsa: NSA.secrets, owasp2025: 'K03' },
  check: (index) => storeContainers(index, 'odoo').flatMap((s) => masterPasswordFindings(index, masterPassword, s)),
});

const demoData: Rule = defineRule({
  id: ODOO_DEMO_DATA, title: 'Odoo demo data loaded', severity: 'medium',
  rationale: 'Demo data installs example users, partners and records with well-known logins (demo/demo) next to the registry\'s real data; it cannot be removed cleanly afterwards.',
  remediation: 'Leave ODOO_LOAD_DEMO_DATA unset or no (the Bitnami image then initialises with --without-demo=all); in an odoo.conf, without_demo = all.',
  controls: { nsa: NSA.app, owasp2025: 'K01' },
  check: (index) => odooConfigs(index).flatMap((c) => {
    const o = c.option('without_demo');
    return o.value !== undefined && isOff(o.value) ? [finding(index, demoData, c, `loads demo data (${o.from})`, o.path)] : [];
  }),
});

const SSL_RANK: Readonly<Record<string, number>> = { disable: 0, allow: 1, prefer: 2, require: 3, 'verify-ca': 4, 'verify-full': 5 };

const dbSslmode: Rule = defineRule({
  id: ODOO_DB_SSLMODE, title: 'Odoo connects to PostgreSQL below sslmode=require', severity: 'high',
  rationale: 'db_sslmode decides whether Odoo talks TLS to PostgreSQL. Its default, prefer (what the Bitnami image leaves), silently falls back to plaintext when the server offers no TLS or an attacker strips it, and never checks the certificate: the registry\'s queries, results and the database password then cross the network readable. Istio mTLS covers the hop between sidecars only; OpenG2P\'s production layout puts PostgreSQL on a separate host.',
  remediation: 'Run odoo with --db_sslmode=verify-full (container args after /opt/bitnami/scripts/odoo/run.sh) and PGSSLROOTCERT pointing at the CA that signs the server certificate; at least require inside the mesh. In an odoo.conf, db_sslmode = verify-full.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => odooConfigs(index).flatMap((c) => {
    const o = c.option('db_sslmode');
    const mode = (o.value ?? 'prefer').trim().toLowerCase();
    if ((SSL_RANK[mode] ?? 0) >= SSL_RANK.require!) return [];
    const from = o.value === undefined ? (c.rule === 'file' ? 'db_sslmode not set, Odoo\'s default prefer' : 'db_sslmode not set: Odoo\'s default prefer') : o.from;
    return [finding(index, dbSslmode, c, `connects to PostgreSQL with sslmode ${mode} (${from})`, o.path)];
  }),
});

const SUPERUSERS = new Set(['postgres', 'root', 'admin']);

const superuser: Rule = defineRule({
  id: ODOO_SUPERUSER, title: 'Odoo connects to PostgreSQL as a superuser', severity: 'high',
  rationale: 'A superuser can read every database on the server, write files and run programs as the PostgreSQL OS user (COPY … TO PROGRAM): a flaw in Odoo or an admin break-out becomes code execution on the database host. Odoo itself refuses to run as postgres unless forced.',
  remediation: 'Connect as a dedicated role that owns only the registry database (the chart\'s sruser), without SUPERUSER, CREATEROLE or CREATEDB.',
  controls: { nsa: NSA.authz, owasp2025: 'K01' },
  check: (index) => odooConfigs(index).flatMap((c) => {
    const o = c.option('db_user');
    return o.value !== undefined && SUPERUSERS.has(o.value.trim().toLowerCase()) ? [finding(index, superuser, c, `connects to PostgreSQL as the superuser ${o.value.trim()} (${o.from})`, o.path)] : [];
  }),
});

const MATCH_ALL = /^\^?\.\*\$?$/;

const dbfilter: Rule = defineRule({
  id: ODOO_DBFILTER, title: 'Odoo serves several databases without a dbfilter', severity: 'medium',
  rationale: 'Odoo picks the database of a request from dbfilter; without one (or with .*) every database the role can see is selectable by any visitor (?db=…, the session), so a test or restored copy next to the registry is reachable through the same host, with its own users and passwords.',
  remediation: 'Set dbfilter to the registry database alone (ODOO_DATABASE_FILTER=^socialregistrydb$, or ^%d$ per host) or serve one database per Odoo.',
  controls: { nsa: NSA.app, owasp2025: 'K01' },
  check: (index) => odooConfigs(index).flatMap((c) => {
    const names = (c.option('db_name').value ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    const f = c.option('dbfilter');
    if (names.length < 2 || (f.value !== undefined && f.value.trim() !== '' && !MATCH_ALL.test(f.value.trim()))) return [];
    return [finding(index, dbfilter, c, `serves ${String(names.length)} databases (${names.join(', ')}) without a dbfilter that selects one (${f.value ? f.from : 'dbfilter not set'})`, f.path)];
  }),
});

/** An odoo.conf value Odoo reads as off: False/false, or empty (odoo/tools/config.py casts the strings True/False). */
const proxyOff = (v: string | undefined): boolean => v === undefined || v.trim() === '' || isOff(v);

const proxyMode: Rule = defineRule({
  id: ODOO_PROXY_MODE, title: 'Odoo behind an ingress without proxy_mode', severity: 'medium',
  rationale: 'Behind an ingress gateway or reverse proxy Odoo sees the proxy, not the client: without proxy_mode it ignores X-Forwarded-For/-Proto/-Host, so every login attempt, audit log line and IP-based rule carries the proxy\'s address (brute-force throttling and fail2ban-style bans hit everyone or no one), and behind TLS termination it thinks the request is plain http: redirects and absolute URLs it builds (web.base.url, links in e-mails, OAuth and portal callbacks) start with http://, and the session cookie is issued without the Secure flag. Odoo applies the X-Forwarded-* headers only with proxy_mode on (and only when X-Forwarded-Host is present).',
  remediation: 'Set proxy_mode = True in odoo.conf (or run odoo with --proxy-mode). The Bitnami image writes proxy_mode = True itself; the OpenG2P packaging image takes ODOO_PROXY_MODE (default True). Have the route set X-Forwarded-Host and X-Forwarded-Proto (the OpenG2P charts\' VirtualServices do), and expose Odoo only through that proxy so the headers cannot be forged.',
  controls: { nsa: NSA.app, owasp2025: 'K01' },
  check: (index) => odooConfigs(index).flatMap((c) => {
    const o = c.option('proxy_mode');
    if (!proxyOff(o.value)) return [];
    const route = c.workloads.flatMap((w) => ingressRoutesTo(index, w))[0];
    if (route === undefined) return [];
    const from = o.value === undefined ? 'proxy_mode not set, Odoo\'s default False' : o.from;
    return [finding(index, proxyMode, c, `runs without proxy_mode (${from}) behind ${route.by}`, o.path)];
  }),
});

export const odooRules: readonly Rule[] = [dbManager, masterPassword, demoData, dbSslmode, superuser, dbfilter, proxyMode];
