/**
 * A tolerant reader of WireGuard configuration text (`wg setconf` and wg-quick formats), for the
 * audit: it finds sections and their keys in ConfigMap values or files someone else wrote. Values are
 * returned as written; callers must never echo a PrivateKey or PresharedKey.
 */
export interface ConfigSection {
  readonly kind: 'Interface' | 'Peer';
  /** 0-based index among sections of the same kind. */
  readonly index: number;
  /** Keys lowercased (WireGuard keys are case-insensitive); repeated keys keep every value. */
  readonly values: ReadonlyMap<string, readonly string[]>;
}

const SECTION = /^\s*\[(Interface|Peer)\]\s*$/i;
const ENTRY = /^\s*([A-Za-z]+)\s*=\s*(.*?)\s*$/;

/** True when the text looks like a WireGuard configuration (has an [Interface] or [Peer] section). */
export function looksLikeWireguardConfig(text: string): boolean {
  return text.split(/\r?\n/).some((l) => SECTION.test(l));
}

export function parseWireguardConfig(text: string): ConfigSection[] {
  const sections: { kind: 'Interface' | 'Peer'; index: number; values: Map<string, string[]> }[] = [];
  const counts = { Interface: 0, Peer: 0 };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '');
    const s = SECTION.exec(line);
    if (s) {
      const kind = (s[1] ?? '').toLowerCase() === 'peer' ? 'Peer' : 'Interface';
      sections.push({ kind, index: counts[kind]++, values: new Map() });
      continue;
    }
    const e = ENTRY.exec(line);
    const cur = sections[sections.length - 1];
    if (!e || !cur) continue;
    const key = (e[1] ?? '').toLowerCase();
    cur.values.set(key, [...(cur.values.get(key) ?? []), e[2] ?? '']);
  }
  return sections;
}

/** The AllowedIPs of a section, split on commas. */
export function allowedIps(section: ConfigSection): string[] {
  return (section.values.get('allowedips') ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

/** Prefix length of a CIDR (a bare address counts as a host route). */
export function prefixLength(cidr: string): number {
  const [addr, prefix] = cidr.split('/');
  if (prefix !== undefined) return Number(prefix);
  return addr?.includes(':') ? 128 : 32;
}

/** True for 0.0.0.0/0 or ::/0 (everything through the tunnel). */
export function isDefaultRoute(cidr: string): boolean {
  return cidr.includes('/') && prefixLength(cidr) === 0;
}
