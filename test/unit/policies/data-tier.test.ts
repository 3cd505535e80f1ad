import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { wgSpec } from '../wireguard/fixtures.js';
import { MINIO_ANONYMOUS, MINIO_CONSOLE_PUBLIC, MINIO_NO_SSE, MINIO_NO_TLS, allowsAnyone, anonymousBuckets } from '../../../policies/rules/minio.js';
import { ODOO_DB_MANAGER, readsProxyModeEnv, ODOO_DB_SSLMODE, ODOO_DBFILTER, ODOO_DEMO_DATA, ODOO_MASTER_PASSWORD, ODOO_PROXY_MODE, ODOO_SUPERUSER } from '../../../policies/rules/odoo.js';
import { PG_HBA_NO_TLS, PG_HBA_WEAK_AUTH, hbaLines } from '../../../policies/rules/pg.js';
import { REST_UNENCRYPTED_VOLUME } from '../../../policies/rules/rest.js';
import { deployment, runRule, summarise, type Case } from './helpers.js';

/** The Odoo container of the SR 1.3.1 render (charts/odoo/templates/deployment.yaml), env trimmed to what the rules read. */
const ODOO_IMAGE = 'docker.io/openg2p/openg2p-social-registry-odoo-package:1.3.1';
const srOdooEnv = { ODOO_DATABASE_HOST: 'sr-postgresql', ODOO_DATABASE_NAME: 'socialregistrydb', ODOO_DATABASE_FILTER: '.*', ODOO_DATABASE_USER: 'sruser', ODOO_LOAD_DEMO_DATA: 'no', LIST_DB: 'False' };
const odooSecretPassword = '\n          envFrom: []\n          ports: [{name: http, containerPort: 8069}]';
/** A Bitnami Odoo deployment whose ODOO_PASSWORD comes from a Secret (as the chart renders it). */
const odoo = (env: Record<string, string>, o: { args?: string; labels?: string; secretPassword?: boolean } = {}): string => {
  const base = deployment('sr-odoo', env, { image: ODOO_IMAGE, extra: `${o.args ?? ''}${odooSecretPassword}`, labels: o.labels ?? '' });
  return o.secretPassword === false ? base : base.replace(/env:\n/, 'env:\n            - name: ODOO_PASSWORD\n              valueFrom: {secretKeyRef: {name: sr-odoo, key: odoo-password}}\n');
};
const cm = (name: string, key: string, text: string): string => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: sr}\ndata:\n  ${key}: |\n${text.split('\n').map((l) => `    ${l}`).join('\n')}\n`;
const odooConf = (lines: string): string => cm('odoo-conf', 'odoo.conf', `[options]\naddons_path = /mnt/extra-addons\ndb_host = db\n${lines}`);
const ARGS_SAFE = '\n          args: [/opt/bitnami/scripts/odoo/run.sh, --db_sslmode=verify-full, --no-database-list]';
const W = 'Deployment sr/sr-odoo container "sr-odoo"';
const PERSONAL = ', ward.g2p.dev/personal-data: "true"';

/** A Bitnami PostgreSQL StatefulSet as the SR 1.3.1 render has it, optionally mounting a ConfigMap. */
const postgres = (configMap?: string, labels = ''): string => `---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sr-postgresql, namespace: sr}
spec:
  template:
    metadata:
      labels: {app.kubernetes.io/name: postgresql${labels}}
    spec:
      containers:
        - name: postgresql
          image: docker.io/bitnami/postgresql:16.3.0-debian-12-r14
          env:
            - {name: POSTGRESQL_PORT_NUMBER, value: "5432"}
            - {name: POSTGRESQL_ENABLE_TLS, value: "yes"}
