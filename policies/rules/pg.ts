/**
 * PG: who PostgreSQL lets in and how, from pg_hba.conf. Read from pg_hba.conf files in ConfigMaps
 * (the Bitnami chart's primary.pgHbaConfiguration renders one), and for a Bitnami PostgreSQL that
 * mounts none, from what its image generates: `host all all 0.0.0.0/0 trust` and `::/0`, with trust
 * turned into md5 once a password is set (bitnami/containers bitnami/postgresql/*: libpostgresql.sh
 * postgresql_create_pghba, postgresql_password_auth_configuration, postgresql_restrict_pghba).
 * Server TLS itself is WARD-TLS-002's. Record types and methods: PostgreSQL 16 documentation
 * 21.1 "The pg_hba.conf File" (host matches TLS and plain connections, hostssl TLS only) and 21.5
 * "Password Authentication" (md5 uses SCRAM for SCRAM-stored passwords; password sends it in clear).
 */
import { str } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { imageRepository } from '../index/personal-data.js';
import type { Finding, Rule } from '../types.js';
import { configFiles, mountedConfigMaps, storeContainers, type SettingsFile, type StoreContainer } from './data-stores.js';
import { defineRule, findingOf, NSA } from './util.js';

export const PG_HBA_NO_TLS = 'WARD-PG-001';
export const PG_HBA_WEAK_AUTH = 'WARD-PG-002';

export interface HbaLine {
  readonly type: string;
  readonly address: string;
  readonly method: string;
  readonly text: string;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+(\/\d+)?|::1(\/128)?|localhost|samehost)$/i;

/** The records of a pg_hba.conf text (comments and blank lines skipped). */
export function hbaLines(text: string): HbaLine[] {
  return text.split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean).flatMap((l) => {
    const f = l.split(/\s+/);
    const type = (f[0] ?? '').toLowerCase();
    if (!['local', 'host', 'hostssl', 'hostnossl', 'hostgssenc', 'hostnogssenc'].includes(type)) return [];
    const address = type === 'local' ? '' : (f[3] ?? '');
    // A host record with an address/mask pair: the method follows the mask.
    const methodAt = type === 'local' ? 3 : /^\d+\.\d+\.\d+\.\d+$/.test(address) && /^\d+\.\d+\.\d+\.\d+$/.test(f[4] ?? '') ? 5 : 4;
    return [{ type, address, method: (f[methodAt] ?? '').toLowerCase(), text: l.replace(/\s+/g, ' ') }];
  });
}

/** Records that reach the server over the network from outside the pod. */
const remote = (l: HbaLine): boolean => l.type !== 'local' && !LOOPBACK.test(l.address);

/** A ConfigMap key named pg_hba.conf (the Bitnami chart's name), or like it. */
const isHba = (key: string): boolean => /pg_hba/i.test(key);

/** A Bitnami PostgreSQL server that mounts no ConfigMap with a pg_hba.conf key runs with the file its image generates. */
function generatesHba(index: ObjectIndex, s: StoreContainer): boolean {
  // The server image itself (a client with POSTGRESQL_* variables is no server), configured the Bitnami way.
  if (!/(^|\/)postgresql$/.test(imageRepository(str(s.container.container.image) ?? '')) || ![...s.env.keys()].some((n) => n.startsWith('POSTGRESQL_'))) return false;
  return !mountedConfigMaps(s.workload).some((name) => Object.keys(index.get('ConfigMap', s.workload.namespace, name)?.data ?? {}).some((k) => /pg_hba/i.test(k)));
}

const hbaFiles = (index: ObjectIndex): SettingsFile[] => configFiles(index, isHba);

const fileFinding = (index: ObjectIndex, rule: Rule, f: SettingsFile, what: string): Finding => {
  const raised = index.workloadsIn(index.namespaceOf(f.object) ?? '').some((w) => index.holdsPersonalData(w) && mountedConfigMaps(w).includes(f.object.metadata.name));
  return findingOf(index, rule, f.object, `${f.where} ${what}`, { path: f.path, raised });
};

const hbaNoTls: Rule = defineRule({
  id: PG_HBA_NO_TLS, title: 'PostgreSQL accepts connections without TLS (pg_hba host)', severity: 'high',
  rationale: 'A pg_hba.conf record of type host matches plain TCP connections as well as TLS ones: with it the server lets any client (or an attacker in the path who strips the SSLRequest) speak plaintext even when TLS is on. Only hostssl records refuse plaintext. Bitnami\'s PostgreSQL image generates host records for 0.0.0.0/0 and ::/0 unless a pg_hba.conf is supplied.',
  remediation: 'Give the server a pg_hba.conf with hostssl records only for remote addresses (Bitnami chart: primary.pgHbaConfiguration, e.g. "hostssl all all 0.0.0.0/0 scram-sha-256"), keep host records to 127.0.0.1/32 and ::1/128, and turn TLS on (tls.enabled).',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => [
    ...hbaFiles(index).flatMap((f) => {
      const plain = hbaLines(f.text).filter((l) => remote(l) && (l.type === 'host' || l.type === 'hostnossl'));
      return plain.length ? [fileFinding(index, hbaNoTls, f, `lets remote clients connect without TLS: ${plain.map((l) => `"${l.text}"`).join(', ')}`)] : [];
    }),
    ...storeContainers(index, 'postgresql').filter((s) => generatesHba(index, s)).map((s) =>
      findingOf(index, hbaNoTls, s.workload.object, `${s.where} mounts no pg_hba.conf: the Bitnami image generates "host all all 0.0.0.0/0 md5" and "host all all ::/0 md5", which accept plaintext connections from anywhere`, { path: s.container.path, raised: index.holdsPersonalData(s.workload) })),
  ],
});

const WEAK: Readonly<Record<string, string>> = { trust: 'trust (no password at all)', password: 'password (sent in clear)', md5: 'md5 (MD5-hashed passwords accepted)', ident: 'ident (the client says who it is)' };

const hbaWeakAuth: Rule = defineRule({
  id: PG_HBA_WEAK_AUTH, title: 'PostgreSQL authenticates remote clients weakly (trust, password, md5)', severity: 'high',
  rationale: 'trust lets anyone who reaches the port in as any role, the superuser included; password sends the password in clear; md5 accepts MD5-hashed passwords, which are replayable from a captured hash and fall to offline guessing. scram-sha-256 (or client certificates) is the method to use. A pg_hba.conf supplied in a ConfigMap is read as written.',
  remediation: 'Use scram-sha-256 (or cert) for every remote record and set password_encryption = scram-sha-256 (PostgreSQL 14+ default), then reset any password stored as MD5.',
  controls: { nsa: NSA.authz, owasp2025: 'K01' },
  check: (index) => hbaFiles(index).flatMap((f) => {
    const weak = hbaLines(f.text).filter((l) => remote(l) && WEAK[l.method] !== undefined);
    return weak.length ? [fileFinding(index, hbaWeakAuth, f, `authenticates remote clients with ${weak.map((l) => `${WEAK[l.method] ?? l.method} in "${l.text}"`).join(', ')}`)] : [];
  }),
});

export const pgRules: readonly Rule[] = [hbaNoTls, hbaWeakAuth];
