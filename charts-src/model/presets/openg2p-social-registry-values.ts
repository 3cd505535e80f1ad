import { Document, isMap, isScalar, type Pair } from 'yaml';
import type { RegistrySpec } from '../schema.js';

/**
 * The Helm values overlay that makes the OpenG2P Social Registry 1.3.1 chart compatible with ward's
 * hardening (`ward synth --preset openg2p-social-registry --helm-values FILE`). Every key carries a
 * comment saying why; what the chart offers no value for is listed in `SR_VALUES_GAPS` and written at
 * the top of the file. Paths are the chart's (values.yaml of the umbrella chart and of each subchart
 * inside openg2p-social-registry-1.3.1.tgz). Pure: spec in, YAML text out.
 */

/** Why each Bitnami NetworkPolicy goes: they allow any source (`allowExternal: true`) and all egress, and NetworkPolicies add up. */
const NP_OFF = 'Bitnami NetworkPolicy with allowExternal: true and open egress; NetworkPolicies add up, so it would undo ward\'s default deny';

interface Entry {
  readonly path: readonly string[];
  readonly value: unknown;
  readonly why: string;
}

function npOff(prefix: readonly string[], roles: readonly string[]): Entry[] {
  return roles.map((r) => ({ path: [...prefix, ...(r ? [r] : []), 'networkPolicy', 'enabled'], value: false, why: NP_OFF }));
}

const OPENSEARCH_ROLES = ['master', 'data', 'coordinating', 'ingest', 'dashboards'];

