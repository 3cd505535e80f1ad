import type { RegistrySpecInput } from '../schema.js';
import { flow, helmSelector, secret, type ComponentInput, type FlowInput } from './common.js';

/**
 * OpenG2P Social Registry, chart 1.3.1 exactly as it renders with default values
 * (`helm template <release> openg2p-social-registry-1.3.1.tgz -n <namespace>`, ../shared/openg2p).
 * Every selector, service account and port below is read off that render; the file a fact comes from
 * is named in the comment (paths inside the chart tarball). Keycloak and eSignet are the organisation's
 * instances in namespaces `keycloak` and `esignet` (peers: ward writes nothing there).
 */
export const KEYCLOAK_NAMESPACE = 'keycloak';
/** eSignet (beneficiary login over OIDC) is organisation-wide too. */
export const ESIGNET_NAMESPACE = 'esignet';

/** Host names the chart publishes by default (values.yaml `hostname` of each subchart); override `exposure.hosts`. */
export const SR_DEFAULT_HOSTS = {
  registry: 'socialregistry.openg2p.sandbox.net',
  minio: 'minio-sr.openg2p.sandbox.net',
  odk: 'odk-sr.openg2p.sandbox.net',
  kafkaUi: 'kafka-reporting-sr.openg2p.sandbox.net',
  reportingDashboards: 'opensearch-reporting-sr.openg2p.sandbox.net',
  loggingDashboards: 'opensearch-logging-sr.openg2p.sandbox.net',
} as const;

/** Pods without `serviceAccountName` run as the namespace's `default` account (they share one mesh identity). */
const DEFAULT_SA = 'default';

/** Reasons for the identities the chart makes components share (it offers no service-account value for them). */
const NO_SA_VALUE = (where: string): string => `the chart sets no serviceAccountName and offers no value for one (${where}): the pod runs as the namespace's default account`;


function ingress(host: string, port: number): ComponentInput['exposure'] {
  return { type: 'ingress', hosts: [host], port };
}

/**
 * Odoo's administrative routes (sources in docs/edge.md): the database manager
 * (addons/web/controllers/database.py, every route under /web/database/), the XML-RPC "db" service
 * (addons/base/controllers/rpc.py /xmlrpc/2/<service> and /xmlrpc/<service>; odoo/service/db.py
 * dispatch: create, drop, dump, restore, change_admin_password), the switch to the superuser
 * (addons/web/controllers/home.py /web/become) and debug mode (the `debug` query parameter). The
 * JSON-RPC "db" service is chosen in the request body of /jsonrpc: only list_db = False closes it.
 */
export const ODOO_ADMIN_PATHS = {
  paths: ['/web/database/*', '/xmlrpc/2/db', '/xmlrpc/db', '/web/become'],
  queryParams: ['debug'],
  reason: 'Odoo database manager, XML-RPC db service, superuser switch and debug mode (docs/edge.md)',
} as const;

/**
 * ward owns the registry's public route instead of the chart (templates/virtualservice.yaml: gateway
 * "internal", `/` redirected to /web, everything else to <rel>-odoo:80); the values overlay turns the
 * chart's route off (istio.virtualservice.enabled), so ?debug= and the admin paths are answered 403.
 */
function registryRoute(release: string): NonNullable<ComponentInput['exposure']>['route'] {
  return { gateway: 'internal', service: `${release}-odoo`, servicePort: 80, rootRedirect: '/web' };
}

/** The Keycloak realm the chart's key-manager token URL names (values.yaml KEYMANAGER_AUTH_URL: realms/master), as Keycloak's public https name issues it. */
export const SR_KEYCLOAK_ISSUER = 'https://keycloak.openg2p.sandbox.net/realms/master';
/** eSignet, the beneficiaries' login (the portal checks its tokens itself, in Odoo). */
export const SR_ESIGNET_ISSUER = 'https://esignet.openg2p.sandbox.net/v1/esignet';

