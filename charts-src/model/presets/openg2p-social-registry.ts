import type { RegistrySpecInput } from '../schema.js';
import { flow, helmSelector, keyManagerFlows, registryCoreComponents, reportingComponents, reportingFlows, secret, type ComponentInput } from './common.js';

/**
 * OpenG2P Social Registry, chart 1.3.1 layout: Odoo 17 (Bitnami subchart), PostgreSQL, the MOSIP key
 * manager with SoftHSM and artifactory, MinIO, mail and the reporting pipeline in the release
 * namespace; Keycloak and eSignet are the organisation-wide instances in namespaces `keycloak` and
 * `esignet` (peers: ward writes nothing there).
 */
export const KEYCLOAK_NAMESPACE = 'keycloak';
/** eSignet (beneficiary login over OIDC) is organisation-wide too. */
export const ESIGNET_NAMESPACE = 'esignet';

function components(release: string, namespace: string): ComponentInput[] {
  return [
    ...registryCoreComponents(release, namespace, 'socialregistry'),
    { name: 'mail', selector: helmSelector('mail', release), serviceAccount: `${release}-mail`, ports: [{ name: 'tcp-smtp', port: 25 }] },
    ...reportingComponents(release),
    { name: 'keycloak', namespace: KEYCLOAK_NAMESPACE, selector: helmSelector('keycloak', 'keycloak'), serviceAccount: 'keycloak', ports: [{ name: 'http', port: 8080 }] },
    { name: 'esignet', namespace: ESIGNET_NAMESPACE, selector: helmSelector('esignet', 'esignet'), serviceAccount: 'esignet', ports: [{ name: 'http', port: 8088 }] },
  ];
}

export function openg2pSocialRegistry(release: string, namespace: string): RegistrySpecInput {
  return {
    release,
    namespace,
    components: components(release, namespace),
    flows: [
      flow('registry', 'postgresql', [5432], 'Odoo keeps the registry in database socialregistrydb'),
      flow('registry', 'keycloak', [8080], 'the registry fetches tokens from the Keycloak token endpoint'),
      flow('registry', 'esignet', [8088], 'beneficiaries log in to the registry portal through eSignet (OIDC)'),
      flow('registry', 'mail', [25], 'the registry sends notifications'),
      flow('registry', 'minio', [9000], 'the registry stores attachments in bucket documents'),
      ...keyManagerFlows(),
      ...reportingFlows(),
      flow('minio', 'keycloak', [8080], 'MinIO console users log in through Keycloak'),
      flow('opensearch', 'keycloak', [8080], 'OpenSearch users log in through Keycloak'),
    ],
    secrets: [
      secret(`${release}-postgresql`, ['password', 'postgres-password'], ['postgresql', 'registry']),
      secret(`${release}-odoo`, ['odoo-password'], ['registry']),
      secret(`${release}-minio`, ['root-password'], ['minio', 'registry']),
      secret(`${release}-keymanager`, ['p12-keystore-pass'], ['keymanager']),
      secret('openg2p-admin-client', ['client_secret'], ['registry']),
    ],
    keyManager: {
      component: 'keymanager',
      apiBaseUrl: `http://${release}-keymanager.${namespace}/v1/keymanager`,
      tokenUrl: `http://keycloak.${KEYCLOAK_NAMESPACE}/realms/openg2p/protocol/openid-connect/token`,
      clientId: 'openg2p-admin-client',
      clientSecretRef: { name: 'openg2p-admin-client', key: 'client_secret' },
      applicationId: 'REGISTRATION',
      referenceId: 'ENCRYPT',
    },
  };
}
