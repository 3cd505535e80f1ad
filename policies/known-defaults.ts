/**
 * Documented default credentials and signing keys of the components an OpenG2P registry runs: one
 * entry per value, each with the component, what the value is and where the default is documented.
 * Matched by value (exact, after trimming surrounding white space) by the loader (Secrets) and the
 * WARD-SEC-006 rule (env, ConfigMaps); findings name the entry, never the value.
 *
 * A value shared by several components (`admin`) has one entry per component, each with a `context`:
 * the entry applies only where the setting's name, the object's name or the container image names
 * that component (Keycloak's `admin` is not Odoo's). A value unique to one component has no context.
 */

export interface KnownDefault {
  /** Stable id (kebab-case), carried in Secret facts instead of the value. */
  readonly id: string;
  /** The component that ships or documents the default, as a finding names it. */
  readonly component: string;
  /** What the value is, as a finding names it: `root password`, `security PIN`. */
  readonly what: string;
  /** The default value itself (public knowledge: it is in the component's documentation). */
  readonly value: string;
  /** Where the setting name, the object name or the image must match for the entry to apply; absent: anywhere. */
  readonly context?: RegExp;
  /** Where the default is documented. */
  readonly source: string;
}

const BITNAMI = 'https://github.com/bitnami/containers/blob/main/bitnami';

export const KNOWN_DEFAULTS: readonly KnownDefault[] = [
  {
    id: 'openg2p-softhsm-pin', component: 'SoftHSM (OpenG2P key-manager chart)', what: 'security PIN', value: '16032228',
    // "Hardcoding this for now. else every upgrade will reset the pin": the same PIN in every install.
    source: 'openg2p-social-registry-1.3.1.tgz charts/keymanager/values.yaml softhsm.securityPIN',
  },
  { id: 'minio-root', component: 'MinIO', what: 'root user and password', value: 'minioadmin', source: 'https://min.io/docs/minio/linux/administration/identity-access-management/minio-user-management.html#minio-root-user' },
  { id: 'bitnami-minio-root', component: 'the Bitnami MinIO image', what: 'root password (MINIO_ROOT_PASSWORD)', value: 'miniosecret', source: `${BITNAMI}/minio/README.md` },
  {
    id: 'bitnami-password', component: 'the Bitnami images (Keycloak, Odoo, Kafka, OpenSearch)', what: 'password (KEYCLOAK_ADMIN_PASSWORD, ODOO_PASSWORD, KAFKA_CLIENT_PASSWORDS)', value: 'bitnami',
    source: `${BITNAMI}/keycloak/README.md`,
  },
  { id: 'keycloak-admin', component: 'Keycloak', what: 'admin password of the getting-started guides (admin/admin)', value: 'admin', context: /keycloak|(^|[_.-])kc[_.-]/i, source: 'https://www.keycloak.org/getting-started/getting-started-kube' },
  { id: 'odoo-admin', component: 'Odoo', what: 'admin and master password (admin_passwd = admin)', value: 'admin', context: /odoo|admin[_.-]?passwd/i, source: 'https://github.com/odoo/docker/blob/master/17.0/odoo.conf' },
  { id: 'opensearch-admin', component: 'OpenSearch', what: 'admin password of the demo security configuration (admin/admin)', value: 'admin', context: /opensearch|elastic/i, source: 'https://opensearch.org/docs/latest/security/configuration/demo-configuration/' },
  {
    id: 'superset-secret-key-1', component: 'Apache Superset', what: 'SECRET_KEY before 1.4 (signs sessions, encrypts database passwords; CVE-2023-27524)', value: '\\2\\1thisismyscretkey\\1\\2\\e\\y\\y\\h',
    source: 'https://github.com/apache/superset/blob/master/UPDATING.md#140',
  },
  { id: 'superset-secret-key-2', component: 'Apache Superset', what: 'SECRET_KEY since 1.4 (CVE-2023-27524)', value: 'CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET', source: 'https://github.com/apache/superset/blob/master/superset/config.py' },
  { id: 'superset-secret-key-helm', component: 'the Apache Superset Helm chart', what: 'SECRET_KEY (CVE-2023-27524)', value: 'thisISaSECRET_1234', source: 'https://www.horizon3.ai/attack-research/disclosures/cve-2023-27524-insecure-default-configuration-in-apache-superset-leads-to-remote-code-execution/' },
  { id: 'superset-secret-key-docs', component: 'Apache Superset', what: 'SECRET_KEY of the configuration guide', value: 'YOUR_OWN_RANDOM_GENERATED_SECRET_KEY', source: 'https://superset.apache.org/docs/configuration/configuring-superset/' },
];

const BY_ID: ReadonlyMap<string, KnownDefault> = new Map(KNOWN_DEFAULTS.map((d) => [d.id, d]));

/** The entry with `id` (from Secret facts). */
export function knownDefaultById(id: string): KnownDefault | undefined {
  return BY_ID.get(id);
}

/**
 * The documented default `value` is, if any: entries whose context matches one of `names` (the
 * setting, the object, the image) first, then entries without a context.
 */
export function documentedDefault(value: string, names: readonly string[]): KnownDefault | undefined {
  const v = value.trim();
  const candidates = KNOWN_DEFAULTS.filter((d) => d.value === v);
  return candidates.find((d) => d.context !== undefined && names.some((n) => d.context!.test(n))) ?? candidates.find((d) => d.context === undefined);
}

/** `is the documented default security PIN of SoftHSM (OpenG2P key-manager chart)`: what a finding says instead of the value. */
export function describeDefault(d: KnownDefault): string {
  return `is the documented default ${d.what} of ${d.component}`;
}