/**
 * The key manager's token rule: the registry sends a Keycloak token as `Cookie: Authorization=<jwt>`
 * (g2p_encryption_keymanager), issued to the registry's client with the realm role KEYMANAGER_ADMIN.
 * Keys come from the in-cluster Keycloak Service (istiod reads them). The audience is the client id:
 * the OpenG2P client's audience mapper names it (override if yours names another).
 */
function keyManagerAuth(clientId: string): NonNullable<ComponentInput['exposure']>['auth'] {
  return {
    issuers: [{ issuer: SR_KEYCLOAK_ISSUER, jwksUri: `http://keycloak.${KEYCLOAK_NAMESPACE}.svc.cluster.local/realms/master/protocol/openid-connect/certs`, audiences: [clientId], fromCookie: 'Authorization' }],
    requiredClaims: [{ claim: 'realm_access.roles', values: ['KEYMANAGER_ADMIN'] }],
    inMesh: true,
  };
}

/** Bitnami StatefulSet/Deployment pods also carry `app.kubernetes.io/component`. */
function bitnamiSelector(name: string, release: string, component: string): Record<string, string> {
  return { ...helmSelector(name, release), 'app.kubernetes.io/component': component };
}

/** OpenG2P's own small charts (mail, ODK Central helpers) label pods with the full name only. */
function nameOnly(fullname: string): Record<string, string> {
  return { 'app.kubernetes.io/name': fullname };
}

function registry(release: string): ComponentInput[] {
  return [
    // charts/odoo (Bitnami): Deployment <rel>-odoo, container port http 8069, SA <rel>-odoo.
    { name: 'registry', selector: helmSelector('odoo', release), serviceAccount: `${release}-odoo`, ports: [{ name: 'http', port: 8069 }], personalData: true, exposure: { ...ingress(SR_DEFAULT_HOSTS.registry, 8069), adminPaths: { ...ODOO_ADMIN_PATHS, paths: [...ODOO_ADMIN_PATHS.paths], queryParams: [...ODOO_ADMIN_PATHS.queryParams] }, route: registryRoute(release) } },
    // charts/odoo/charts/postgresql: StatefulSet <rel>-postgresql (component primary), database socialregistrydb.
    { name: 'postgresql', selector: bitnamiSelector('postgresql', release, 'primary'), serviceAccount: `${release}-postgresql`, ports: [{ name: 'tcp-postgresql', port: 5432 }], personalData: true },
    // charts/mail: Deployment <rel>-mail, labels app.kubernetes.io/name=<rel>-mail only, no serviceAccountName.
    { name: 'mail', selector: nameOnly(`${release}-mail`), serviceAccount: DEFAULT_SA, ports: [{ name: 'tcp-smtp', port: 25 }] },
    // charts/minio (Bitnami): S3 API 9000, console 9001 (the console is what the chart's VirtualService publishes).
    { name: 'minio', selector: helmSelector('minio', release), serviceAccount: `${release}-minio`, ports: [{ name: 'http-api', port: 9000 }, { name: 'http-console', port: 9001 }], personalData: true }, // console not published (WARD-MINIO-004): a WireGuard route
  ];
}

function keyManager(release: string, clientId: string): ComponentInput[] {
  return [
    // charts/keymanager: Deployment <rel>-keymanager, container port spring-service 8088.
    { name: 'keymanager', selector: helmSelector('keymanager', release), serviceAccount: `${release}-keymanager`, ports: [{ name: 'http', port: 8088 }], personalData: true, exposure: { type: 'none', auth: keyManagerAuth(clientId) } },
    // charts/keymanager/charts/postgresql: the key manager's own database (mosip_keymgr).
    { name: 'keymanager-postgresql', selector: bitnamiSelector('keymanager-postgresql', release, 'primary'), serviceAccount: `${release}-keymanager-postgresql`, ports: [{ name: 'tcp-postgresql', port: 5432 }], personalData: true },
    // charts/keymanager/charts/softhsm: PKCS#11 proxy on 5666 (Service port 80 → 5666).
    { name: 'softhsm', selector: helmSelector('keymanager-softhsm', release), serviceAccount: `${release}-keymanager-softhsm`, ports: [{ name: 'tcp-pkcs11', port: 5666 }] },
    // charts/keymanager/charts/artifactory: the container declares no port; the Service targets 8080. The
    // chart names its service account <rel>-keymanager-artifactory-foo (templates/serviceaccount.yaml there).
    { name: 'artifactory', selector: helmSelector('keymanager-artifactory', release), serviceAccount: `${release}-keymanager-artifactory-foo`, ports: [{ name: 'http', port: 8080 }] },
  ];
}

