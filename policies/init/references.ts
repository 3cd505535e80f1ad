/**
 * Addresses a workload's configuration names: URLs (`http://sr-keymanager/v1/keymanager`,
 * `tcp://sr-keymanager-softhsm.sr:80`), `host:port` pairs (`sr-reporting-kafka:9092`) and bare host
 * names (`sr-postgresql`), found in env values, container arguments and the ConfigMaps a pod mounts
 * or reads. Pure. Only the host and port of a match ever leave this module: the rest of a value
 * (paths, query strings, user:password@ parts) is never kept.
 */

export interface Address {
  readonly host: string;
  /** Explicit port of the reference (`host:port`, a URL's port). */
  readonly port?: number;
  /** URL scheme, lowercase (`http`, `tcp`, `postgresql`). */
  readonly scheme?: string;
}

const LABEL = '[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?';
const HOST = `${LABEL}(?:\\.${LABEL})*`;
/** scheme://[userinfo@]host[:port]: the userinfo is matched only to be skipped. */
const URL_RE = new RegExp(`\\b([a-zA-Z][a-zA-Z0-9+.-]{0,30}):\\/\\/(?:[^\\s@/?#]{0,256}@)?(${HOST}|\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?`, 'g');
/**
 * A host name (lowercase, as Service names are) standing on its own: not inside a path, a word or a
 * dotted identifier, and not a URL scheme, the user part of user@host or a `key:value` key.
 */
const HOST_RE = new RegExp(`(?<![A-Za-z0-9_.\\/@:-])(${HOST})(?::(\\d{1,5}))?(?![A-Za-z0-9_@-]|\\.[A-Za-z0-9]|:(?!\\d))`, 'g');

/** Values longer than this are scanned only up to it (a ConfigMap holding a whole script is fine; a 10 MB blob is not scanned whole). */
export const MAX_SCANNED_CHARS = 256 * 1024;

function portOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** Every address in `value`, in order of appearance, without repeats. */
export function addressesIn(value: string): Address[] {
  const text = value.length > MAX_SCANNED_CHARS ? value.slice(0, MAX_SCANNED_CHARS) : value;
  const out = new Map<string, Address>();
  const add = (a: Address): void => {
    const key = `${a.scheme ?? ''}|${a.host}|${a.port ?? ''}`;
    if (!out.has(key)) out.set(key, a);
  };
  for (const m of text.matchAll(URL_RE)) {
    const host = (m[2] ?? '').toLowerCase();
    const port = portOf(m[3]);
    add({ host, scheme: (m[1] ?? '').toLowerCase(), ...(port !== undefined ? { port } : {}) });
  }
  for (const m of text.matchAll(HOST_RE)) {
    const host = m[1] ?? '';
    if (/^\d+$/.test(host)) continue;
    const port = portOf(m[2]);
    add({ host, ...(port !== undefined ? { port } : {}) });
  }
  return [...out.values()];
}

/** Default ports of URL schemes the stacks use (IANA service names). */
const SCHEME_PORTS: Readonly<Record<string, number>> = {
  http: 80, https: 443, ws: 80, wss: 443, postgres: 5432, postgresql: 5432, jdbc: 5432, redis: 6379, rediss: 6379, amqp: 5672, amqps: 5671, smtp: 25, smtps: 465, mongodb: 27017, ldap: 389, ldaps: 636,
};

export function schemePort(scheme: string | undefined): number | undefined {
  return scheme === undefined ? undefined : SCHEME_PORTS[scheme];
}

/** Hosts that never mean another workload. */
export function isLocalHost(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '0.0.0.0';
}

export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

/**
 * The port named next to a host setting: `ODOO_DATABASE_HOST` with `ODOO_DATABASE_PORT_NUMBER=5432`,
 * `ENKETO_HOST` with `ENKETO_PORT`. Undefined when there is none or it is not a number.
 */
export function siblingPort(name: string, env: ReadonlyMap<string, string>): number | undefined {
  const m = /^(.*?)(HOST|HOSTNAME|HOST_NAME|SERVER|ADDR|ADDRESS|URL)$/i.exec(name);
  if (!m) return undefined;
  const prefix = m[1] ?? '';
  for (const suffix of ['PORT', 'PORT_NUMBER', 'port', 'Port']) {
    const p = portOf(env.get(prefix + suffix)?.trim());
    if (p !== undefined) return p;
  }
  return undefined;
}
