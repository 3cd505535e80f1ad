import { describe, expect, it } from 'vitest';
import { TLS_KAFKA_PLAINTEXT, TLS_POSTGRES_NO_TLS, TLS_VERIFY_OFF } from '../../../policies/rules/tls.js';
import { deployment, runRule, summarise, type Case } from './helpers.js';

/** Shaped like the SR 1.3.1 render: charts/reporting/charts/kafka/templates/controller-eligible/configmap.yaml and statefulset, svc. */
const kafkaBroker = (protocols = 'CLIENT:PLAINTEXT,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT', labels = ''): string => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: sr-reporting-kafka-controller-configuration, namespace: sr}
data:
  server.properties: |-
    # Listeners configuration
    listeners=CLIENT://:9092,INTERNAL://:9094,CONTROLLER://:9093
    listener.security.protocol.map=${protocols}
    inter.broker.listener.name=INTERNAL
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: sr-reporting-kafka-controller, namespace: sr}
spec:
  template:
    metadata:
      labels: {app.kubernetes.io/name: reporting-kafka${labels}}
    spec:
      containers:
        - name: kafka
          image: docker.io/bitnami/kafka:3.7.1
          ports:
            - {name: client, containerPort: 9092}
            - {name: interbroker, containerPort: 9094}
          volumeMounts: [{name: kafka-configmaps, mountPath: /configmaps}]
      volumes:
        - name: kafka-configmaps
          configMap: {name: sr-reporting-kafka-controller-configuration}
---
apiVersion: v1
kind: Service
metadata: {name: sr-reporting-kafka, namespace: sr}
spec:
  selector: {app.kubernetes.io/name: reporting-kafka}
  ports: [{name: tcp-client, port: 9092, protocol: TCP, targetPort: client}]
`;
const deploy = (name: string, env: Record<string, string>, extra = '', labels = ''): string => deployment(name, env, { extra, labels });
const cm = (name: string, data: string): string => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: sr}\ndata:\n${data}\n`;
const connectProperties = (extra = ''): string => cm('sr-reporting-os-kafka-connector-properties', `  connect-distributed.properties: |-\n    bootstrap.servers=sr-reporting-kafka:9092\n    group.id=2\n    listeners=HTTP://:8083${extra}`);
const PERSONAL = ', ward.g2p.dev/personal-data: "true"';
const PASSWORD = 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6';