function odkCentral(release: string): ComponentInput[] {
  const odk = `${release}-odk-central`;
  return [
    // charts/odk-central: backend and frontend share the service account <rel>-odk-central.
    { name: 'odk-backend', selector: helmSelector('odk-central-backend', release), serviceAccount: odk, ports: [{ name: 'http', port: 8383 }], personalData: true },
    { name: 'odk-frontend', selector: helmSelector('odk-central-frontend', release), serviceAccount: odk, ports: [{ name: 'http', port: 80 }], exposure: ingress(SR_DEFAULT_HOSTS.odk, 80), sharedIdentityReason: 'the ODK Central chart runs backend and frontend as one account (templates/frontend/deployment.yaml serviceAccount.name defaults to the chart fullname)' },
    { name: 'odk-enketo', selector: nameOnly(`${odk}-enketo`), serviceAccount: DEFAULT_SA, ports: [{ name: 'http', port: 8005 }], personalData: true, sharedIdentityReason: NO_SA_VALUE('charts/odk-central/templates/enketo') },
    { name: 'odk-redis-main', selector: nameOnly(`${odk}-enketo-redis-main`), serviceAccount: DEFAULT_SA, ports: [{ name: 'tcp-redis', port: 6379 }], personalData: true, sharedIdentityReason: NO_SA_VALUE('charts/odk-central/templates/enketo-redis') },
    { name: 'odk-redis-cache', selector: nameOnly(`${odk}-enketo-redis-cache`), serviceAccount: DEFAULT_SA, ports: [{ name: 'tcp-redis', port: 6379 }], sharedIdentityReason: NO_SA_VALUE('charts/odk-central/templates/enketo-redis') },
    { name: 'odk-pyxform', selector: nameOnly(`${odk}-pyxform`), serviceAccount: DEFAULT_SA, ports: [{ name: 'http', port: 80 }], sharedIdentityReason: NO_SA_VALUE('charts/odk-central/templates/pyxform') },
    { name: 'odk-mail', selector: nameOnly(`${odk}-mail`), serviceAccount: DEFAULT_SA, ports: [{ name: 'tcp-smtp', port: 25 }], sharedIdentityReason: NO_SA_VALUE('charts/odk-central/charts/odk-central-mail') },
    // charts/odk-central/charts/postgresql: ODK Central's own database (survey submissions).
    { name: 'odk-postgresql', selector: bitnamiSelector('odk-central-postgresql', release, 'primary'), serviceAccount: `${odk}-postgresql`, ports: [{ name: 'tcp-postgresql', port: 5432 }], personalData: true },
  ];
}

