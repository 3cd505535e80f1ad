/**
 * TLS: connections the applications make or serve in plaintext, or with certificate verification
 * switched off — Kafka (tls-kafka.ts), PostgreSQL, and any TLS client setting. Istio STRICT mTLS
 * encrypts the hop between sidecars but not what the application speaks: these findings stand
 * with the mesh (the rationales say so). Plain-http key-manager URLs are WARD-KM-002's, DestinationRule
 * verification WARD-MTLS-003's; nothing here reports them again.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { isRec } from '../index/access.js';
import type { ObjectIndex } from '../index/object-index.js';
import { showSetting } from '../index/settings.js';
import { isWorkloadKind } from '../index/workloads.js';
import { isLocalHost } from '../init/references.js';
import type { FieldPath } from '../load/types.js';
import type { Finding, Rule } from '../types.js';
import { kafkaPlaintext } from './tls-kafka.js';
import { compact, isOff, isOn, placedFinding, settingGroups, type PlacedSetting, type SettingGroup } from './setting-groups.js';
import { defineRule, findingOf, NSA } from './util.js';

export { TLS_KAFKA_PLAINTEXT } from './tls-kafka.js';
export const TLS_POSTGRES_NO_TLS = 'WARD-TLS-002';
export const TLS_VERIFY_OFF = 'WARD-TLS-003';

const MESH = 'Under Istio STRICT mTLS the hop between sidecars is encrypted on the wire, but the application still speaks plaintext to whatever answers: a sidecar-less pod, a PERMISSIVE port, an external host or a node capture sees it. The finding stands with the mesh; the mesh is defence in depth.';

const SSLMODE_DISABLE = /sslmode["']?\s*[=:]\s*["']?disable\b/i;
const JDBC_SSL_FALSE = /jdbc:postgresql:\/\/[^\s"']*[?&;]ssl=false\b/i;
const COMMENT = /^\s*[#;]/;

/** Hosts a connection string names: after `//` (past any user:password@), after `host=`, or an address before `:port`. */
const CONNECTION_HOST = /(?:\/\/(?:[^@\s/]*@)?|\bhost\s*=\s*['"]?)([A-Za-z0-9.-]+)|(?:^|[\s"'=])(\d{1,3}(?:\.\d{1,3}){3}|localhost)(?=:\d)/gi;

/** A line that only reaches the pod itself (127.0.0.1, localhost: the Bitnami metrics exporter's DATA_SOURCE_URI) does not cross the network. */
const loopbackOnly = (line: string): boolean => {
  const hosts = [...line.matchAll(CONNECTION_HOST)].map((m) => (m[1] ?? m[2] ?? '').toLowerCase());
  return hosts.length > 0 && hosts.every(isLocalHost);
};

/** What a text says about PostgreSQL TLS, per line (comments and loopback-only lines skipped). */
function postgresText(text: string): string | undefined {
  for (const line of text.split('\n')) {
    if (COMMENT.test(line) || loopbackOnly(line)) continue;
    if (SSLMODE_DISABLE.test(line)) return 'connects to PostgreSQL with sslmode=disable';
    if (JDBC_SSL_FALSE.test(line)) return 'connects to PostgreSQL with ssl=false';
  }
  return undefined;
}

/** What a setting says about PostgreSQL TLS: a Bitnami server with TLS off, an sslmode setting, a connection string. */
function postgresSetting(s: PlacedSetting, scanValue: boolean): string | undefined {
  const name = compact(s.name);
  if (name === 'postgresqlenabletls' && isOff(s.value)) return `serves PostgreSQL without TLS (${s.name}=${s.value})`;
  if (name.endsWith('sslmode') && s.value.trim().toLowerCase() === 'disable') return 'connects to PostgreSQL with sslmode=disable';
  return scanValue ? postgresText(s.value) : undefined;
}

function postgresFindings(index: ObjectIndex, rule: Rule, g: SettingGroup): Finding[] {
  if (g.kind !== 'file') {
    const settings = g.settings.flatMap((s) => {
      const what = postgresSetting(s, true);
      return what ? [placedFinding(index, rule, g, s, what)] : [];
    });
    const commands = g.texts.flatMap((t) => {
      const what = postgresText(t.text);
      return what ? [placedFinding(index, rule, g, t, what)] : [];
    });
    return [...settings, ...commands];
  }
  // One finding per file: its settings first (Bitnami env style), else its lines.
  const what = g.settings.map((s) => postgresSetting(s, false)).find((x) => x !== undefined) ?? g.texts.map((t) => postgresText(t.text)).find((x) => x !== undefined);
  const at = g.texts[0];
  return what && at ? [placedFinding(index, rule, g, at, what)] : [];
}

const postgresNoTls: Rule = defineRule({
  id: TLS_POSTGRES_NO_TLS, title: 'PostgreSQL without TLS', severity: 'high',
  rationale: `With sslmode=disable (or JDBC ssl=false) a client never asks for TLS, and a server started with TLS off (Bitnami POSTGRESQL_ENABLE_TLS=no) offers none: the registry's queries, their results (personal data) and the authentication exchange travel in clear. ${MESH}`,
  remediation: 'Enable TLS on the server (Bitnami postgresql: tls.enabled: true with a certificate) and connect with sslmode=verify-full (JDBC sslmode=verify-full, PGSSLMODE=verify-full).',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => settingGroups(index).flatMap((g) => postgresFindings(index, postgresNoTls, g)),
});

