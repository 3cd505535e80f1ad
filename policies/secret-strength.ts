/**
 * Secret strength: pure helpers shared by the checker (`ward check`, which sees manifests) and the
 * operator (which reads live Secrets). Neither ever puts a value in a message.
 */

/**
 * Values shipped as defaults by the charts ward hardens (OpenG2P, MOSIP, Bitnami, MinIO, Keycloak)
 * or typed by hand: admin passwords, placeholder secrets, database users and the chart-default
 * SoftHSM PIN. Compare with `isKnownDefault`, which ignores case and surrounding white space.
 */
export const KNOWN_DEFAULT_VALUES: ReadonlySet<string> = new Set([
  'admin', 'administrator', 'admin123', 'admin@123', 'changeme', 'change-me', 'changeit',
  'password', 'passw0rd', 'password1', 'password123', 'secret', 'default', 'root', 'toor', 'test', 'guest', 'letmein', 'qwerty',
  'postgres', 'keycloak', 'minio', 'minioadmin', 'minio123', 'odoo', 'openg2p', 'mosip', 'mosip123', 'sruser', 'keymgruser',
  '1234', '12345', '123456', '12345678', '123456789',
  // The SoftHSM security PIN the OpenG2P key-manager chart hard-codes (the same in every install):
  // openg2p-social-registry-1.3.1.tgz charts/keymanager/values.yaml `softhsm.securityPIN` (base64).
  '16032228',
]);

/** Whether a value is one of `KNOWN_DEFAULT_VALUES`, ignoring case and surrounding white space. */
export function isKnownDefault(value: string): boolean {
  return KNOWN_DEFAULT_VALUES.has(value.trim().toLowerCase());
}

/**
 * Shannon entropy in bits per symbol of what iterating `symbols` yields (bytes of a Uint8Array,
 * code points of a string), with `symbols.length` as the count: 0 for an empty input.
 */
export function shannonEntropy<T>(symbols: Iterable<T> & { readonly length: number }): number {
  if (symbols.length === 0) return 0;
  const counts = new Map<T, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / symbols.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Key names that hold a credential: a password, secret, token, key, PIN or credential. */
const CREDENTIAL_KEY = /(pass(word|wd)?|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|signing[_-]?key|credentials?|(^|[_.-])pin$|(^|[_.-])key$)/i;
/** Key names that hold plain settings: ports, protocols, database and host names, user names, Git refs. */
const SETTING_KEY = /(^|[_.-])(port|proto(col)?|db|database|dbname|host(name)?|user(name)?|name|url|uri|branch|repo(sitory)?|path|dir|mode|enabled|type|id)$/i;
/** Values shaped like settings, not credentials: numbers, booleans, host names, URLs, Git refs, URL-encoded or JSON text. */
const SETTING_VALUE = /^(\d{1,6}|true|false|yes|no|on|off|(https?|redis|postgres(ql)?|jdbc:[a-z]+):\/\/\S*|[a-z0-9-]+(\.[a-z0-9-]+)+|(master|main|develop|develop-[\w.-]+|release-[\w.-]+|v?\d+(\.\d+)+)|[[{].*[\]}]|.*%[0-9A-F]{2}.*)$/is;

/**
 * Whether a value is JSON text (an object or array) or such text URL-encoded (`%5B%7B%22name%22…`):
 * structured settings, not a credential, however high the entropy of their letters.
 */
export function isStructuredText(value: string): boolean {
  const v = value.trim();
  const parses = (text: string): boolean => {
    if (!/^[[{]/.test(text)) return false;
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null;
    } catch {
      return false;
    }
  };
  if (parses(v)) return true;
  if (!/%[0-9A-F]{2}/i.test(v)) return false;
  try {
    return parses(decodeURIComponent(v).trim());
  } catch {
    return false;
  }
}

/**
 * Whether a Secret key holds a credential, decided by its name and the shape of its value: a
 * credential-named key always does; a setting-named key (`REDIS_PORT`, `DB_USER`, `branch`) never
 * does; any other key does unless its value is shaped like a setting (a port, boolean, host name,
 * Git branch, URL-encoded or JSON text).
 */
export function isCredentialKey(key: string, value: string): boolean {
  if (CREDENTIAL_KEY.test(key)) return true;
  if (SETTING_KEY.test(key)) return false;
  return !SETTING_VALUE.test(value.trim());
}

const DEFAULT_ADMIN_USERS: ReadonlySet<string> = new Set(['admin', 'administrator', 'root', 'minioadmin']);

/** A user-name key holding a default administrator name (MinIO `root-user: admin`): half of a default login. */
export function isDefaultAdminUser(key: string, value: string): boolean {
  return /user/i.test(key) && DEFAULT_ADMIN_USERS.has(value.trim().toLowerCase());
}

/** The words of a setting name: split at `.`, `_`, `-`, white space and camelCase humps, lower-cased. */
const words = (name: string): string[] => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s._-]+/).filter(Boolean).map((w) => w.toLowerCase());

const CREDENTIAL_LAST_WORD = /^(password|passwd|pwd|pass|secret|token|apikey|pin)$/;
const KEY_QUALIFIER = /^(secret|api|signing|encryption|private|access|master)$/;

/**
 * Whether a setting's name says it holds a credential: its last word is a password, secret, token or
 * PIN, or it is a qualified key (`SECRET_KEY`, `api-key`, `signingKey`). Stricter than
 * `isCredentialKey`: `KEYCLOAK_ADMIN` (a user name) and `LOG_LEVEL` do not.
 */
export function namesCredential(name: string): boolean {
  const w = words(name);
  const last = w.at(-1) ?? '';
  return CREDENTIAL_LAST_WORD.test(last) || (last === 'key' && KEY_QUALIFIER.test(w.at(-2) ?? ''));
}

const USER_WORD = /^(user|username|login)$/;
const PASSWORD_WORD = /^(password|passwd|pwd|pass)$/;

/**
 * Pairs of a password setting and the user name it belongs to, by name: `POSTGRES_PASSWORD` with
 * `POSTGRES_USER`, `root-password` with `root-user`, `DB_PASSWORD` with `DB_USER`, and a password
 * named after its user setting (`SU_USER_PWD` with `SU_USER`, `DBUSER_PWD` with `DB_USER`).
 */
export function userPasswordPairs(names: readonly string[]): { password: string; user: string }[] {
  const users = names.flatMap((n) => {
    const w = words(n);
    return USER_WORD.test(w.at(-1) ?? '') ? [{ name: n, prefix: w.slice(0, -1).join(''), whole: w.join('') }] : [];
  });
  return names.flatMap((n) => {
    const w = words(n);
    if (!PASSWORD_WORD.test(w.at(-1) ?? '')) return [];
    const prefix = w.slice(0, -1).join('');
    const user = users.find((u) => u.prefix === prefix) ?? users.find((u) => u.whole === prefix);
    return user ? [{ password: n, user: user.name }] : [];
  });
}
