/**
 * MINIO: the attachments store (MinIO, bucket `documents` in OpenG2P). Read from the MinIO container's
 * environment and from bucket policy documents in ConfigMaps. Facts, with their sources:
 * - The Bitnami MinIO image creates MINIO_DEFAULT_BUCKETS at start; an entry `name:policy` runs
 *   `mc anonymous set <policy>` on it (none, download, upload, public) (bitnami/containers
 *   bitnami/minio/*: libminio.sh minio_create_default_buckets); the Bitnami chart's defaultBuckets
 *   value fills it.
 * - MINIO_SCHEME (default http) decides whether the Bitnami image serves the S3 API over TLS
 *   (libminio.sh minio_validate; minio-env.sh).
 * - MinIO encrypts objects at rest only with a KMS configured: MINIO_KMS_SECRET_KEY (a single key),
 *   MINIO_KMS_KES_ENDPOINT (KES) or MINIO_KMS_SERVER (MinIO KMS); MINIO_KMS_AUTO_ENCRYPTION=on
 *   applies it to every object (MinIO documentation, "Server-Side Object Encryption").
 * - The console listens on --console-address; the Bitnami image passes
 *   `--console-address :${MINIO_CONSOLE_PORT_NUMBER}` (bitnami/minio/*: minio/run.sh), default 9001
 *   (minio-env.sh). MINIO_BROWSER=off turns the console off (minio/minio internal/config/constants.go
 *   EnvBrowser, read in cmd/common-main.go handleCommonEnvVars, default on). The SR chart publishes it:
 *   VirtualService <release>-minio on gateway internal to port 9001 (openg2p-social-registry
 *   templates/minio/virtualservice.yaml, values.yaml minio.istio.virtualservice.destinationPort).
 */
import type { ObjectIndex } from '../index/object-index.js';
import type { Rule } from '../types.js';
import { num, rec, recs, str } from '../index/access.js';
import { argValue, configFiles, envValue, storeContainers, type StoreContainer } from './data-stores.js';
import { registryDeployments } from '../flows/intent.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { requiresClientCertificates, type GatewayRef } from './edge-routes.js';
import { ingressRoutesTo, type IngressRoute } from './ingress-routes.js';
import { isOff } from './setting-groups.js';
import { defineRule, findingOf, NSA } from './util.js';

export const MINIO_ANONYMOUS = 'WARD-MINIO-001';
export const MINIO_NO_TLS = 'WARD-MINIO-002';
export const MINIO_NO_SSE = 'WARD-MINIO-003';
export const MINIO_CONSOLE_PUBLIC = 'WARD-MINIO-004';

/** The anonymous policies of MINIO_DEFAULT_BUCKETS entries (`documents:download` → download). */
export function anonymousBuckets(value: string): { bucket: string; policy: string }[] {
  return value.split(/[,;\s]+/).filter(Boolean).flatMap((b) => {
    const [bucket = '', policy = ''] = b.split(':');
    return policy && policy.toLowerCase() !== 'none' ? [{ bucket, policy: policy.toLowerCase() }] : [];
  });
}

/** A JSON policy document that allows anyone (Principal "*" or {"AWS": "*"}) something. */
export function allowsAnyone(text: string): boolean {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return false;
  }
  const statements = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const star = (p: unknown): boolean => p === '*' || (Array.isArray(p) && p.includes('*'));
  return list.some((s: unknown) => {
    const st = s as { Effect?: unknown; Principal?: unknown };
    const principal = st.Principal;
    return st.Effect === 'Allow' && (star(principal) || (typeof principal === 'object' && principal !== null && star((principal as { AWS?: unknown }).AWS)));
  });
}

const raisedFor = (index: ObjectIndex, s: StoreContainer): boolean => index.holdsPersonalData(s.workload);

const anonymous: Rule = defineRule({
  id: MINIO_ANONYMOUS, title: 'S3 bucket readable or writable anonymously', severity: 'critical',
  rationale: 'OpenG2P keeps the registry\'s attachments (identity documents, photos) in an S3 bucket that only authorised users may read. An anonymous policy (download, upload, public; or a policy document with Principal "*") lets anyone who reaches MinIO list, fetch or overwrite them without credentials, inside the cluster or through any route to port 9000.',
  remediation: 'Create buckets without an anonymous policy (MINIO_DEFAULT_BUCKETS "documents", not "documents:download"; mc anonymous set none), and grant access through MinIO users or OIDC policies scoped to the registry\'s service account.',
  controls: { nsa: NSA.authz, owasp2025: 'K01' },
  check: (index) => [
    ...storeContainers(index, 'minio').flatMap((s) => {
      const open = anonymousBuckets(envValue(s, 'MINIO_DEFAULT_BUCKETS') ?? '');
      return open.length ? [findingOf(index, anonymous, s.workload.object, `${s.where} env MINIO_DEFAULT_BUCKETS gives anonymous access: ${open.map((b) => `${b.bucket} (${b.policy})`).join(', ')}`, { path: s.env.get('MINIO_DEFAULT_BUCKETS')?.path ?? s.container.path })] : [];
    }),
    ...configFiles(index, (_k, v) => /"Principal"/.test(v) && allowsAnyone(v)).map((f) =>
      findingOf(index, anonymous, f.object, `${f.where} is a bucket policy that allows anyone (Principal "*")`, { path: f.path })),
  ],
});

