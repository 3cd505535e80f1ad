import type { RegistrySpecInput } from '../schema.js';

/** Building blocks shared by the OpenG2P presets (facts: shared/reference/openg2p-stack.md). */
export type ComponentInput = NonNullable<RegistrySpecInput['components']>[number];
export type FlowInput = NonNullable<RegistrySpecInput['flows']>[number];
export type SecretInput = NonNullable<RegistrySpecInput['secrets']>[number];

/** Selector of a Helm-installed workload: the chart's name label plus the release instance label. */
export function helmSelector(name: string, release: string): Record<string, string> {
  return { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': release };
}

/** A TCP flow between two components. */
export function flow(from: string, to: string, ports: readonly number[], description: string): FlowInput {
  return { from, to: { component: to }, ports: ports.map((port) => ({ port, protocol: 'TCP' as const })), description };
}

/** Default host a preset publishes an exposed component under; real deployments override `exposure.hosts`. */
export function presetHost(service: string, namespace: string): string {
  return `${service}.${namespace}.example.org`;
}

/** A Secret requirement with the default strength rules (16 bytes, 64 bits). */
export function secret(name: string, keys: readonly string[], usedBy: readonly string[]): SecretInput {
  return { name, keys: keys.map((key) => ({ key })), usedBy: [...usedBy] };
}

/** The reporting pipeline: Debezium reads the PostgreSQL WAL into Kafka; a connector feeds OpenSearch. */
export function reportingComponents(release: string): ComponentInput[] {
  return [
    { name: 'debezium', selector: helmSelector('debezium', release), serviceAccount: `${release}-debezium`, ports: [{ name: 'http', port: 8083 }], personalData: true },
    { name: 'kafka', selector: helmSelector('kafka', release), serviceAccount: `${release}-kafka`, ports: [{ name: 'tcp-client', port: 9092 }], personalData: true },
    { name: 'opensearch-connector', selector: helmSelector('opensearch-kafka-connector', release), serviceAccount: `${release}-opensearch-kafka-connector`, ports: [{ name: 'http', port: 8083 }], personalData: true },
    { name: 'opensearch', selector: helmSelector('opensearch', release), serviceAccount: `${release}-opensearch`, ports: [{ name: 'http', port: 9200 }], personalData: true },
    { name: 'opensearch-dashboards', selector: helmSelector('opensearch-dashboards', release), serviceAccount: `${release}-opensearch-dashboards`, ports: [{ name: 'http', port: 5601 }], personalData: true },
  ];
}

export function reportingFlows(): FlowInput[] {
  return [
    flow('debezium', 'postgresql', [5432], 'Debezium reads the PostgreSQL write-ahead log (wal_level=logical)'),
    flow('debezium', 'kafka', [9092], 'Debezium publishes change events to Kafka'),
    flow('opensearch-connector', 'kafka', [9092], 'the OpenSearch connector consumes change events'),
    flow('opensearch-connector', 'opensearch', [9200], 'the OpenSearch connector indexes change events'),
    flow('opensearch-dashboards', 'opensearch', [9200], 'dashboards query OpenSearch'),
  ];
}

/** The MOSIP key manager with its SoftHSM and artifactory; its own database lives in the stack's PostgreSQL. */
export function keyManagerComponents(release: string): ComponentInput[] {
  return [
    { name: 'keymanager', selector: helmSelector('keymanager', release), serviceAccount: `${release}-keymanager`, ports: [{ name: 'http', port: 8088 }], personalData: true },
    { name: 'softhsm', selector: helmSelector('softhsm', release), serviceAccount: `${release}-softhsm`, ports: [{ name: 'tcp-pkcs11', port: 5666 }] },
    { name: 'artifactory', selector: helmSelector('artifactory', release), serviceAccount: `${release}-artifactory`, ports: [{ name: 'http', port: 8080 }] },
  ];
}

export function keyManagerFlows(): FlowInput[] {
  return [
    flow('registry', 'keymanager', [8088], 'the registry encrypts personal data and signs through the key manager'),
    flow('keymanager', 'postgresql', [5432], 'the key manager keeps its keys in database mosip_keymgr'),
    flow('keymanager', 'softhsm', [5666], 'the key manager holds its master keys in SoftHSM (PKCS#11)'),
    flow('keymanager', 'artifactory', [8080], 'the key manager fetches its SoftHSM client from artifactory'),
  ];
}

/**
 * The core both layouts share, in this order: the registry (Odoo, published as `<registryHost>.<namespace>`),
 * its PostgreSQL, the key manager with SoftHSM and artifactory, and MinIO (console not published: a WireGuard route).
 */
export function registryCoreComponents(release: string, namespace: string, registryHost: string): ComponentInput[] {
  return [
    {
      name: 'registry',
      selector: helmSelector('odoo', release),
      serviceAccount: `${release}-odoo`,
      ports: [{ name: 'http', port: 8069 }],
      personalData: true,
      exposure: { type: 'ingress', hosts: [presetHost(registryHost, namespace)], port: 8069 },
    },
    { name: 'postgresql', selector: helmSelector('postgresql', release), serviceAccount: `${release}-postgresql`, ports: [{ name: 'tcp-postgresql', port: 5432 }], personalData: true },
    ...keyManagerComponents(release),
    {
      name: 'minio',
      selector: helmSelector('minio', release),
      serviceAccount: `${release}-minio`,
      ports: [{ name: 'http-api', port: 9000 }, { name: 'http-console', port: 9001 }],
      personalData: true,
      // Not published: the console is an administration tool (WARD-MINIO-004), for a WireGuard route (component minio, port 9001).
    },
  ];
}