/** Setting names (compacted) that switch verification off with a false value, and those that do with a true value. */
const VERIFY_WHEN_TRUE = /(sslverify|verifyssl|tlsverify|verifytls|verifycertificates?|verifycerts|sslverifycertificate|verifypeer|rejectunauthorized|httpsverify|checkcertificate)$/;
const SKIP_WHEN_TRUE = /(insecureskipverify|skiptlsverify|skipsslverify|tlsskipverify|sslnoverify|disablesslverification|tlsinsecure|insecuretls)$/;
const MODE = /(verificationmode|verifymode)$/;

/** Whether `name = value` switches certificate verification off. */
export function verificationOff(name: string, value: string): boolean {
  const n = compact(name);
  if (MODE.test(n)) return /^none$/i.test(value.trim());
  if (VERIFY_WHEN_TRUE.test(n)) return isOff(value) && !/^none$/i.test(value.trim());
  return SKIP_WHEN_TRUE.test(n) && isOn(value);
}

/** `curl -k`/`--insecure` (alone or among short flags: `-sk`), `wget --no-check-certificate`. */
const CURL_INSECURE = /\bcurl\b[^\n|;&]*?\s(?:-[a-zA-Z]*k[a-zA-Z]*|--insecure)(?=\s|$)/m;
const WGET_INSECURE = /\bwget\b[^\n|;&]*?\s--no-check-certificate\b/m;

/** What a script or command line runs with verification off, skipping comment lines. */
function commandText(text: string): string | undefined {
  const code = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');
  if (CURL_INSECURE.test(code)) return 'curl -k';
  if (WGET_INSECURE.test(code)) return 'wget --no-check-certificate';
  return undefined;
}

const shownSetting = (s: PlacedSetting): string => (s.separator ? showSetting({ name: s.name, value: s.value, separator: s.separator }) : `${s.name}=${s.value}`);

/** Each env setting and loose entry on its own; a file or a command line once, naming what it switches off. */
function verifyGroupFindings(index: ObjectIndex, rule: Rule, g: SettingGroup): Finding[] {
  const off = g.settings.filter((s) => verificationOff(s.name, s.value));
  const perSetting = off.map((s) => ({ at: s, what: shownSetting(s) }));
  const perText = g.texts.flatMap((t) => { const cmd = commandText(t.text); return cmd ? [{ at: t, what: cmd }] : []; });
  if (g.kind === 'file') {
    const at = g.texts[0];
    const what = [...perSetting, ...perText].map((x) => x.what);
    return at && what.length ? [placedFinding(index, rule, g, at, `switches certificate verification off (${what.join(', ')})`)] : [];
  }
  return [...perSetting, ...perText].map((x) => placedFinding(index, rule, g, x.at, `switches certificate verification off (${x.what})`));
}

/** Kinds whose verification settings another rule owns or that hold no client settings. */
const NOT_WALKED = new Set(['ConfigMap', 'Secret', 'DestinationRule', 'RegistryDeployment']);

/** Scalar fields of an object (outside metadata) that switch verification off, with their paths. */
function objectSettings(value: unknown, path: FieldPath, out: { path: FieldPath; shown: string }[]): void {
  if (Array.isArray(value)) return value.forEach((v, i) => { objectSettings(v, [...path, i], out); });
  if (!isRec(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') {
      if (verificationOff(k, String(v))) out.push({ path: [...path, k], shown: `${[...path, k].join('.')}: ${String(v)}` });
    } else objectSettings(v, [...path, k], out);
  }
}

function objectFindings(index: ObjectIndex, rule: Rule, obj: KubeObject): Finding[] {
  const out: { path: FieldPath; shown: string }[] = [];
  for (const [k, v] of Object.entries(obj)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) objectSettings(v, [k], out);
  const ns = index.namespaceOf(obj);
  return out.map((s) => findingOf(index, rule, obj, `${obj.kind} ${ns !== undefined ? `${ns}/` : ''}${obj.metadata.name} switches certificate verification off (${s.shown})`, { path: s.path }));
}

const verifyOff: Rule = defineRule({
  id: TLS_VERIFY_OFF, title: 'Certificate verification switched off', severity: 'high',
  rationale: `A TLS client that does not verify the server certificate (NODE_TLS_REJECT_UNAUTHORIZED=0, ssl.verificationMode: none, ssl_verify: false, insecure_skip_verify, curl -k) accepts any certificate: a man in the middle reads and alters the traffic, credentials included, while everything looks encrypted. Under Istio STRICT mTLS the sidecars verify each other, but the application's own TLS still trusts whatever answers: an external host, a sidecar-less pod or a spoofed Service. The finding stands with the mesh.`,
  remediation: 'Verify certificates: give the client the CA that signs the server certificate (a mounted ca.crt, verificationMode: full, ssl_verify: true with ca_file, curl --cacert) instead of switching verification off.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  // SR 1.3.1: openg2p-social-registry/templates/logging/opensearch/configmap.yaml and charts/reporting/templates/opensearch/configmap.yaml
  // (opensearch_dashboards.yml ssl.verificationMode: none), charts/reporting-init/templates/configmap-startup.yaml
  // (curl -k), templates/logging/opensearch/output.yaml (Output spec.opensearch.ssl_verify: false).
  check: (index) => [
    ...settingGroups(index).flatMap((g) => verifyGroupFindings(index, verifyOff, g)),
    ...index.objects.filter((o) => !NOT_WALKED.has(o.kind) && !isWorkloadKind(o.kind)).flatMap((o) => objectFindings(index, verifyOff, o)),
  ],
});

export const tlsRules: readonly Rule[] = [kafkaPlaintext, postgresNoTls, verifyOff];