function reporting(release: string): ComponentInput[] {
  return [
    // charts/reporting: Debezium reads the PostgreSQL WAL into Kafka; the connector feeds OpenSearch.
    { name: 'debezium', selector: helmSelector('reporting-debezium', release), serviceAccount: `${release}-reporting-debezium`, ports: [{ name: 'http', port: 8083 }], personalData: true },
    // charts/reporting/charts/kafka (Bitnami, KRaft): client 9092, controller 9093, interbroker 9094.
    { name: 'kafka', selector: bitnamiSelector('reporting-kafka', release, 'controller-eligible'), serviceAccount: `${release}-reporting-kafka`, ports: [{ name: 'tcp-client', port: 9092 }, { name: 'tcp-controller', port: 9093 }, { name: 'tcp-interbroker', port: 9094 }], personalData: true },
    // Kafka UI runs as the Kafka service account (charts/reporting/templates/kafka-ui).
    { name: 'kafka-ui', selector: helmSelector('reporting-kafka-ui', release), serviceAccount: `${release}-reporting-kafka`, ports: [{ name: 'http', port: 8080 }], personalData: true, exposure: ingress(SR_DEFAULT_HOSTS.kafkaUi, 8080), sharedIdentityReason: 'the reporting chart runs Kafka UI as the Kafka service account (charts/reporting/templates/kafka-ui/deployment.yaml)' },
    { name: 'opensearch-connector', selector: helmSelector('reporting-os-kafka-connector', release), serviceAccount: `${release}-reporting-os-kafka-connector`, ports: [{ name: 'http', port: 8083 }], personalData: true },
    // charts/reporting/charts/opensearch (Bitnami): master-only node and dashboards, no serviceAccountName.
    { name: 'opensearch', selector: bitnamiSelector('reporting-opensearch', release, 'master'), serviceAccount: DEFAULT_SA, ports: [{ name: 'http', port: 9200 }, { name: 'tcp-transport', port: 9300 }], personalData: true, sharedIdentityReason: NO_SA_VALUE('Bitnami opensearch master.serviceAccount.create is false by default') },
    { name: 'opensearch-dashboards', selector: bitnamiSelector('reporting-opensearch', release, 'dashboards'), serviceAccount: DEFAULT_SA, ports: [{ name: 'http', port: 5601 }], personalData: true, exposure: ingress(SR_DEFAULT_HOSTS.reportingDashboards, 5601), sharedIdentityReason: NO_SA_VALUE('Bitnami opensearch dashboards.serviceAccount.create is false by default') },
  ];
}

function logging(release: string): ComponentInput[] {
  return [
    // charts/opensearch as loggingOpensearch: the registry's logs (they name beneficiaries), written by the
    // cluster's logging operator (the chart's Flow/Output objects).
    { name: 'logging-opensearch', selector: bitnamiSelector('logging-opensearch', release, 'master'), serviceAccount: DEFAULT_SA, ports: [{ name: 'http', port: 9200 }, { name: 'tcp-transport', port: 9300 }], personalData: true, sharedIdentityReason: NO_SA_VALUE('Bitnami opensearch master.serviceAccount.create is false by default') },
    { name: 'logging-dashboards', selector: bitnamiSelector('logging-opensearch', release, 'dashboards'), serviceAccount: DEFAULT_SA, ports: [{ name: 'http', port: 5601 }], personalData: true, exposure: ingress(SR_DEFAULT_HOSTS.loggingDashboards, 5601), sharedIdentityReason: NO_SA_VALUE('Bitnami opensearch dashboards.serviceAccount.create is false by default') },
  ];
}

function identity(): ComponentInput[] {
  return [
    { name: 'keycloak', namespace: KEYCLOAK_NAMESPACE, selector: helmSelector('keycloak', 'keycloak'), serviceAccount: 'keycloak', ports: [{ name: 'http', port: 8080 }] },
    { name: 'esignet', namespace: ESIGNET_NAMESPACE, selector: helmSelector('esignet', 'esignet'), serviceAccount: 'esignet', ports: [{ name: 'http', port: 8088 }] },
  ];
}