const noTls: Rule = defineRule({
  id: MINIO_NO_TLS, title: 'MinIO serves S3 without TLS', severity: 'high',
  rationale: 'With MINIO_SCHEME=http (the Bitnami default) the S3 API answers in plaintext: attachments, the access keys\' request signatures and presigned URLs cross the network readable. Istio mTLS protects the hop between sidecars only; clients outside the mesh, or a PERMISSIVE port, see clear text.',
  remediation: 'Serve TLS: the Bitnami MinIO chart\'s tls.enabled: true (tls.autoGenerated or tls.existingSecret), which sets MINIO_SCHEME=https, and point clients at https://.',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => storeContainers(index, 'minio').flatMap((s) => {
    if (![...s.env.keys()].some((n) => n.startsWith('MINIO_'))) return [];
    const scheme = envValue(s, 'MINIO_SCHEME');
    if (scheme !== undefined && scheme.trim().toLowerCase() === 'https') return [];
    const what = scheme === undefined ? 'leaves MINIO_SCHEME unset (the Bitnami default http)' : `env MINIO_SCHEME=${scheme}`;
    return [findingOf(index, noTls, s.workload.object, `${s.where} serves the S3 API without TLS (${what})`, { path: s.env.get('MINIO_SCHEME')?.path ?? s.container.path, raised: raisedFor(index, s) })];
  }),
});

const KMS = ['MINIO_KMS_SECRET_KEY', 'MINIO_KMS_SECRET_KEY_FILE', 'MINIO_KMS_KES_ENDPOINT', 'MINIO_KMS_SERVER'];

const noSse: Rule = defineRule({
  id: MINIO_NO_SSE, title: 'MinIO without server-side encryption', severity: 'medium',
  rationale: 'Without a KMS MinIO stores objects as they arrive: whoever gets the volume (a node, a snapshot, an NFS export, a backup) reads every attachment. OpenG2P promises personal data encrypted at rest.',
  remediation: 'Configure a KMS (MINIO_KMS_KES_ENDPOINT with KES, or at least MINIO_KMS_SECRET_KEY from a Secret) and MINIO_KMS_AUTO_ENCRYPTION=on so every object is encrypted (SSE-KMS).',
  controls: { nsa: NSA.encryption, owasp2025: 'K05' },
  check: (index) => storeContainers(index, 'minio').flatMap((s) => {
    if (KMS.some((k) => s.env.has(k))) return [];
    return [findingOf(index, noSse, s.workload.object, `${s.where} configures no KMS (${KMS.slice(0, 1).concat(KMS.slice(2)).join(', ')} unset): objects are stored unencrypted`, { path: s.container.path, raised: raisedFor(index, s) })];
  }),
});

/** The console's port and where it was read: --console-address, MINIO_CONSOLE_PORT_NUMBER (Bitnami), else the Bitnami default 9001. */
export function consolePort(s: StoreContainer): { port: number; from: string } | undefined {
  const address = argValue(s.argv, '--console-address');
  if (address !== undefined) {
    const port = Number(address.slice(address.lastIndexOf(':') + 1));
    return Number.isInteger(port) && port > 0 ? { port, from: `argument --console-address ${address}` } : undefined;
  }
  const env = envValue(s, 'MINIO_CONSOLE_PORT_NUMBER');
  if (env !== undefined) return Number.isInteger(Number(env)) ? { port: Number(env), from: 'env MINIO_CONSOLE_PORT_NUMBER' } : undefined;
  const named = recs(s.container.container.ports).find((p) => /console/i.test(str(p.name) ?? ''));
  return { port: num(named?.containerPort) ?? 9001, from: named ? `container port ${str(named.name) ?? ''}` : 'the Bitnami default' };
}

/** A gateway of the declared WireGuard admin path (selector of a RegistryDeployment's wireguard.adminGateway) or one demanding client certificates. */
function adminGateway(index: ObjectIndex, g: GatewayRef): boolean {
  if (requiresClientCertificates(g.object)) return true;
  const selector = g.object === undefined ? {} : Object.fromEntries(Object.entries(rec(g.object.spec).selector ?? {}).map(([k, v]) => [k, String(v)]));
  return Object.keys(selector).length > 0 && registryDeployments(index).some(({ spec }) => spec.wireguard?.enabled === true
    && matchesSelector({ matchLabels: spec.wireguard.adminGateway.selector }, selector));
}

const publicRoute = (index: ObjectIndex, r: IngressRoute): boolean => r.gateways.length === 0 || r.gateways.some((g) => !adminGateway(index, g));

const consolePublic: Rule = defineRule({
  id: MINIO_CONSOLE_PUBLIC, title: 'MinIO console published through a public route', severity: 'high',
  rationale: 'The MinIO console is an administration tool: with the root credentials or an OIDC login mapped to consoleAdmin it creates and deletes buckets, changes bucket policies (anonymous access), manages users and keys, and browses and downloads every attachment. Published on the same gateway as the registry it is one phished or guessed login away from every beneficiary\'s documents; administration belongs behind the WireGuard admin gateway.',
  remediation: 'Take the console off the public gateway (the SR chart: minio.istio.virtualservice.enabled: false; a RegistryDeployment component: exposure.type none) and publish it as a WireGuard route (wireguard.routes: component minio, port 9001), or turn it off with MINIO_BROWSER=off. Applications use the S3 API (9000), not the console.',
  controls: { nsa: NSA.authz, owasp2025: 'K01' },
  check: (index) => storeContainers(index, 'minio').flatMap((s) => {
    const browser = envValue(s, 'MINIO_BROWSER');
    const c = consolePort(s);
    if ((browser !== undefined && isOff(browser)) || c === undefined) return [];
    return ingressRoutesTo(index, s.workload).filter((r) => r.containerPorts.includes(c.port) && publicRoute(index, r)).map((r) =>
      findingOf(index, consolePublic, r.object, `${s.where} serves the MinIO console on port ${String(c.port)} (${c.from}), published through ${r.by}`, { raised: raisedFor(index, s) }));
  }),
});

export const minioRules: readonly Rule[] = [anonymous, noTls, noSse, consolePublic];
