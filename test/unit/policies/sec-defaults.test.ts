import { describe, expect, it } from 'vitest';
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { KNOWN_DEFAULTS, documentedDefault } from '../../../policies/known-defaults.js';
import { parseText } from '../../../policies/load/parse.js';
import { runCheck } from '../../../policies/engine.js';
import { reporters } from '../../../policies/reporters/index.js';
import { SEC_WEAK_VALUE } from '../../../policies/rules/sec.js';
import { SEC_DOCUMENTED_DEFAULT, SEC_PASSWORD_IS_USER } from '../../../policies/rules/sec-defaults.js';
import { namesCredential, userPasswordPairs } from '../../../policies/secret-strength.js';
import { deployment, FILE, NOW, runRule, summarise, type Case } from './helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
/** Shaped like the SR 1.3.1 render: charts/keymanager/charts/softhsm/templates/secret.yaml. */
const softhsmSecret = `# Source: openg2p-social-registry/charts/keymanager/charts/softhsm/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata:
  name: sr-keymanager-softhsm
  namespace: sr
type: Opaque
data:
  security-pin: MTYwMzIyMjg=
`;
const secret = (name: string, data: Record<string, string>, field: 'data' | 'stringData' = 'data'): string =>
  `---\napiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: sr}\n${field}:\n${Object.entries(data).map(([k, v]) => `  ${k}: ${field === 'data' ? b64(v) : JSON.stringify(v)}`).join('\n')}\n`;
