import type { RegistrySpecInput } from '../schema.js';
import { flow, helmSelector, keyManagerFlows, presetHost, registryCoreComponents, reportingComponents, reportingFlows, secret, type ComponentInput } from './common.js';

/**
 * The newer openg2p-commons-base / openg2p-commons-services layout: everything in the release
 * namespace, including Keycloak (`<rel>-keycloak`), eSignet, Superset and ODK Central.
 */
function identity(release: string, namespace: string): ComponentInput[] {
  return [
    {
      name: 'keycloak',
      selector: helmSelector('keycloak', release),
      serviceAccount: `${release}-keycloak`,
      ports: [{ name: 'http', port: 8080 }],
      exposure: { type: 'ingress', hosts: [presetHost('keycloak', namespace)], port: 8080 },
    },
    {
      name: 'esignet',
      selector: helmSelector('esignet', release),
      serviceAccount: `${release}-esignet`,
      ports: [{ name: 'http', port: 8088 }],
      personalData: true,
      exposure: { type: 'ingress', hosts: [presetHost('esignet', namespace)], port: 8088 },
    },
  ];
}

function components(release: string, namespace: string): ComponentInput[] {
  return [
    ...registryCoreComponents(release, namespace, 'registry'),
    ...identity(release, namespace),
    ...reportingComponents(release),
    {
      name: 'superset',
      selector: helmSelector('superset', release),
      serviceAccount: `${release}-superset`,
      ports: [{ name: 'http', port: 8088 }],
      personalData: true,
      exposure: { type: 'ingress', hosts: [presetHost('superset', namespace)], port: 8088 },
    },
    {
      name: 'odk-central',
      selector: helmSelector('odk-central', release),
      serviceAccount: `${release}-odk-central`,
      ports: [{ name: 'http', port: 8080 }],
      personalData: true,
      exposure: { type: 'ingress', hosts: [presetHost('odk', namespace)], port: 8080 },
    },
  ];
}

export function openg2pCommons(release: string, namespace: string): RegistrySpecInput {
  return {
    release,
    namespace,
    components: components(release, namespace),
    flows: [
      flow('registry', 'postgresql', [5432], 'Odoo keeps the registry in PostgreSQL'),
      flow('registry', 'keycloak', [8080], 'the registry fetches tokens from the Keycloak token endpoint'),
      flow('registry', 'minio', [9000], 'the registry stores attachments in bucket documents'),
      ...keyManagerFlows(),
      flow('keycloak', 'postgresql', [5432], 'Keycloak keeps its realms in PostgreSQL'),
      flow('esignet', 'postgresql', [5432], 'eSignet keeps its clients and keys in PostgreSQL'),
      ...reportingFlows(),
      flow('minio', 'keycloak', [8080], 'MinIO console users log in through Keycloak'),
      flow('opensearch', 'keycloak', [8080], 'OpenSearch users log in through Keycloak'),
      flow('superset', 'keycloak', [8080], 'Superset users log in through Keycloak'),
      flow('superset', 'opensearch', [9200], 'Superset reports query OpenSearch'),
      flow('odk-central', 'keycloak', [8080], 'ODK Central users log in through Keycloak'),
    ],
    secrets: [
      secret(`${release}-postgresql`, ['password', 'postgres-password'], ['postgresql', 'registry']),
      secret(`${release}-odoo`, ['odoo-password'], ['registry']),
      secret(`${release}-minio`, ['root-password'], ['minio', 'registry']),
      secret('openg2p-admin-client', ['client_secret'], ['registry']),
    ],
    keyManager: {
      component: 'keymanager',
      apiBaseUrl: `http://${release}-keymanager.${namespace}/v1/keymanager`,
      tokenUrl: `http://${release}-keycloak.${namespace}/realms/openg2p/protocol/openid-connect/token`,
      clientId: 'openg2p-admin-client',
      clientSecretRef: { name: 'openg2p-admin-client', key: 'client_secret' },
      applicationId: 'OPENG2P_SR',
      referenceId: 'ENCRYPT',
    },
  };
}