/** The chart's odoo.extraEnvVars (values.yaml) with the key manager's client secret taken from a Secret. */
function odooEnv(spec: RegistrySpec): unknown[] {
  const ref = spec.keyManager?.clientSecretRef ?? { name: `openg2p-sr-${spec.namespace}`, key: 'client_secret' };
  const literal = (name: string, value: string): Record<string, string> => ({ name, value });
  return [
    literal('ODOO_SKIP_MODULES_UPDATE', 'yes'),
    literal('LIMIT_TIME_REAL', '5000'),
    literal('LIST_DB', 'False'),
    literal('SERVER_WIDE_MODULES', 'web,queue_job'),
    literal('OPENG2P_SMTP_HOST', '{{ tpl .Values.mailInstallationName $ }}'),
    literal('OPENG2P_SMTP_PORT', '25'),
    literal('LOG_HANDLER', '[":INFO"]'),
    literal('LOG_DB', 'False'),
    literal('KEYMANAGER_API_BASE_URL', 'http://{{ tpl .Values.keymanagerInstallationName $ }}/v1/keymanager'),
    literal('KEYMANAGER_AUTH_URL', '{{ tpl .Values.oidcIssuerUrl $ }}/protocol/openid-connect/token'),
    literal('KEYMANAGER_AUTH_CLIENT_ID', '{{ tpl .Values.keymanagerAuthClientId $ }}'),
    { name: 'KEYMANAGER_AUTH_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } },
    literal('EXTRA_ADDONS_URLS_TO_PULL', '{{ tpl .Values.extraAddonsUrlsToPull $ }}'),
    // libpq reads the CA for sslmode=verify-full from PGSSLROOTCERT (Odoo passes no sslrootcert).
    literal('PGSSLROOTCERT', `${PG_CA_DIR}/ca.crt`),
  ];
}

/** The chart's minio.extraEnvVars with the OIDC client secret taken from a Secret. */
function minioEnv(spec: RegistrySpec): unknown[] {
  const literal = (name: string, value: string): Record<string, string> => ({ name, value });
  return [
    literal('MINIO_IDENTITY_OPENID_CONFIG_URL', '{{ tpl .Values.oidcWellKnownConfigUrl $ }}'),
    literal('MINIO_IDENTITY_OPENID_CLIENT_ID', '{{ tpl .Values.oidcClientId $ }}'),
    { name: 'MINIO_IDENTITY_OPENID_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: minioOidcSecret(spec), key: 'client_secret' } } },
    literal('MINIO_IDENTITY_OPENID_DISPLAY_NAME', 'Keycloak'),
    literal('MINIO_IDENTITY_OPENID_CLAIM_NAME', 'client_roles'),
    literal('MINIO_IDENTITY_OPENID_SCOPES', 'openid,profile,email'),
    literal('MINIO_IDENTITY_OPENID_REDIRECT_URI_DYNAMIC', 'on'),
    literal('MINIO_IDENTITY_OPENID_CLAIM_USERINFO', 'on'),
    // Server-side encryption of every object with a key MinIO reads from a Secret (WARD-S3-003).
    { name: 'MINIO_KMS_SECRET_KEY', valueFrom: { secretKeyRef: { name: minioKmsSecret(spec), key: 'kms_secret_key' } } },
    literal('MINIO_KMS_AUTO_ENCRYPTION', 'on'),
  ];
}

/** Secret holding MinIO's KMS key (`<key-name>:<base64 of 32 random bytes>`, MinIO's MINIO_KMS_SECRET_KEY format). */
export function minioKmsSecret(spec: RegistrySpec): string {
  return `openg2p-sr-minio-kms-${spec.namespace}`;
}

/** Where the overlay mounts the registry PostgreSQL's CA into the Odoo container. */
const PG_CA_DIR = '/opt/bitnami/odoo/postgresql-ca';

/**
 * pg_hba.conf for the registry database: TLS (hostssl) and SCRAM for every remote client; the pod's
 * own socket stays trust, as the Bitnami image generates it (libpostgresql.sh), for its init scripts.
 */
const REGISTRY_PG_HBA = [
  'local    all  all                trust',
  'host     all  all  127.0.0.1/32  scram-sha-256',
  'host     all  all  ::1/128       scram-sha-256',
  'hostssl  all  all  0.0.0.0/0     scram-sha-256',
  'hostssl  all  all  ::/0          scram-sha-256',
].join('\n');

/** The data tier (WARD-ODOO/PG/S3, WARD-TLS-002): TLS on every PostgreSQL and on MinIO, Odoo on verify-full without the database manager. */
function dataTier(spec: RegistrySpec): Entry[] {
  const tls = (prefix: readonly string[]): Entry[] => [
    { path: [...prefix, 'tls', 'enabled'], value: true, why: 'PostgreSQL serves TLS (the chart defaults to tls.enabled: false, POSTGRESQL_ENABLE_TLS=no)' },
    { path: [...prefix, 'tls', 'autoGenerated'], value: true, why: 'a CA and server certificate generated by Helm into the Secret <fullname>-crt (replace with tls.certificatesSecret from your PKI)' },
  ];
  return [
    ...tls(['odoo', 'postgresql']),
    { path: ['odoo', 'postgresql', 'primary', 'pgHbaConfiguration'], value: REGISTRY_PG_HBA, why: 'hostssl and scram-sha-256 for every remote client: the image\'s generated "host all all 0.0.0.0/0 md5" accepts plaintext' },
    ...tls(['keymanager', 'postgresql']),
    ...tls(['odk-central', 'postgresql']),
    {
      path: ['odoo', 'args'], value: ['/opt/bitnami/scripts/odoo/run.sh', '--db_sslmode=verify-full', '--no-database-list'],
      why: 'Odoo verifies the database certificate (db_sslmode; the Bitnami odoo.conf leaves Odoo\'s default prefer) and keeps the database manager off (list_db = False) whatever odoo.conf says: run.sh passes these to odoo after --config',
    },
    { path: ['odoo', 'extraVolumes'], value: [{ name: 'postgresql-ca', secret: { secretName: `${spec.release}-postgresql-crt`, items: [{ key: 'ca.crt', path: 'ca.crt' }] } }], why: 'the CA of the registry database (tls.autoGenerated writes it into <release>-postgresql-crt)' },
    { path: ['odoo', 'extraVolumeMounts'], value: [{ name: 'postgresql-ca', mountPath: PG_CA_DIR, readOnly: true }], why: 'read by libpq through PGSSLROOTCERT' },
    { path: ['minio', 'tls', 'enabled'], value: true, why: 'MinIO serves the S3 API over TLS (MINIO_SCHEME=https)' },
    { path: ['minio', 'tls', 'autoGenerated'], value: true, why: 'a self-signed certificate generated by Helm (replace with tls.existingSecret from your PKI)' },
  ];
}

/** Secret of MinIO's OIDC client, named after the chart's client id (minio.oidcClientId). */
export function minioOidcSecret(spec: RegistrySpec): string {
  return `openg2p-sr-minio-${spec.namespace}`;
}

function entries(spec: RegistrySpec): Entry[] {
  const envWhy = 'the chart\'s list with the client secret read from a Secret (secretKeyRef) instead of a literal env value; create the Secret before installing';
  return [
    ...npOff(['odoo'], ['']),
    ...npOff(['odoo', 'postgresql'], ['primary', 'readReplicas']),
    { path: ['odoo', 'postgresql', 'istio', 'gateway', 'enabled'], value: false, why: 'the chart publishes PostgreSQL 5432 on the ingress gateway as plain TCP for hosts "*"; ward allows the database only to its declared callers' },
    { path: ['odoo', 'postgresql', 'istio', 'virtualservice', 'enabled'], value: false, why: 'the route of that plain-TCP PostgreSQL gateway' },
    { path: ['odoo', 'extraEnvVars'], value: odooEnv(spec), why: `${envWhy} (KEYMANAGER_AUTH_CLIENT_SECRET)` },
    { path: ['istio', 'virtualservice', 'enabled'], value: false, why: 'ward publishes the registry itself (VirtualService public-registry on the same gateway and host): Odoo\'s ?debug= and admin paths answered 403, security response headers set (docs/edge.md)' },
    { path: ['keymanager', 'istio', 'virtualservice', 'enabled'], value: false, why: 'the chart publishes the key manager API on the gateway; only the registry calls it, inside the mesh' },
    ...npOff(['keymanager', 'postgresql'], ['primary', 'readReplicas']),
    ...npOff(['odk-central', 'postgresql'], ['primary', 'readReplicas']),
    { path: ['minio', 'networkPolicy', 'enabled'], value: false, why: `${NP_OFF} (off by default in this chart; stated so an upgrade cannot turn it on)` },
    { path: ['minio', 'extraEnvVars'], value: minioEnv(spec), why: `${envWhy} (MINIO_IDENTITY_OPENID_CLIENT_SECRET)` },
    { path: ['minio', 'istio', 'virtualservice', 'enabled'], value: false, why: 'the chart publishes the MinIO console (port 9001, an administration tool) on gateway internal next to the registry (WARD-MINIO-004); administrators reach it through the WireGuard admin gateway (wireguard.routes: component minio, port 9001), the registry uses the S3 API inside the mesh' },
    ...npOff(['loggingOpensearch'], OPENSEARCH_ROLES),
    { path: ['reporting', 'kafka', 'networkPolicy', 'enabled'], value: false, why: NP_OFF },
    ...npOff(['reporting', 'opensearch'], OPENSEARCH_ROLES),
    ...dataTier(spec),
  ];
}

/** What ward needs that the chart offers no value for (written at the top of the overlay and reported by `ward synth`). */
export const SR_VALUES_GAPS: readonly string[] = [
  'OIDC client secrets of OpenSearch (logging and reporting dashboards) and Kafka UI are written into ConfigMaps (opensearch_dashboards.yml client_secret, kafka-ui config.yml); the chart offers no Secret reference for them.',
  'ODK Central backend takes OIDC_CLIENT_SECRET as a literal env value (odk-central.backend.envVars); OIDC is off by default.',
  'The mail chart and ODK Central\'s Enketo, Redis, pyxform and mail run as the namespace\'s default service account, OpenSearch too, and Kafka UI as Kafka\'s: the chart offers no service account of their own, so Istio authorization cannot tell these pods apart (ward\'s NetworkPolicies still do, by pod labels).',
  'The key manager hooks (postgres-init, keygen) and reporting-init run without a sidecar (sidecar.istio.io/inject: "false"): under STRICT mTLS they cannot reach their databases. Install the chart before ward\'s policies are first applied.',
  'The chart reaches Keycloak at global.keycloakBaseUrl, a public host name (default https://keycloak.openg2p.sandbox.net); ward allows the in-cluster Keycloak (namespace keycloak) on 8080. Point the token URLs at it, or declare a cidr flow to your Keycloak ingress address.',
  'The key manager\'s and ODK Central\'s PostgreSQL get TLS, but keep the pg_hba.conf their image generates (host, md5: WARD-PG-001 stays): their clients\' TLS settings (the key manager\'s JDBC URL in its Spring configuration, ODK Central\'s DB_SSL) are outside the chart\'s values ward can check.',
  'Odoo\'s init and module-update runs (odoo --stop-after-init, first start only with ODOO_SKIP_MODULES_UPDATE=yes) read odoo.conf alone and connect with its db_sslmode (prefer); the server refuses plaintext through hostssl, so they negotiate TLS but do not verify the certificate.',
  'The key manager fetches its configuration from GitHub (keymanager.springConfig.gitRepo) and the hooks clone from GitHub: ward denies egress outside the declared flows; mirror the configuration in-cluster (springConfig.rawConfig) or declare a cidr flow.',
];

function setWithComment(doc: Document, path: readonly string[], value: unknown, why: string): void {
  doc.setIn(path, doc.createNode(value));
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return;
  const pair = (parent).items.find((p: Pair) => (isScalar(p.key) ? p.key.value : p.key) === path[path.length - 1]);
  if (!pair) return;
  if (!isScalar(pair.key)) pair.key = doc.createNode(pair.key);
  (pair.key as { commentBefore?: string }).commentBefore = ` ${why}`;
}

/** The overlay as YAML text, deterministic. */
export function socialRegistryHelmValues(spec: RegistrySpec): string {
  const doc = new Document({});
  for (const e of entries(spec)) setWithComment(doc, e.path, e.value, e.why);
  doc.commentBefore = [
    ` Helm values for the OpenG2P Social Registry 1.3.1 chart, made by ward for release ${spec.release} in namespace ${spec.namespace}.`,
    ` helm upgrade --install ${spec.release} openg2p-social-registry-1.3.1.tgz -n ${spec.namespace} -f <this file>`,
    ' Then apply `ward synth` output for the same spec. Secrets to create first (values never go in a values file):',
    ...secretNames(spec).map((n) => `   - ${n}`),
    '',
    ' What the chart offers no value for (ward cannot fix it here; see docs/openg2p.md):',
    ...SR_VALUES_GAPS.map((g) => `   - ${g}`),
  ].join('\n');
  // Strings double-quoted: Helm reads values as YAML 1.1, where a bare `yes` or `on` would turn into a boolean.
  return doc.toString({ lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}

function secretNames(spec: RegistrySpec): string[] {
  const ref = spec.keyManager?.clientSecretRef;
  return [...new Set([ref ? `${ref.name} (key ${ref.key}): the registry's OIDC client secret` : undefined, `${minioOidcSecret(spec)} (key client_secret): MinIO's OIDC client secret`, `${minioKmsSecret(spec)} (key kms_secret_key): MinIO's KMS key, "<name>:<base64 of 32 random bytes>" (e.g. sr-key:$(openssl rand -base64 32))`].filter((x): x is string => x !== undefined))];
}