const deploy = (name: string, image: string, env: Record<string, string>, labels = ''): string => deployment(name, env, { image, labels });
const cm = (name: string, data: string): string => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: sr}\ndata:\n${data}\n`;

/** Every credential value the fixtures use: none may appear in a finding. */
const VALUES = ['16032228', 'MTYwMzIyMjg=', 'minioadmin', 'miniosecret', 'CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET', 'keymgruser', 'odkuser', 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6'];

const table: Record<string, Case[]> = {
  [SEC_DOCUMENTED_DEFAULT]: [
    { name: 'fails the SoftHSM PIN the OpenG2P key-manager chart hard-codes (SR 1.3.1 Secret sr-keymanager-softhsm)', yaml: softhsmSecret,
      expect: [{ severity: 'critical', message: 'Secret sr/sr-keymanager-softhsm key "security-pin" is the documented default security PIN of SoftHSM (OpenG2P key-manager chart)', at: 'security-pin' }] },
    { name: 'passes a random Secret value', yaml: secret('minio', { 'root-password': 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6' }), expect: [] },
    { name: 'fails MinIO\'s minioadmin in stringData', yaml: secret('sr-minio', { 'root-password': 'minioadmin' }, 'stringData'),
      expect: [{ severity: 'critical', message: 'Secret sr/sr-minio key "root-password" is the documented default root user and password of MinIO', at: 'root-password' }] },
    { name: 'passes minioadmin as a user name (a user name is no credential: WARD-SEC-004 names a default admin user)', yaml: secret('sr-minio', { 'root-user': 'minioadmin', 'root-password': 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6' }), expect: [] },
    { name: 'fails a literal env value that is the Bitnami MinIO image default', yaml: deploy('sr-minio', 'docker.io/bitnami/minio:2024.6.4', { MINIO_ROOT_USER: 'admin', MINIO_ROOT_PASSWORD: 'miniosecret' }),
      expect: [{ severity: 'critical', message: 'Deployment sr/sr-minio container "sr-minio" env MINIO_ROOT_PASSWORD is the documented default root password (MINIO_ROOT_PASSWORD) of the Bitnami MinIO image', at: '- name: MINIO_ROOT_PASSWORD' }] },
    { name: 'fails Keycloak admin/admin by the image, but not KEYCLOAK_ADMIN, which is the user name', yaml: deploy('sr-keycloak', 'quay.io/keycloak/keycloak:26.0', { KEYCLOAK_ADMIN: 'admin', KEYCLOAK_ADMIN_PASSWORD: 'admin' }),
      expect: [{ severity: 'critical', message: 'Deployment sr/sr-keycloak container "sr-keycloak" env KEYCLOAK_ADMIN_PASSWORD is the documented default admin password of the getting-started guides (admin/admin) of Keycloak', at: '- name: KEYCLOAK_ADMIN_PASSWORD' }] },
    { name: 'passes admin as a password where no component documents it (WARD-SEC-004 reports it as weak)', yaml: deploy('web', 'nginx:1', { DB_PASSWORD: 'admin' }), expect: [] },
    { name: 'fails Superset\'s documented SECRET_KEY through a ConfigMap key', yaml: cm('superset-env', '  SUPERSET_SECRET_KEY: CHANGE_ME_TO_A_COMPLEX_RANDOM_SECRET'),
      expect: [{ severity: 'critical', message: 'ConfigMap sr/superset-env key "SUPERSET_SECRET_KEY" is the documented default SECRET_KEY since 1.4 (CVE-2023-27524) of Apache Superset', at: 'SUPERSET_SECRET_KEY' }] },
    { name: 'fails admin_passwd = admin in an odoo.conf ConfigMap key, naming the setting', yaml: cm('sr-odoo-conf', '  odoo.conf: |\n    [options]\n    db_host = sr-postgresql\n    admin_passwd = admin\n    list_db = False'),
      expect: [{ severity: 'critical', message: 'ConfigMap sr/sr-odoo-conf key "odoo.conf" sets admin_passwd to the documented default admin and master password (admin_passwd = admin) of Odoo', at: 'odoo.conf' }] },
    { name: 'reports a ConfigMap entry read through envFrom once, at the container that reads it', yaml: cm('minio-env', '  MINIO_ROOT_PASSWORD: minioadmin') + deploy('sr-minio', 'minio/minio:1', {}).replace('          env:\n            []', '          envFrom: [{configMapRef: {name: minio-env}}]'),
      expect: [{ severity: 'critical', message: 'Deployment sr/sr-minio container "sr-minio" env MINIO_ROOT_PASSWORD is the documented default root user and password of MinIO', at: 'envFrom' }] },
    { name: 'passes a template placeholder and a commented-out default', yaml: cm('sr-odoo-conf', '  odoo.conf: |\n    [options]\n    ; admin_passwd = admin\n    admin_passwd = ${ODOO_MASTER_PASSWORD}'), expect: [] },
  ],
  [SEC_PASSWORD_IS_USER]: [
    { name: 'fails a Secret whose password is its user name (Bitnami MinIO root-user/root-password)', yaml: secret('sr-minio', { 'root-user': 'keymgruser', 'root-password': 'keymgruser' }),
      expect: [{ severity: 'high', message: 'Secret sr/sr-minio key "root-password" equals its user name (key "root-user")', at: 'root-password' }] },
    { name: 'passes a Secret whose password differs from its user name', yaml: secret('sr-postgresql', { 'postgres-user': 'keymgruser', 'postgres-password': 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6' }), expect: [] },
    { name: 'fails env DB_USER/DB_PASSWORD with one value, raised for a workload holding personal data', yaml: deploy('sr-odk-central-backend', 'odk/central:1', { DB_USER: 'odkuser', DB_PASSWORD: 'odkuser' }, ', ward.g2p.dev/personal-data: "true"'),
      expect: [{ severity: 'critical', message: 'Deployment sr/sr-odk-central-backend container "sr-odk-central-backend" env DB_PASSWORD equals its user name (DB_USER)', at: '- name: DB_PASSWORD' }] },
    { name: 'fails a password named after its user setting (MOSIP key manager SU_USER/SU_USER_PWD)', yaml: deploy('sr-keymanager', 'mosipid/kernel-keymanager-service:1', { SU_USER: 'odkuser', SU_USER_PWD: 'odkuser' }),
      expect: [{ severity: 'high', message: 'Deployment sr/sr-keymanager container "sr-keymanager" env SU_USER_PWD equals its user name (SU_USER)', at: '- name: SU_USER_PWD' }] },
    { name: 'fails db_user = db_password in a settings file', yaml: cm('sr-odoo-conf', '  odoo.conf: |\n    [options]\n    db_user = odkuser\n    db_password = odkuser'),
      expect: [{ severity: 'high', message: 'ConfigMap sr/sr-odoo-conf key "odoo.conf" sets db_password equal to its user name (db_user)', at: 'odoo.conf' }] },
    { name: 'passes empty user and password slots', yaml: deploy('sr-minio', 'minio:1', { MINIO_ROOT_USER: '', MINIO_ROOT_PASSWORD: '' }), expect: [] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('one rule owns each fact', () => {
  it('WARD-SEC-004 no longer reports a documented default or a password equal to its user name', () => {
    expect(runRule(SEC_WEAK_VALUE, softhsmSecret)).toEqual([]);
    expect(runRule(SEC_WEAK_VALUE, secret('sr-minio', { 'root-user': 'keymgruser', 'root-password': 'keymgruser' }))).toEqual([]);
  });
  it('a documented default equal to its user name is reported once, as the default', () => {
    const yaml = secret('sr-minio', { 'root-user': 'minioadmin', 'root-password': 'minioadmin' });
    expect(runRule(SEC_DOCUMENTED_DEFAULT, yaml).map((f) => f.message)).toEqual(['Secret sr/sr-minio key "root-password" is the documented default root user and password of MinIO']);
    expect(runRule(SEC_PASSWORD_IS_USER, yaml)).toEqual([]);
  });
});

describe('credential values never reach findings or reports', () => {
  it.each(Object.keys(table))('%s messages, remediations and JSON carry no value from the input', (id) => {
    for (const c of table[id] ?? []) {
      const findings = runRule(id, c.yaml);
      const json = JSON.stringify(findings);
      for (const v of VALUES) expect(json, `${c.name}: ${v}`).not.toContain(v);
    }
  });
  it('the JSON report of every fixture together carries no value', () => {
    const yaml = Object.values(table).flat().map((c) => c.yaml).join('\n---\n');
    const loaded = parseText(yaml, FILE);
    const result = runCheck({ documents: loaded.documents, inputErrors: loaded.errors, now: NOW });
    expect(result.findings.some((f) => f.ruleId === SEC_DOCUMENTED_DEFAULT)).toBe(true);
    const report = reporters.json!(result, { color: false, toolVersion: '0.1.0' });
    for (const v of VALUES.filter((x) => x !== 'admin')) expect(report, v).not.toContain(v);
    expect(JSON.stringify(ObjectIndex.fromDocuments(loaded.documents).ofKind('Secret'))).not.toContain('MTYwMzIyMjg=');
  });
});

describe('the list of documented defaults', () => {
  it('has one entry per value and component, each with where it is documented', () => {
    const keys = KNOWN_DEFAULTS.map((d) => `${d.value}|${d.component}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(KNOWN_DEFAULTS.map((d) => d.id)).size).toBe(KNOWN_DEFAULTS.length);
    for (const d of KNOWN_DEFAULTS) expect(d.source, d.id).toMatch(/^https:\/\/|^openg2p-social-registry-1\.3\.1\.tgz /);
  });
  it('applies a value shared by several components only where the component is named', () => {
    expect(documentedDefault('admin', ['odoo-password', 'sr-odoo'])?.id).toBe('odoo-admin');
    expect(documentedDefault('admin', ['KC_BOOTSTRAP_ADMIN_PASSWORD'])?.id).toBe('keycloak-admin');
    expect(documentedDefault('admin', ['DB_PASSWORD', 'web'])).toBeUndefined();
    expect(documentedDefault(' 16032228\n', [])?.id).toBe('openg2p-softhsm-pin');
  });
  it('names credentials strictly and pairs passwords with their user names', () => {
    expect(['security-pin', 'SUPERSET_SECRET_KEY', 'admin_passwd', 'clientSecret', 'api-key'].filter(namesCredential)).toHaveLength(5);
    expect(['KEYCLOAK_ADMIN', 'LOG_LEVEL', 'key', 'MINIO_ROOT_USER', 'PASSWORD_FILE'].filter(namesCredential)).toEqual([]);
    expect(userPasswordPairs(['POSTGRES_USER', 'POSTGRES_PASSWORD', 'DB_USER', 'DBUSER_PWD', 'username', 'password', 'MINIO_ROOT_USER'])).toEqual([
      { password: 'POSTGRES_PASSWORD', user: 'POSTGRES_USER' }, { password: 'DBUSER_PWD', user: 'DB_USER' }, { password: 'password', user: 'username' },
    ]);
  });
});