const table: Record<string, Case[]> = {
  [TLS_KAFKA_PLAINTEXT]: [
    { name: 'fails the SR 1.3.1 broker configuration, every listener PLAINTEXT', yaml: kafkaBroker(),
      expect: [{ severity: 'high', message: 'ConfigMap sr/sr-reporting-kafka-controller-configuration key "server.properties" configures Kafka listeners without TLS: CLIENT (PLAINTEXT), INTERNAL (PLAINTEXT), CONTROLLER (PLAINTEXT)', at: 'server.properties' }] },
    { name: 'passes listeners that all use SASL_SSL or SSL', yaml: kafkaBroker('CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL'), expect: [] },
    { name: 'fails only the listener left on SASL_PLAINTEXT (SASL PLAIN passwords in clear)', yaml: kafkaBroker('CLIENT:SASL_SSL,INTERNAL:SASL_PLAINTEXT,CONTROLLER:SSL'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/sr-reporting-kafka-controller-configuration key "server.properties" configures Kafka listeners without TLS: INTERNAL (SASL_PLAINTEXT)', at: 'server.properties' }] },
    { name: 'raises a broker whose pods hold personal data (Debezium streams the registry database through it)', yaml: kafkaBroker(undefined, PERSONAL),
      expect: [{ severity: 'critical', message: 'ConfigMap sr/sr-reporting-kafka-controller-configuration key "server.properties" configures Kafka listeners without TLS: CLIENT (PLAINTEXT), INTERNAL (PLAINTEXT), CONTROLLER (PLAINTEXT)', at: 'server.properties' }] },
    { name: 'fails Bitnami env KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP and a listener named after its protocol', yaml: deploy('kafka', { KAFKA_CFG_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093', KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:SSL,PLAINTEXT:PLAINTEXT' }),
      expect: [{ severity: 'high', message: 'Deployment sr/kafka container "kafka" env KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP configures Kafka listeners without TLS: PLAINTEXT (PLAINTEXT)', at: '- name: KAFKA_CFG_LISTENER_SECURITY_PROTOCOL_MAP' }] },
    { name: 'fails listeners=PLAINTEXT:// without a protocol map', yaml: cm('broker', '  server.properties: |\n    listeners=PLAINTEXT://:9092\n    log.dir=/data'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/broker key "server.properties" configures Kafka listeners without TLS: PLAINTEXT (PLAINTEXT)', at: 'server.properties' }] },
    { name: 'passes Kafka Connect\'s REST listener (listeners=HTTP://:8083 is no Kafka listener)', yaml: cm('connect', '  connect-distributed.properties: |\n    listeners=HTTP://:8083\n    group.id=2'), expect: [] },
    { name: 'fails a client bootstrapping from the PLAINTEXT listener the input states (SR 1.3.1 OpenSearch Kafka connector)', yaml: kafkaBroker() + connectProperties(),
      expect: [
        { severity: 'high', message: 'ConfigMap sr/sr-reporting-kafka-controller-configuration key "server.properties" configures Kafka listeners without TLS: CLIENT (PLAINTEXT), INTERNAL (PLAINTEXT), CONTROLLER (PLAINTEXT)', at: 'server.properties' },
        { severity: 'high', message: 'ConfigMap sr/sr-reporting-os-kafka-connector-properties key "connect-distributed.properties" bootstraps from sr-reporting-kafka:9092, listener CLIENT of StatefulSet sr/sr-reporting-kafka-controller, which is PLAINTEXT', at: 'connect-distributed.properties' },
      ] },
    { name: 'fails a client env BOOTSTRAP_SERVERS on that listener (SR 1.3.1 Debezium), raised for personal data', yaml: kafkaBroker() + deploy('debezium', { BOOTSTRAP_SERVERS: 'sr-reporting-kafka.sr.svc.cluster.local:9092' }, '', PERSONAL),
      expect: [
        { severity: 'critical', message: 'Deployment sr/debezium container "debezium" env BOOTSTRAP_SERVERS bootstraps from sr-reporting-kafka.sr.svc.cluster.local:9092, listener CLIENT of StatefulSet sr/sr-reporting-kafka-controller, which is PLAINTEXT', at: '- name: BOOTSTRAP_SERVERS' },
        { severity: 'high', message: 'ConfigMap sr/sr-reporting-kafka-controller-configuration key "server.properties" configures Kafka listeners without TLS: CLIENT (PLAINTEXT), INTERNAL (PLAINTEXT), CONTROLLER (PLAINTEXT)', at: 'server.properties' },
      ] },
    { name: 'passes a client that sets security.protocol=SASL_SSL', yaml: kafkaBroker('CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL') + connectProperties('\n    security.protocol=SASL_SSL'), expect: [] },
    { name: 'passes a bootstrap the input does not resolve to a broker (nothing states the protocol)', yaml: connectProperties(), expect: [] },
    { name: 'fails a client that sets security.protocol=PLAINTEXT itself (kafka-ui YAML properties)', yaml: cm('sr-kafka-ui', "  config.yml: |-\n    kafka:\n      clusters:\n      - name: main\n        bootstrapServers: 'kafka.example.org:9092'\n        properties:\n          security.protocol: PLAINTEXT"),
      expect: [{ severity: 'high', message: 'ConfigMap sr/sr-kafka-ui key "config.yml" sets security.protocol to PLAINTEXT', at: 'config.yml' }] },
  ],
  [TLS_POSTGRES_NO_TLS]: [
    { name: 'fails ?sslmode=disable in a database URL', yaml: deploy('reporting', { DATABASE_URL: 'postgresql://sr-postgresql:5432/socialregistrydb?sslmode=disable' }),
      expect: [{ severity: 'high', message: 'Deployment sr/reporting container "reporting" env DATABASE_URL connects to PostgreSQL with sslmode=disable', at: '- name: DATABASE_URL' }] },
    { name: 'fails a URL with credentials without repeating them', yaml: deploy('odoo', { DATABASE_URL: `postgresql://odoo:${PASSWORD}@sr-postgresql:5432/x?sslmode=disable` }),
      expect: [{ severity: 'high', message: 'Deployment sr/odoo container "odoo" env DATABASE_URL connects to PostgreSQL with sslmode=disable', at: '- name: DATABASE_URL' }] },
    { name: 'fails PGSSLMODE=disable, raised for personal data', yaml: deploy('odoo', { PGSSLMODE: 'disable' }, '', PERSONAL),
      expect: [{ severity: 'critical', message: 'Deployment sr/odoo container "odoo" env PGSSLMODE connects to PostgreSQL with sslmode=disable', at: '- name: PGSSLMODE' }] },
    { name: 'fails JDBC ssl=false', yaml: deploy('keymanager', { SPRING_DATASOURCE_URL: 'jdbc:postgresql://sr-keymanager-postgresql:5432/mosip_keymgr?ssl=false' }),
      expect: [{ severity: 'high', message: 'Deployment sr/keymanager container "keymanager" env SPRING_DATASOURCE_URL connects to PostgreSQL with ssl=false', at: '- name: SPRING_DATASOURCE_URL' }] },
    { name: 'fails db_sslmode = disable in an odoo.conf ConfigMap key', yaml: cm('odoo-conf', '  odoo.conf: |\n    [options]\n    db_host = sr-postgresql\n    db_sslmode = disable'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/odoo-conf key "odoo.conf" connects to PostgreSQL with sslmode=disable', at: 'odoo.conf' }] },
    { name: 'fails psql with sslmode=disable in container args', yaml: deploy('postgres-init', {}, '\n          args: ["psql \\"host=sr-postgresql dbname=postgres sslmode=disable\\" -c \\"select 1\\""]'),
      expect: [{ severity: 'high', message: 'Deployment sr/postgres-init container "postgres-init" args connects to PostgreSQL with sslmode=disable', at: 'args:' }] },
    { name: 'passes sslmode=disable to 127.0.0.1 inside the pod (Bitnami postgres-exporter DATA_SOURCE_URI)', yaml: deploy('postgresql', { DATA_SOURCE_URI: '127.0.0.1:5432/postgres?sslmode=disable' }), expect: [] },
    { name: 'passes sslmode=verify-full and require', yaml: deploy('odoo', { DATABASE_URL: 'postgresql://db/x?sslmode=verify-full', PGSSLMODE: 'require' }), expect: [] },
    { name: 'fails a Bitnami PostgreSQL server with TLS off (SR 1.3.1 POSTGRESQL_ENABLE_TLS: "no")', yaml: deploy('sr-postgresql', { POSTGRESQL_PORT_NUMBER: '5432', POSTGRESQL_ENABLE_TLS: 'no' }),
      expect: [{ severity: 'high', message: 'Deployment sr/sr-postgresql container "sr-postgresql" env POSTGRESQL_ENABLE_TLS serves PostgreSQL without TLS (POSTGRESQL_ENABLE_TLS=no)', at: '- name: POSTGRESQL_ENABLE_TLS' }] },
    { name: 'passes POSTGRESQL_ENABLE_TLS=yes', yaml: deploy('sr-postgresql', { POSTGRESQL_ENABLE_TLS: 'yes' }), expect: [] },
  ],
  [TLS_VERIFY_OFF]: [
    { name: 'fails NODE_TLS_REJECT_UNAUTHORIZED=0 and PYTHONHTTPSVERIFY=0', yaml: deploy('odk', { NODE_TLS_REJECT_UNAUTHORIZED: '0', PYTHONHTTPSVERIFY: '0', LOG_LEVEL: '0' }),
      expect: [
        { severity: 'high', message: 'Deployment sr/odk container "odk" env NODE_TLS_REJECT_UNAUTHORIZED switches certificate verification off (NODE_TLS_REJECT_UNAUTHORIZED=0)', at: '- name: NODE_TLS_REJECT_UNAUTHORIZED' },
        { severity: 'high', message: 'Deployment sr/odk container "odk" env PYTHONHTTPSVERIFY switches certificate verification off (PYTHONHTTPSVERIFY=0)', at: '- name: PYTHONHTTPSVERIFY' },
      ] },
    { name: 'passes OPENSEARCH_TLS_VERIFICATION_MODE=full (SR 1.3.1 OpenSearch) and fails none', yaml: deploy('os', { OPENSEARCH_TLS_VERIFICATION_MODE: 'full' }) + deploy('os2', { OPENSEARCH_TLS_VERIFICATION_MODE: 'none' }),
      expect: [{ severity: 'high', message: 'Deployment sr/os2 container "os2" env OPENSEARCH_TLS_VERIFICATION_MODE switches certificate verification off (OPENSEARCH_TLS_VERIFICATION_MODE=none)', at: '- name: OPENSEARCH_TLS_VERIFICATION_MODE', nth: 1 }] },
    { name: 'fails ssl.verificationMode: none in opensearch_dashboards.yml (SR 1.3.1 reporting and logging dashboards)', yaml: cm('sr-reporting-opensearch-dashboards-custom-config', '  opensearch_dashboards.yml: |-\n    opensearch:\n      requestHeadersAllowlist:\n        - authorization\n      ssl:\n        verificationMode: none\n    opensearch_security:\n      multiple_auth_enabled: true'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/sr-reporting-opensearch-dashboards-custom-config key "opensearch_dashboards.yml" switches certificate verification off (verificationMode: none)', at: 'opensearch_dashboards.yml' }] },
    { name: 'fails curl -k in a startup script ConfigMap (SR 1.3.1 reporting-init), once per key', yaml: cm('sr-reporting-init-startup', '  startup-command.sh: |-\n    #!/usr/bin/env bash\n    curl -k -I -s -o /dev/null -m 10 "${OPENSEARCH_URL}"\n    curl -k -I -s "${DEBEZIUM_URL}"\n    curl -s $DEBEZIUM_URL/connectors | jq'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/sr-reporting-init-startup key "startup-command.sh" switches certificate verification off (curl -k)', at: 'startup-command.sh' }] },
    { name: 'fails curl --insecure in container args and combined short flags (-sk)', yaml: deploy('init', {}, '\n          command: ["sh", "-c"]\n          args: ["curl -sk https://sr-keycloak/realms/openg2p && echo ok"]'),
      expect: [{ severity: 'high', message: 'Deployment sr/init container "init" args switches certificate verification off (curl -k)', at: 'args:' }] },
    { name: 'passes curl -k in a comment line and fails wget --no-check-certificate', yaml: cm('scripts', '  a.sh: |\n    # curl -k https://old-host/ (no longer used)\n    curl -s https://sr-keycloak/\n  b.sh: |\n    wget -q --no-check-certificate https://sr-minio:9000/x'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/scripts key "b.sh" switches certificate verification off (wget --no-check-certificate)', at: 'b.sh' }] },
    { name: 'passes curl -s, -I and an output file named k', yaml: deploy('init', {}, '\n          args: ["curl -s -I -o k https://sr-keycloak/ && kubectl get pods"]'), expect: [] },
    { name: 'fails ssl_verify: false in a logging-operator Output (SR 1.3.1 logging OpenSearch output)', yaml: '---\napiVersion: logging.banzaicloud.io/v1beta1\nkind: Output\nmetadata: {name: sr-logging-opensearch, namespace: sr}\nspec:\n  opensearch:\n    scheme: https\n    host: sr-logging-opensearch.sr\n    ssl_verify: false\n',
      expect: [{ severity: 'high', message: 'Output sr/sr-logging-opensearch switches certificate verification off (spec.opensearch.ssl_verify: false)', at: 'ssl_verify' }] },
    { name: 'fails a ServiceMonitor scraping with tlsConfig.insecureSkipVerify: true', yaml: '---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: sr-keymanager, namespace: sr}\nspec:\n  endpoints:\n    - port: http\n      scheme: https\n      tlsConfig: {insecureSkipVerify: true}\n',
      expect: [{ severity: 'high', message: 'ServiceMonitor sr/sr-keymanager switches certificate verification off (spec.endpoints.0.tlsConfig.insecureSkipVerify: true)', at: 'tlsConfig' }] },
    { name: 'fails insecure_skip_verify: true and verify_ssl = false in settings files', yaml: cm('agents', '  vector.toml: |\n    [sinks.os.tls]\n    verify_certificate = false\n  telegraf.conf: |\n    insecure_skip_verify = true\n  app.ini: |\n    verify_ssl = False'),
      expect: [
        { severity: 'high', message: 'ConfigMap sr/agents key "vector.toml" switches certificate verification off (verify_certificate = false)', at: 'vector.toml' },
        { severity: 'high', message: 'ConfigMap sr/agents key "telegraf.conf" switches certificate verification off (insecure_skip_verify = true)', at: 'telegraf.conf' },
        { severity: 'high', message: 'ConfigMap sr/agents key "app.ini" switches certificate verification off (verify_ssl = False)', at: 'app.ini' },
      ] },
    { name: 'passes verification switched on and a DestinationRule (WARD-MTLS-003 owns it)', yaml: cm('ok', '  a.yml: |\n    ssl:\n      verificationMode: full\n    ssl_verify: true') + '---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ext, namespace: sr}\nspec:\n  host: example.org\n  trafficPolicy:\n    tls: {mode: SIMPLE, insecureSkipVerify: true}\n', expect: [] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('kinds whose TLS settings TLS-003 reads are not reported as unchecked', () => {
  it('counts an Output and a ServiceMonitor as known kinds', async () => {
    const { runCheck } = await import('../../../policies/engine.js');
    const { parseText } = await import('../../../policies/load/parse.js');
    const yaml = '---\napiVersion: logging.banzaicloud.io/v1beta1\nkind: Output\nmetadata: {name: o, namespace: sr}\nspec: {}\n---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: m, namespace: sr}\nspec: {}\n';
    expect(runCheck({ documents: parseText(yaml, 'k.yaml').documents, now: new Date('2026-06-01T00:00:00Z') }).unknownKinds).toEqual({});
  });
});

describe('connection strings never reach findings', () => {
  it.each(Object.keys(table))('%s findings carry no password or user from a URL', (id) => {
    for (const c of table[id] ?? []) for (const f of runRule(id, c.yaml)) expect(JSON.stringify(f)).not.toMatch(new RegExp(`${PASSWORD}|odoo:`));
  });
});

describe('the TLS family reports, it never suppresses', () => {
  it('says in every rationale that STRICT mTLS encrypts the wire but the application still speaks plaintext', async () => {
    const { rules } = await import('../../../policies/rules/index.js');
    for (const id of [TLS_KAFKA_PLAINTEXT, TLS_POSTGRES_NO_TLS, TLS_VERIFY_OFF]) expect(rules.get(id)?.rationale, id).toMatch(/STRICT mTLS/);
  });
  it('a STRICT PeerAuthentication does not remove the finding', () => {
    const strict = '---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: sr}\nspec: {mtls: {mode: STRICT}}\n';
    expect(runRule(TLS_KAFKA_PLAINTEXT, kafkaBroker() + strict)).toHaveLength(1);
  });
});