/** The flows the chart's own configuration shows (env values and ConfigMaps naming a Service; evidence in each description). */
function flows(): FlowInput[] {
  return [
    flow('registry', 'postgresql', [5432], 'Odoo keeps the registry in socialregistrydb (odoo env ODOO_DATABASE_HOST)'),
    flow('registry', 'mail', [25], 'the registry sends notifications (odoo env OPENG2P_SMTP_HOST)'),
    flow('registry', 'keymanager', [8088], 'the registry encrypts personal data and signs through the key manager (odoo env KEYMANAGER_API_BASE_URL)'),
    flow('registry', 'keycloak', [8080], 'the registry fetches key-manager tokens from Keycloak (odoo env KEYMANAGER_AUTH_URL)'),
    flow('registry', 'esignet', [8088], 'beneficiaries log in to the registry portal through eSignet (OIDC)'),
    flow('keymanager', 'keymanager-postgresql', [5432], 'the key manager keeps its keys in mosip_keymgr (keymanager env mosip_kernel_database_hostname)'),
    flow('keymanager', 'softhsm', [5666], 'the key manager holds its master keys in SoftHSM (ConfigMap <rel>-keymanager-softhsm-share PKCS11_PROXY_SOCKET)'),
    flow('keymanager', 'artifactory', [8080], 'the key manager downloads its auth adapter and HSM client at start (ConfigMap <rel>-keymanager-artifactory-share)'),
    flow('keymanager', 'keycloak', [8080], 'the key manager validates tokens against Keycloak (keymanager env keycloak_internal_url)'),
    flow('minio', 'keycloak', [8080], 'MinIO console users log in through Keycloak (minio env MINIO_IDENTITY_OPENID_CONFIG_URL)'),
    flow('odk-backend', 'odk-postgresql', [5432], 'ODK Central keeps submissions in its database (odk-central-backend env DB_HOST)'),
    flow('odk-backend', 'odk-mail', [25], 'ODK Central sends mail (odk-central-backend env EMAIL_HOST)'),
    flow('odk-backend', 'odk-enketo', [8005], 'ODK Central drives Enketo web forms (odk-central-backend env ENKETO_HOST)'),
    flow('odk-backend', 'odk-pyxform', [80], 'ODK Central converts XLSForms (odk-central-backend env PYXFORM_HOST)'),
    flow('odk-frontend', 'odk-backend', [8383], 'the ODK front end proxies the API (odk-central-frontend env BACKEND_URL)'),
    flow('odk-frontend', 'odk-enketo', [8005], 'the ODK front end proxies Enketo (odk-central-frontend env ENKETO_URL)'),
    flow('odk-enketo', 'odk-redis-main', [6379], 'Enketo keeps form state in Redis (env REDIS_MAIN_HOST)'),
    flow('odk-enketo', 'odk-redis-cache', [6379], 'Enketo caches forms in Redis (env REDIS_CACHE_HOST)'),
    flow('debezium', 'postgresql', [5432], 'Debezium reads the PostgreSQL write-ahead log (wal_level=logical; connector registered by the reporting init Job with DB_HOSTNAME)'),
    flow('debezium', 'kafka', [9092], 'Debezium publishes change events (debezium env BOOTSTRAP_SERVERS)'),
    // No kafka → kafka flow: the chart runs one KRaft controller-broker (controller.quorum.voters=0@<its own pod>),
    // which talks to itself only; add a flow on 9093/9094 when you scale Kafka to several brokers.
    flow('opensearch-connector', 'kafka', [9092], 'the OpenSearch connector consumes change events (connect-distributed.properties bootstrap.servers)'),
    flow('opensearch-connector', 'opensearch', [9200], 'the OpenSearch connector indexes change events (sink registered by the reporting init Job with OPENSEARCH_URL)'),
    flow('kafka-ui', 'kafka', [9092], 'Kafka UI browses topics (ConfigMap <rel>-reporting-kafka-ui bootstrapServers)'),
    flow('kafka-ui', 'debezium', [8083], 'Kafka UI manages the Debezium connectors (ConfigMap <rel>-reporting-kafka-ui kafkaConnect)'),
    flow('kafka-ui', 'opensearch-connector', [8083], 'Kafka UI manages the OpenSearch connectors (ConfigMap <rel>-reporting-kafka-ui kafkaConnect)'),
    flow('kafka-ui', 'keycloak', [8080], 'Kafka UI users log in through Keycloak (ConfigMap <rel>-reporting-kafka-ui issuer-uri)'),
    flow('opensearch-dashboards', 'opensearch', [9200], 'dashboards query OpenSearch (env OPENSEARCH_DASHBOARDS_OPENSEARCH_URL)'),
    flow('opensearch', 'keycloak', [8080], 'OpenSearch users log in through Keycloak (opensearch-security-config.yml openid_connect_url)'),
    flow('opensearch-dashboards', 'keycloak', [8080], 'dashboard users log in through Keycloak (opensearch_dashboards.yml connect_url)'),
    flow('logging-dashboards', 'logging-opensearch', [9200], 'log dashboards query OpenSearch (env OPENSEARCH_DASHBOARDS_OPENSEARCH_URL)'),
    flow('logging-opensearch', 'keycloak', [8080], 'log OpenSearch users log in through Keycloak (opensearch-security-config.yml openid_connect_url)'),
    flow('logging-dashboards', 'keycloak', [8080], 'log dashboard users log in through Keycloak (opensearch_dashboards.yml connect_url)'),
  ];
}

