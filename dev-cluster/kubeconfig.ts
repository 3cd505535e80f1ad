import { stringify } from 'yaml';
import { ADMIN_USER, RESTRICTED_USER, pemBase64, type Pki } from './certs.js';

/** Name of the cluster entry and of the two contexts in a dev cluster's kubeconfig. */
export const CLUSTER_NAME = 'ward-dev';
export const ADMIN_CONTEXT = 'admin';
export const RESTRICTED_CONTEXT = 'restricted';

/**
 * Renders a self-contained kubeconfig (inline `*-data`, no file references) with contexts `admin`
 * (system:masters) and `restricted` (no RBAC rights); `admin` is the current context.
 */
export async function renderKubeconfig(pki: Pki, server: string): Promise<string> {
  const user = async (name: string, cert: string, key: string): Promise<object> => ({
    name,
    user: { 'client-certificate-data': await pemBase64(cert), 'client-key-data': await pemBase64(key) },
  });
  const context = (name: string): object => ({ name, context: { cluster: CLUSTER_NAME, user: name, namespace: 'default' } });
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { server, 'certificate-authority-data': await pemBase64(pki.caCert) } }],
    users: [
      await user(ADMIN_USER.cn, pki.adminCert, pki.adminKey),
      await user(RESTRICTED_USER.cn, pki.restrictedCert, pki.restrictedKey),
    ],
    contexts: [context(ADMIN_CONTEXT), context(RESTRICTED_CONTEXT)],
    'current-context': ADMIN_CONTEXT,
    preferences: {},
  };
  return stringify(doc);
}