${configMap ? `      volumes:\n        - name: postgresql-config\n          configMap: {name: ${configMap}}\n` : ''}`;
const HBA_GOOD = 'local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\nhostssl all all 0.0.0.0/0 scram-sha-256\nhostssl all all ::/0 scram-sha-256';

/** The Bitnami MinIO container of the SR 1.3.1 render (charts/minio/templates/standalone/deployment.yaml). */
const minio = (env: Record<string, string>, labels = ''): string => deployment('minio', { MINIO_ROOT_USER: 'x', ...env }, { image: 'docker.io/bitnami/minio:2023.12.23-debian-11-r2', labels });
const M = 'Deployment sr/minio container "minio"';
/** The SR 1.3.1 MinIO with its two ports (minio-api 9000, minio-console 9001) and its Service (charts/minio/templates/service.yaml). */
const minioServed = (env: Record<string, string> = { MINIO_CONSOLE_PORT_NUMBER: '9001' }, labels = ''): string =>
  deployment('minio', { MINIO_SCHEME: 'http', ...env }, { image: 'docker.io/bitnami/minio:2023.12.23-debian-11-r2', labels, extra: '\n          ports: [{name: minio-api, containerPort: 9000}, {name: minio-console, containerPort: 9001}]' })
  + '---\napiVersion: v1\nkind: Service\nmetadata: {name: sr-minio, namespace: sr}\nspec:\n  selector: {app: minio}\n  ports: [{name: minio-api, port: 9000, targetPort: minio-api}, {name: minio-console, port: 9001, targetPort: minio-console}]\n';
/** The chart's VirtualService (templates/minio/virtualservice.yaml): gateway internal, destination port 9001. */
const minioVs = (port: string = '\n          port: {number: 9001}', gateway = 'internal'): string => `---\napiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: sr-minio, namespace: sr}\nspec:\n  hosts: [minio-sr.openg2p.sandbox.net]\n  gateways: [${gateway}]\n  http:\n    - route:\n        - destination:\n            host: sr-minio${port.replace(/\n {10}/g, '\n            ')}\n`;
const CONSOLE = `${M} serves the MinIO console on port 9001 (env MINIO_CONSOLE_PORT_NUMBER), published through`;

/** A personal-data StatefulSet with a volumeClaimTemplate, and optionally a StorageClass. */
const store = (storageClass: string | undefined, sc = ''): string => `---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: sr}
spec:
  template:
    metadata:
      labels: {app: db, ward.g2p.dev/personal-data: "true"}
    spec:
      containers: [{name: db, image: example/db:1}]
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]${storageClass ? `\n        storageClassName: ${storageClass}` : ''}
${sc}`;
const storageClass = (name: string, provisioner: string, params = '', isDefault = false): string => `---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: ${name}${isDefault ? ', annotations: {storageclass.kubernetes.io/is-default-class: "true"}' : ''}}
provisioner: ${provisioner}
${params ? `parameters: {${params}}` : ''}
`;
/** The Service in front of the Odoo fixtures (selects app: sr-odoo, port 80 → 8069 as in the SR 1.3.1 render). */
const ODOO_SVC = '---\napiVersion: v1\nkind: Service\nmetadata: {name: sr-odoo, namespace: sr}\nspec:\n  selector: {app: sr-odoo}\n  ports: [{name: http, port: 80, targetPort: http}]\n';
/** A VirtualService like the chart's (templates/virtualservice.yaml): gateway internal, X-Forwarded-* set, to `host`. */
const odooVs = (host = 'sr-odoo', gateways = '[internal]'): string => `---\napiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata: {name: sr-odoo, namespace: sr}\nspec:\n  hosts: [socialregistry.openg2p.sandbox.net]\n  gateways: ${gateways}\n  http:\n    - headers: {request: {set: {x-forwarded-host: socialregistry.openg2p.sandbox.net, x-forwarded-proto: https}}}\n      route: [{destination: {host: ${host}, port: {number: 80}}}]\n`;
const odooIngress = '---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: odoo, namespace: sr}\nspec:\n  rules:\n    - host: sr.example.org\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: sr-odoo, port: {number: 80}}}}]}\n';
const odooHttpRoute = '---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: odoo, namespace: sr}\nspec:\n  parentRefs: [{name: public, namespace: gateways}]\n  rules: [{backendRefs: [{name: sr-odoo, port: 80}]}]\n';
/** The OpenG2P packaging image built on library/odoo (1.5+: reads ODOO_PROXY_MODE). */
const PACKAGING_IMAGE = 'docker.io/openg2p/openg2p-social-registry-odoo-package:1.5.0';
/** An Odoo (library/odoo image) mounting the odoo-conf ConfigMap. */
const odooMounting = `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sr-odoo, namespace: sr}\nspec:\n  template:\n    metadata:\n      labels: {app: sr-odoo}\n    spec:\n      containers:\n        - name: odoo\n          image: docker.io/library/odoo:17\n          ports: [{name: http, containerPort: 8069}]\n      volumes:\n        - name: conf\n          configMap: {name: odoo-conf}\n`;
const registryDeployment = (exposure: string): string => `---\napiVersion: ward.g2p.dev/v1alpha1\nkind: RegistryDeployment\nmetadata: {name: sr, namespace: sr}\nspec:\n  namespace: sr\n  components:\n    - {name: registry, selector: {app: sr-odoo}, serviceAccount: sr-odoo, ports: [{name: http, port: 8069}], exposure: ${exposure}}\n`;
const NO_PROXY = `${W} runs without proxy_mode (env ODOO_PROXY_MODE) behind`;
const CONF_NO_PROXY = 'ConfigMap sr/odoo-conf key "odoo.conf" runs without proxy_mode';
const V = 'volumeClaimTemplate "data" of StatefulSet sr/db (holds personal data) is on';

const table: Record<string, Case[]> = {
  [ODOO_DB_MANAGER]: [
    { name: 'passes the SR 1.3.1 Odoo: ODOO_LIST_DB unset is False in the Bitnami image, and the chart\'s LIST_DB is read by nothing', yaml: odoo(srOdooEnv), expect: [] },
    { name: 'fails ODOO_LIST_DB=yes', yaml: odoo({ ...srOdooEnv, ODOO_LIST_DB: 'yes' }), expect: [{ severity: 'high', message: `${W} enables the database manager (env ODOO_LIST_DB)`, at: '- name: ODOO_LIST_DB' }] },
    { name: 'passes ODOO_LIST_DB=yes overridden by the --no-database-list argument', yaml: odoo({ ...srOdooEnv, ODOO_LIST_DB: 'yes' }, { args: ARGS_SAFE }), expect: [] },
    { name: 'raises it for an Odoo holding personal data', yaml: odoo({ ...srOdooEnv, ODOO_LIST_DB: 'true' }, { labels: PERSONAL }), expect: [{ severity: 'critical', message: `${W} enables the database manager (env ODOO_LIST_DB)`, at: '- name: ODOO_LIST_DB' }] },
    { name: 'fails an odoo.conf without list_db (Odoo\'s default is True)', yaml: odooConf('proxy_mode = True'), expect: [{ severity: 'high', message: 'ConfigMap sr/odoo-conf key "odoo.conf" enables the database manager (list_db not set (Odoo\'s default is True))', at: 'odoo.conf' }] },
    { name: 'fails an odoo.conf with list_db = True', yaml: odooConf('list_db = True'), expect: [{ severity: 'high', message: 'ConfigMap sr/odoo-conf key "odoo.conf" enables the database manager (list_db = True)', at: 'odoo.conf' }] },
    { name: 'passes an odoo.conf with list_db = False', yaml: odooConf('list_db = False\ndb_sslmode = verify-full'), expect: [] },
    { name: 'ignores an INI file of another program with an [options] section', yaml: cm('other', 'app.ini', '[options]\nlist_db = True'), expect: [] },
  ],
  [ODOO_MASTER_PASSWORD]: [
    { name: 'passes the SR 1.3.1 Odoo: ODOO_PASSWORD from a Secret and the database manager off', yaml: odoo(srOdooEnv), expect: [] },
    { name: 'fails ODOO_PASSWORD unset: master and admin password are the Bitnami default', yaml: odoo(srOdooEnv, { secretPassword: false }),
      expect: [{ severity: 'critical', message: `${W} leaves ODOO_PASSWORD unset: the master password (admin_passwd) and the admin user's password are the Bitnami default "bitnami"`, at: '- name: sr-odoo' }] },
    { name: 'fails the database manager on with the master password equal to the admin\'s (one ODOO_PASSWORD sets both)', yaml: odoo({ ...srOdooEnv, ODOO_LIST_DB: 'yes' }),
      expect: [{ severity: 'high', message: `${W} has the database manager on with the master password (admin_passwd) equal to the admin user's password: the Bitnami image sets both from ODOO_PASSWORD`, at: '- name: ODOO_PASSWORD' }] },
  ],
  [ODOO_DEMO_DATA]: [
    { name: 'passes ODOO_LOAD_DEMO_DATA=no (SR 1.3.1)', yaml: odoo(srOdooEnv), expect: [] },
    { name: 'fails ODOO_LOAD_DEMO_DATA=yes', yaml: odoo({ ...srOdooEnv, ODOO_LOAD_DEMO_DATA: 'yes' }), expect: [{ severity: 'medium', message: `${W} loads demo data (env ODOO_LOAD_DEMO_DATA)`, at: '- name: ODOO_LOAD_DEMO_DATA' }] },
    { name: 'fails without_demo = False in an odoo.conf', yaml: odooConf('list_db = False\nwithout_demo = False'), expect: [{ severity: 'medium', message: 'ConfigMap sr/odoo-conf key "odoo.conf" loads demo data (without_demo = False)', at: 'odoo.conf' }] },
  ],
  [ODOO_DB_SSLMODE]: [
    { name: 'fails the SR 1.3.1 Odoo: the Bitnami odoo.conf leaves Odoo\'s default prefer', yaml: odoo(srOdooEnv), expect: [{ severity: 'high', message: `${W} connects to PostgreSQL with sslmode prefer (db_sslmode not set: Odoo's default prefer)`, at: '- name: sr-odoo' }] },
    { name: 'passes --db_sslmode=verify-full on the command line (ward\'s overlay)', yaml: odoo(srOdooEnv, { args: ARGS_SAFE }), expect: [] },
    { name: 'fails --db_sslmode=allow', yaml: odoo(srOdooEnv, { args: '\n          args: [/opt/bitnami/scripts/odoo/run.sh, --db_sslmode, allow]' }), expect: [{ severity: 'high', message: `${W} connects to PostgreSQL with sslmode allow (argument --db_sslmode)`, at: 'args:' }] },
    { name: 'passes db_sslmode = require in an odoo.conf', yaml: odooConf('list_db = False\ndb_sslmode = require'), expect: [] },
    { name: 'fails db_sslmode = disable in an odoo.conf', yaml: odooConf('list_db = False\ndb_sslmode = disable'), expect: [{ severity: 'high', message: 'ConfigMap sr/odoo-conf key "odoo.conf" connects to PostgreSQL with sslmode disable (db_sslmode = disable)', at: 'odoo.conf' }] },
  ],
  [ODOO_SUPERUSER]: [
    { name: 'passes the chart\'s sruser', yaml: odoo(srOdooEnv), expect: [] },
    { name: 'fails ODOO_DATABASE_USER=postgres', yaml: odoo({ ...srOdooEnv, ODOO_DATABASE_USER: 'postgres' }), expect: [{ severity: 'high', message: `${W} connects to PostgreSQL as the superuser postgres (env ODOO_DATABASE_USER)`, at: '- name: ODOO_DATABASE_USER' }] },
    { name: 'fails db_user = postgres in an odoo.conf', yaml: odooConf('list_db = False\ndb_sslmode = require\ndb_user = postgres'), expect: [{ severity: 'high', message: 'ConfigMap sr/odoo-conf key "odoo.conf" connects to PostgreSQL as the superuser postgres (db_user = postgres)', at: 'odoo.conf' }] },
  ],
  [ODOO_DBFILTER]: [
    { name: 'passes one database with dbfilter .* (SR 1.3.1)', yaml: odoo(srOdooEnv), expect: [] },
    { name: 'fails two databases with dbfilter .*', yaml: odoo({ ...srOdooEnv, ODOO_DATABASE_NAME: 'socialregistrydb,testdb' }), expect: [{ severity: 'medium', message: `${W} serves 2 databases (socialregistrydb, testdb) without a dbfilter that selects one (env ODOO_DATABASE_FILTER)`, at: '- name: ODOO_DATABASE_FILTER' }] },
    { name: 'passes two databases with a dbfilter per host', yaml: odoo({ ...srOdooEnv, ODOO_DATABASE_NAME: 'a,b', ODOO_DATABASE_FILTER: '^%d$' }), expect: [] },
  ],
  [ODOO_PROXY_MODE]: [
    { name: 'passes the SR 1.3.1 Odoo behind its VirtualService: the Bitnami template writes proxy_mode = True', yaml: odoo(srOdooEnv) + ODOO_SVC + odooVs(), expect: [] },
    { name: 'fails ODOO_PROXY_MODE=False on the OpenG2P packaging image behind a VirtualService', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }).replace(ODOO_IMAGE, PACKAGING_IMAGE) + ODOO_SVC + odooVs(),
      expect: [{ severity: 'medium', message: `${NO_PROXY} VirtualService sr/sr-odoo (gateway internal)`, at: '- name: ODOO_PROXY_MODE' }] },
    { name: 'raises it for an Odoo holding personal data', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'no' }, { labels: PERSONAL }).replace(ODOO_IMAGE, PACKAGING_IMAGE) + ODOO_SVC + odooVs(),
      expect: [{ severity: 'high', message: `${NO_PROXY} VirtualService sr/sr-odoo (gateway internal)`, at: '- name: ODOO_PROXY_MODE' }] },
    { name: 'passes ODOO_PROXY_MODE=False on the OpenG2P 1.3.1 image, Bitnami-based and blind to the variable', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }) + ODOO_SVC + odooVs(), expect: [] },
    { name: 'passes ODOO_PROXY_MODE=False on the bitnami/odoo image, which reads no such variable', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }).replace(ODOO_IMAGE, 'docker.io/bitnami/odoo:17.0.20240705-debian-12-r0') + ODOO_SVC + odooVs(), expect: [] },
    { name: 'passes ODOO_PROXY_MODE=False overridden by the --proxy-mode argument', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }, { args: '\n          args: [--proxy-mode]' }).replace(ODOO_IMAGE, PACKAGING_IMAGE) + ODOO_SVC + odooVs(), expect: [] },
    { name: 'passes proxy mode off when the VirtualService is bound to the mesh only', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }).replace(ODOO_IMAGE, PACKAGING_IMAGE) + ODOO_SVC + odooVs('sr-odoo', '[mesh]'), expect: [] },
    { name: 'passes proxy mode off when the gateway routes to another Service', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }).replace(ODOO_IMAGE, PACKAGING_IMAGE) + ODOO_SVC + odooVs('sr-keymanager'), expect: [] },
    { name: 'passes proxy mode off with no route to Odoo at all', yaml: odoo({ ...srOdooEnv, ODOO_PROXY_MODE: 'False' }).replace(ODOO_IMAGE, PACKAGING_IMAGE) + ODOO_SVC, expect: [] },
    { name: 'fails an odoo.conf without proxy_mode mounted by an Odoo behind an Ingress', yaml: odooConf('list_db = False') + odooMounting + ODOO_SVC + odooIngress,
      expect: [{ severity: 'medium', message: `${CONF_NO_PROXY} (proxy_mode not set, Odoo's default False) behind Ingress sr/odoo`, at: 'odoo.conf' }] },
    { name: 'fails proxy_mode = False in an odoo.conf behind an HTTPRoute', yaml: odooConf('proxy_mode = False') + odooMounting + ODOO_SVC + odooHttpRoute,
      expect: [{ severity: 'medium', message: `${CONF_NO_PROXY} (proxy_mode = False) behind HTTPRoute sr/odoo`, at: 'odoo.conf' }] },
    { name: 'fails an odoo.conf without proxy_mode behind a RegistryDeployment component with exposure ingress', yaml: odooConf('list_db = False') + odooMounting + registryDeployment('{type: ingress, hosts: [sr.example.org]}'),
      expect: [{ severity: 'medium', message: `${CONF_NO_PROXY} (proxy_mode not set, Odoo's default False) behind RegistryDeployment sr/sr component "registry" (exposure ingress)`, at: 'odoo.conf' }] },
    { name: 'passes a component that is not published (exposure none)', yaml: odooConf('list_db = False') + odooMounting + registryDeployment('{type: none}'), expect: [] },
    { name: 'passes proxy_mode = True in an odoo.conf behind an Ingress', yaml: odooConf('proxy_mode = True') + odooMounting + ODOO_SVC + odooIngress, expect: [] },
    { name: 'passes an odoo.conf that no routed workload mounts', yaml: odooConf('proxy_mode = False') + ODOO_SVC + odooIngress, expect: [] },
  ],
  [PG_HBA_NO_TLS]: [
    { name: 'fails a Bitnami PostgreSQL without a pg_hba.conf (SR 1.3.1: the image generates host … md5)', yaml: postgres(),
      expect: [{ severity: 'high', message: 'StatefulSet sr/sr-postgresql container "postgresql" mounts no pg_hba.conf: the Bitnami image generates "host all all 0.0.0.0/0 md5" and "host all all ::/0 md5", which accept plaintext connections from anywhere', at: '- name: postgresql' }] },
    { name: 'raises it when the database holds personal data', yaml: postgres(undefined, PERSONAL),
      expect: [{ severity: 'critical', message: 'StatefulSet sr/sr-postgresql container "postgresql" mounts no pg_hba.conf: the Bitnami image generates "host all all 0.0.0.0/0 md5" and "host all all ::/0 md5", which accept plaintext connections from anywhere', at: '- name: postgresql' }] },
    { name: 'ignores a client that reads POSTGRESQL_* variables (not the server image)', yaml: deployment('app', { POSTGRESQL_PASSWORD: 'x', POSTGRESQL_PORT_NUMBER: '5432' }, { image: 'example/app:1' }), expect: [] },
    { name: 'passes the overlay\'s hostssl pg_hba.conf mounted from a ConfigMap (loopback host records are fine)', yaml: postgres('sr-postgresql-configuration') + cm('sr-postgresql-configuration', 'pg_hba.conf', HBA_GOOD), expect: [] },
    { name: 'fails host records for remote addresses in a pg_hba.conf', yaml: postgres('pg') + cm('pg', 'pg_hba.conf', 'host all all 10.0.0.0/8 scram-sha-256\nhostssl all all 0.0.0.0/0 scram-sha-256\nhostnossl all all 192.168.1.0 255.255.255.0 scram-sha-256'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/pg key "pg_hba.conf" lets remote clients connect without TLS: "host all all 10.0.0.0/8 scram-sha-256", "hostnossl all all 192.168.1.0 255.255.255.0 scram-sha-256"', at: 'pg_hba.conf' }] },
  ],
  [PG_HBA_WEAK_AUTH]: [
    { name: 'passes scram-sha-256 everywhere and trust on the local socket', yaml: cm('pg', 'pg_hba.conf', HBA_GOOD), expect: [] },
    { name: 'fails trust, password and md5 for remote clients, names each record', yaml: cm('pg', 'pg_hba.conf', '# comment md5\nhostssl all all 0.0.0.0/0 md5\nhostssl all all 10.1.0.0/16 trust\nhostssl all all 10.2.0.0 255.255.0.0 password\nhost all all 127.0.0.1/32 trust'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/pg key "pg_hba.conf" authenticates remote clients with md5 (MD5-hashed passwords accepted) in "hostssl all all 0.0.0.0/0 md5", trust (no password at all) in "hostssl all all 10.1.0.0/16 trust", password (sent in clear) in "hostssl all all 10.2.0.0 255.255.0.0 password"', at: 'pg_hba.conf' }] },
  ],
  [MINIO_ANONYMOUS]: [
    { name: 'passes private default buckets', yaml: minio({ MINIO_DEFAULT_BUCKETS: 'documents, other:none' }), expect: [] },
    { name: 'fails documents:download and logos:public', yaml: minio({ MINIO_DEFAULT_BUCKETS: 'documents:download;logos:public' }),
      expect: [{ severity: 'critical', message: `${M} env MINIO_DEFAULT_BUCKETS gives anonymous access: documents (download), logos (public)`, at: '- name: MINIO_DEFAULT_BUCKETS' }] },
    { name: 'fails a bucket policy document with Principal "*"', yaml: cm('policy', 'documents.json', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::documents/*"]}]}'),
      expect: [{ severity: 'critical', message: 'ConfigMap sr/policy key "documents.json" is a bucket policy that allows anyone (Principal "*")', at: 'documents.json' }] },
    { name: 'passes a policy document that denies anyone', yaml: cm('policy', 'deny.json', '{"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*"}]}'), expect: [] },
  ],
  [MINIO_NO_TLS]: [
    { name: 'fails MINIO_SCHEME=http (SR 1.3.1)', yaml: minio({ MINIO_SCHEME: 'http' }), expect: [{ severity: 'high', message: `${M} serves the S3 API without TLS (env MINIO_SCHEME=http)`, at: '- name: MINIO_SCHEME' }] },
    { name: 'fails MINIO_SCHEME unset (the Bitnami default http)', yaml: minio({}), expect: [{ severity: 'high', message: `${M} serves the S3 API without TLS (leaves MINIO_SCHEME unset (the Bitnami default http))`, at: '- name: minio' }] },
    { name: 'passes MINIO_SCHEME=https (tls.enabled)', yaml: minio({ MINIO_SCHEME: 'https' }), expect: [] },
    { name: 'ignores a client of MinIO that carries MINIO_* variables', yaml: deployment('uploader', { MINIO_ROOT_USER: 'x', MINIO_SCHEME: 'http' }, { image: 'example/uploader:1' }), expect: [] },
    { name: 'ignores the MinIO client image', yaml: deployment('mc', { MC_HOST_local: 'http://x' }, { image: 'docker.io/bitnami/minio-client:2024' }), expect: [] },
  ],
  [MINIO_NO_SSE]: [
    { name: 'fails MinIO without a KMS (SR 1.3.1)', yaml: minio({ MINIO_SCHEME: 'https' }), expect: [{ severity: 'medium', message: `${M} configures no KMS (MINIO_KMS_SECRET_KEY, MINIO_KMS_KES_ENDPOINT, MINIO_KMS_SERVER unset): objects are stored unencrypted`, at: '- name: minio' }] },
    { name: 'raises it when MinIO holds personal data', yaml: minio({ MINIO_SCHEME: 'https' }, PERSONAL), expect: [{ severity: 'high', message: `${M} configures no KMS (MINIO_KMS_SECRET_KEY, MINIO_KMS_KES_ENDPOINT, MINIO_KMS_SERVER unset): objects are stored unencrypted`, at: '- name: minio' }] },
    { name: 'passes a KES endpoint', yaml: minio({ MINIO_SCHEME: 'https', MINIO_KMS_KES_ENDPOINT: 'https://kes:7373' }), expect: [] },
  ],
  [MINIO_CONSOLE_PUBLIC]: [
    { name: 'fails the SR 1.3.1 MinIO: the chart routes gateway internal to the console port 9001', yaml: minioServed() + minioVs(),
      expect: [{ severity: 'high', message: `${CONSOLE} VirtualService sr/sr-minio (gateway internal)`, at: 'apiVersion: networking.istio.io/v1alpha3' }] },
    { name: 'raises it when MinIO holds personal data', yaml: minioServed(undefined, PERSONAL) + minioVs(),
      expect: [{ severity: 'critical', message: `${CONSOLE} VirtualService sr/sr-minio (gateway internal)`, at: 'apiVersion: networking.istio.io/v1alpha3' }] },
    { name: 'fails a route without a port, which reaches every port of the Service', yaml: minioServed() + minioVs(''),
      expect: [{ severity: 'high', message: `${CONSOLE} VirtualService sr/sr-minio (gateway internal)`, at: 'apiVersion: networking.istio.io/v1alpha3' }] },
    { name: 'passes the S3 API (9000) published and the console not', yaml: minioServed() + minioVs('\n          port: {number: 9000}'), expect: [] },
    { name: 'passes the console turned off with MINIO_BROWSER=off', yaml: minioServed({ MINIO_CONSOLE_PORT_NUMBER: '9001', MINIO_BROWSER: 'off' }) + minioVs(), expect: [] },
    { name: 'passes a VirtualService bound to the mesh only', yaml: minioServed() + minioVs(undefined, 'mesh'), expect: [] },
    { name: 'passes a gateway that demands client certificates (tls MUTUAL)', yaml: `${minioServed()}${minioVs(undefined, 'admin')}---\napiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: admin, namespace: sr}\nspec:\n  selector: {istio: admin-gateway}\n  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: ['*'], tls: {mode: MUTUAL, credentialName: admin}}]\n`, expect: [] },
    { name: 'fails the upstream image with --console-address :9090 behind an Ingress', yaml: deployment('minio', {}, { image: 'quay.io/minio/minio:RELEASE.2024-06-13T22-53-53Z', extra: '\n          args: [server, /data, --console-address, ":9090"]\n          ports: [{name: console, containerPort: 9090}]' })
      + '---\napiVersion: v1\nkind: Service\nmetadata: {name: minio, namespace: sr}\nspec:\n  selector: {app: minio}\n  ports: [{name: console, port: 80, targetPort: 9090}]\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: console, namespace: sr}\nspec:\n  defaultBackend: {service: {name: minio, port: {number: 80}}}\n',
      expect: [{ severity: 'high', message: `${M} serves the MinIO console on port 9090 (argument --console-address :9090), published through Ingress sr/console`, at: 'apiVersion: networking.k8s.io/v1' }] },
    { name: 'fails a RegistryDeployment component that publishes the console (exposure ingress, port 9001)', yaml: `${minioServed()}---\napiVersion: ward.g2p.dev/v1alpha1\nkind: RegistryDeployment\nmetadata: {name: sr, namespace: sr}\nspec:\n  namespace: sr\n  components:\n    - {name: minio, selector: {app: minio}, serviceAccount: sr-minio, ports: [{name: http-api, port: 9000}, {name: http-console, port: 9001}], exposure: {type: ingress, hosts: [minio.example.org], port: 9001}}\n`,
      expect: [{ severity: 'high', message: `${CONSOLE} RegistryDeployment sr/sr component "minio" (exposure ingress)`, at: 'apiVersion: ward.g2p.dev/v1alpha1' }] },
  ],
  [REST_UNENCRYPTED_VOLUME]: [
    { name: 'reports "cannot tell" (low) for the default StorageClass outside the input (SR 1.3.1 names none)', yaml: store(undefined),
      expect: [{ severity: 'low', message: `${V} the cluster's default StorageClass (not in the input): cannot tell whether it encrypts at rest`, at: '- metadata: {name: data}' }] },
    { name: 'fails NFS (high), read through the input\'s default class', yaml: store(undefined, storageClass('nfs-client', 'cluster.local/nfs-subdir-external-provisioner', '', true)),
      expect: [{ severity: 'high', message: `${V} StorageClass nfs-client (cluster.local/nfs-subdir-external-provisioner), NFS, which does not encrypt at rest`, at: '- metadata: {name: data}' }] },
    { name: 'fails AWS EBS without encrypted: "true"', yaml: store('gp3', storageClass('gp3', 'ebs.csi.aws.com', 'type: gp3')),
      expect: [{ severity: 'high', message: `${V} StorageClass gp3 (ebs.csi.aws.com), which does not set the AWS EBS encryption parameter encrypted: "true"`, at: '- metadata: {name: data}' }] },
    { name: 'passes AWS EBS with encrypted: "true"', yaml: store('gp3', storageClass('gp3', 'ebs.csi.aws.com', 'encrypted: "true"')), expect: [] },
    { name: 'passes Longhorn with encrypted: "true"', yaml: store('lh', storageClass('lh', 'driver.longhorn.io', 'encrypted: "true"')), expect: [] },
    { name: 'reports GCE PD without a CMEK as provider-managed keys only (low)', yaml: store('pd', storageClass('pd', 'pd.csi.storage.gke.io')),
      expect: [{ severity: 'low', message: `${V} StorageClass pd (pd.csi.storage.gke.io), which encrypts with GCE Persistent Disk provider-managed keys only (no disk-encryption-kms-key parameter)`, at: '- metadata: {name: data}' }] },
    { name: 'reports an unknown provisioner as cannot tell (low)', yaml: store('x', storageClass('x', 'example.com/block')),
      expect: [{ severity: 'low', message: `${V} StorageClass x (example.com/block): cannot tell whether the provisioner encrypts at rest`, at: '- metadata: {name: data}' }] },
    { name: 'ignores workloads that hold no personal data', yaml: store('x').replace(', ward.g2p.dev/personal-data: "true"', ''), expect: [] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('readers', () => {
  it('reads pg_hba records, address/mask pairs and comments', () => {
    expect(hbaLines('# x\nlocal all all trust\nhost db u 10.0.0.0 255.0.0.0 md5 # c\nhostssl all all 0.0.0.0/0 cert')).toEqual([
      { type: 'local', address: '', method: 'trust', text: 'local all all trust' },
      { type: 'host', address: '10.0.0.0', method: 'md5', text: 'host db u 10.0.0.0 255.0.0.0 md5' },
      { type: 'hostssl', address: '0.0.0.0/0', method: 'cert', text: 'hostssl all all 0.0.0.0/0 cert' },
    ]);
  });
  it('reads MINIO_DEFAULT_BUCKETS policies and bucket policy documents', () => {
    expect(anonymousBuckets('a b:upload,c:NONE;d:download')).toEqual([{ bucket: 'b', policy: 'upload' }, { bucket: 'd', policy: 'download' }]);
    expect(allowsAnyone('{"Statement":{"Effect":"Allow","Principal":"*"}}')).toBe(true);
    expect(allowsAnyone('{"Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]}}]}')).toBe(false);
    expect(allowsAnyone('not json "Principal"')).toBe(false);
  });
  it('tells the images that read ODOO_PROXY_MODE (OpenG2P packaging 1.5+, library/odoo builds) from those that do not (Bitnami, OpenG2P before 1.5)', () => {
    expect(['docker.io/bitnami/odoo:17.0.20240705-debian-12-r0', ODOO_IMAGE, 'openg2p/openg2p-registry-odoo-package:1.4.2'].map(readsProxyModeEnv)).toEqual([false, false, false]);
    expect([PACKAGING_IMAGE, 'openg2p/openg2p-social-registry-odoo-package:2.0.0-develop', 'openg2p/openg2p-social-registry-odoo-package:develop', 'registry.example.org/ops/odoo:17'].map(readsProxyModeEnv)).toEqual([true, true, true, true]);
  });
  it('never puts the value of ODOO_PASSWORD in a message, literal or not', () => {
    const msgs = runRule(ODOO_MASTER_PASSWORD, odoo({ ...srOdooEnv, ODOO_LIST_DB: 'yes' }).replace(/valueFrom: \{secretKeyRef: \{name: sr-odoo, key: odoo-password\}\}/, 'value: "Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6"')).map((f) => f.message).join('\n');
    expect(msgs).toContain('ODOO_PASSWORD');
    expect(msgs).not.toContain('Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6');
  });
});

describe('WARD-MINIO-004 and the WireGuard admin gateway', () => {
  const parsed = parseRegistrySpec(wgSpec());
  if (!parsed.ok) throw new Error('wgSpec does not parse');
  const wardOutput = synthesize(parsed.spec).map((o) => `---\n${stringify(o)}`).join('');
  const rd = `---\n${stringify({ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev' }, spec: wgSpec() })}`;
  const served = minioServed().replaceAll('namespace: sr', 'namespace: dev').replace('name: sr-minio', 'name: openg2p-minio');
  const findings = (text: string): string[] => runRule(MINIO_CONSOLE_PUBLIC, text).map((f) => `${f.severity} ${f.message}`);

  it('passes the console on ward\'s WireGuard route (Gateway ward-admin on the declared admin gateway\'s selector)', () => {
    expect(wardOutput).toContain('name: admin-minio-console-internal');
    expect(findings(wardOutput + rd + served)).toEqual([]);
  });

  it('fails the same route once its Gateway selects other pods than the declared admin gateway', () => {
    const moved = wardOutput.replaceAll('istio: internal-ingressgateway', 'istio: ingressgateway');
    expect(moved).not.toBe(wardOutput);
    expect(findings(moved + rd + served)).toEqual(['high Deployment dev/minio container "minio" serves the MinIO console on port 9001 (env MINIO_CONSOLE_PORT_NUMBER), published through VirtualService dev/admin-minio-console-internal (gateway ward-admin)']);
  });
});