export interface UnmanagedWorkload {
  /** Workload kind and name as the chart renders it (`<release>` substituted). */
  readonly kind: string;
  readonly name: string;
  /** Why the preset does not make it a component, and what that means once ward's policies are applied. */
  readonly reason: string;
}

/**
 * Workloads of the render that are deliberately not components. They get no flow, so ward's
 * default deny applies to them; each reason says what that means.
 */
export function socialRegistryUnmanaged(release: string): UnmanagedWorkload[] {
  const hook = 'Helm post-install hook that the chart runs without a sidecar (pod label sidecar.istio.io/inject: "false" hard-coded in';
  return [
    { kind: 'Pod', name: `${release}-keymanager-softhsm-test-connection`, reason: 'Helm test hook (`helm test` only): it is denied under ward\'s policies, as a probe from an unknown workload should be' },
    { kind: 'Job', name: `${release}-keymanager-postgres-init`, reason: `${hook} charts/keymanager/templates/postgresInit/job.yaml; it clones from GitHub): it cannot reach the key-manager database under STRICT mTLS. Run \`helm install\` before the first apply of ward's policies; the chart offers no value to inject a sidecar` },
    { kind: 'Job', name: `${release}-keymanager-keygen`, reason: `${hook} charts/keymanager/templates/keygen/job.yaml): it cannot reach the key-manager database or SoftHSM under STRICT mTLS. Run \`helm install\` before the first apply of ward's policies; the chart offers no value to inject a sidecar` },
    { kind: 'Job', name: `${release}-reporting-init`, reason: 'Helm post-install/post-upgrade hook, run without a sidecar (charts/reporting-init/values.yaml podAnnotations sidecar.istio.io/inject: "false"; it clones from GitHub): it registers the Debezium and OpenSearch connectors and cannot reach PostgreSQL, Debezium or OpenSearch under STRICT mTLS. Run it before ward\'s policies are applied, or give it a sidecar (podAnnotations) on a mesh with native sidecars' },
  ];
}

export function openg2pSocialRegistry(release: string, namespace: string): RegistrySpecInput {
  const clientId = `openg2p-sr-${namespace}`;
  return {
    release,
    namespace,
    components: [...registry(release), ...keyManager(release, clientId), ...odkCentral(release), ...reporting(release), ...logging(release), ...identity()],
    flows: flows(),
    secrets: [
      secret(`${release}-postgresql`, ['password', 'postgres-password'], ['postgresql', 'registry']),
      secret(`${release}-odoo`, ['odoo-password'], ['registry']),
      secret(`${release}-minio`, ['root-password'], ['minio']),
      secret(`${release}-keymanager-postgresql`, ['password', 'postgres-password'], ['keymanager', 'keymanager-postgresql']),
      secret(`${release}-keymanager-softhsm`, ['security-pin'], ['keymanager', 'softhsm']),
      secret(`${release}-odk-central-postgresql`, ['password', 'postgres-password'], ['odk-backend', 'odk-postgresql']),
      // The OIDC client of the registry (values.yaml odoo.oidcClientId); the Helm values overlay points
      // KEYMANAGER_AUTH_CLIENT_SECRET at this Secret instead of the chart's literal.
      secret(clientId, ['client_secret'], ['registry']),
    ],
    keyManager: {
      component: 'keymanager',
      // values.yaml odoo.extraEnvVars KEYMANAGER_API_BASE_URL / KEYMANAGER_AUTH_URL as the chart renders them.
      apiBaseUrl: `http://${release}-keymanager.${namespace}/v1/keymanager`,
      tokenUrl: `http://keycloak.${KEYCLOAK_NAMESPACE}/realms/master/protocol/openid-connect/token`,
      clientId,
      clientSecretRef: { name: clientId, key: 'client_secret' },
      applicationId: 'REGISTRATION',
      referenceId: 'ENCRYPT',
    },
  };
}
