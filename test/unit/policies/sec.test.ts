import { describe, expect, it } from 'vitest';
import * as SEC from '../../../policies/rules/sec.js';
import { entropy, secretLooking } from '../../../policies/rules/sec.js';
import { runRule, summarise, type Case } from './helpers.js';

const deploy = (env: string, extra = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: minio, namespace: dev}
spec:
  template:
    metadata:
      labels: {app: minio}
    spec:${extra}
      containers:
        - name: minio
          image: minio:1
          env:
${env}
`;
const secret = (data: string): string => `---\napiVersion: v1\nkind: Secret\nmetadata: {name: minio, namespace: dev}\ndata:\n${data}\n`;
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: dev}\ndata:\n${data}\n`;
const LITERAL = 'Zt4Wq9Lm2Vx8Rk5Np7Bc3Hd6';
/** Compact JSON whose letters are varied enough to score as random (entropy above 4.2 bits, plain and URL-encoded). */
const JSON_TEXT = JSON.stringify([{ name: 'RegistrantIndividualGroupKindXyz9', fq: 'bqJvMwPzk7' }]);

const table: Record<string, Case[]> = {
  [SEC.SEC_LITERAL_ENV]: [
    { name: 'passes a secretKeyRef', yaml: deploy('            - name: MINIO_IDENTITY_OPENID_CLIENT_SECRET\n              valueFrom: {secretKeyRef: {name: minio, key: client-secret}}'), expect: [] },
    { name: 'passes a secret-looking name holding a file path', yaml: deploy('            - name: DB_PASSWORD_FILE\n              value: /run/secrets/db'), expect: [] },
    { name: 'fails a literal client secret (OpenG2P MinIO)', yaml: deploy(`            - name: MINIO_IDENTITY_OPENID_CLIENT_SECRET\n              value: "${LITERAL}"`),
      expect: [{ severity: 'high', message: 'Deployment dev/minio container "minio" sets MINIO_IDENTITY_OPENID_CLIENT_SECRET to a secret-looking literal value: reference a Secret instead', at: '- name: MINIO_IDENTITY_OPENID_CLIENT_SECRET' }] },
    { name: 'fails a high-entropy literal under an innocent name', yaml: deploy(`            - name: S3_CONFIG\n              value: "${LITERAL}"`),
      expect: [{ severity: 'medium', message: 'Deployment dev/minio container "minio" sets S3_CONFIG to a high-entropy literal value that looks like a credential: reference a Secret instead', at: '- name: S3_CONFIG' }] },
    { name: 'passes URL-encoded JSON and JSON text, which are settings however varied their letters (OpenG2P filters)',
      yaml: deploy(`            - name: REGISTRY_FILTERS\n              value: "${encodeURIComponent(JSON_TEXT)}"\n            - name: REGISTRY_FIELDS\n              value: '${JSON_TEXT}'`), expect: [] },
    { name: 'fails a credential setting left empty, the chart\'s slot for a literal (OpenG2P odoo KEYMANAGER_AUTH_CLIENT_SECRET: \'\'), but not an empty ordinary setting',
      yaml: deploy("            - name: KEYMANAGER_AUTH_CLIENT_SECRET\n              value: ''\n            - name: EXTRA_ADDONS_URLS_TO_PULL\n              value: ''\n            - name: SOFTHSM_TOKENDIR\n              value: ''"),
      expect: [{ severity: 'medium', message: 'Deployment dev/minio container "minio" leaves KEYMANAGER_AUTH_CLIENT_SECRET empty, a slot to be filled with a literal secret: take it from a Secret (valueFrom.secretKeyRef) instead', at: '- name: KEYMANAGER_AUTH_CLIENT_SECRET' }] },
  ],
  [SEC.SEC_CONFIGMAP_SECRET]: [
    { name: 'passes plain settings', yaml: cm('  LOG_LEVEL: info\n  DB_HOST: postgres'), expect: [] },
    { name: 'fails a hard-coded SoftHSM PIN', yaml: cm('  SOFTHSM_PIN: "1111"'),
      expect: [{ severity: 'high', message: 'ConfigMap dev/cfg key "SOFTHSM_PIN" has a secret-looking name and a value: move it into a Secret', at: 'SOFTHSM_PIN' }] },
    { name: 'fails a properties file with a password', yaml: cm('  app.properties: |\n    db.url=jdbc:postgresql://db/x\n    db.password=hunter2hunter2'),
      expect: [{ severity: 'high', message: 'ConfigMap dev/cfg key "app.properties" contains a password/secret setting (db.password): move it into a Secret', at: 'app.properties' }] },
    { name: 'passes softhsm.conf, whose directories.tokendir only contains the word token (OpenG2P key manager)',
      yaml: cm('  softhsm.conf: |-\n    directories.tokendir = /softhsm/tokens/\n    objectstore.backend = file\n    slots.removable = false'), expect: [] },
    { name: 'fails an empty secret slot in a YAML settings file (OpenG2P kafka-ui clientSecret)',
      yaml: cm("  config.yml: |\n    auth:\n      oauth2:\n        client:\n          keycloak:\n            clientSecret: ''\n            issuer-uri: 'https://kc/realms/master'"),
      expect: [{ severity: 'high', message: 'ConfigMap dev/cfg key "config.yml" leaves the secret setting clientSecret empty, to be filled in with a literal secret: move it into a Secret', at: 'config.yml' }] },
  ],
  [SEC.SEC_MISSING_REF]: [
    { name: 'passes a reference to an existing key', yaml: deploy('            - name: PASS\n              valueFrom: {secretKeyRef: {name: minio, key: root-password}}') + secret(`  root-password: ${b64(LITERAL)}`), expect: [] },
    { name: 'passes when no Secrets of the namespace are in the input', yaml: deploy('            - name: PASS\n              valueFrom: {secretKeyRef: {name: minio, key: root-password}}'), expect: [] },
    { name: 'fails a missing key', yaml: deploy('            - name: PASS\n              valueFrom: {secretKeyRef: {name: minio, key: root-pasword}}') + secret(`  root-password: ${b64(LITERAL)}`),
      expect: [{ severity: 'high', message: 'Deployment dev/minio env PASS of container "minio" references key "root-pasword" of Secret dev/minio, which it does not have', at: '- name: PASS' }] },
    { name: 'fails a missing imagePullSecret', yaml: deploy('            - name: X\n              value: y', '\n      imagePullSecrets: [{name: regcred}]') + secret(`  root-password: ${b64(LITERAL)}`),
      expect: [{ severity: 'high', message: 'Deployment dev/minio imagePullSecrets references Secret dev/regcred, which does not exist', at: 'imagePullSecrets' }] },
  ],
  [SEC.SEC_WEAK_VALUE]: [
    { name: 'passes a long random value', yaml: secret(`  root-password: ${b64(LITERAL)}`), expect: [] },
    { name: 'fails admin', yaml: secret(`  root-password: ${b64('admin')}`),
      expect: [{ severity: 'high', message: 'Secret dev/minio key "root-password" is a well-known default value', at: 'root-password' }] },
    { name: 'fails a short stringData value', yaml: '---\napiVersion: v1\nkind: Secret\nmetadata: {name: minio, namespace: dev}\nstringData:\n  token: "x7Kq2"\n',
      expect: [{ severity: 'high', message: 'Secret dev/minio key "token" is shorter than 12 characters', at: 'token:' }] },
    { name: 'passes settings that are no credentials (git-config branch, Redis and database ports, names, users)',
      yaml: secret(['branch: master', 'REDIS_PORT: "6379"', 'REDIS_PROTO: redis', 'REDIS_DB: "0"', 'REDIS_USER: ""', 'DB_PORT: "5432"', 'DB_USER: keymgruser', 'DB_NAME: keymgr', 'filters: %5B%7B%22name%22%3A%22x%22%7D%5D'].map((kv) => { const [k = '', v = ''] = kv.split(': '); return `  ${k}: ${b64(v.replace(/"/g, ''))}`; }).join('\n')), expect: [] },
    { name: 'leaves the SoftHSM PIN the OpenG2P key-manager chart hard-codes to WARD-SEC-006, which names it as the documented default (one finding per key)', yaml: secret('  security-pin: MTYwMzIyMjg='), expect: [] },
    { name: 'leaves a password equal to its user name to WARD-SEC-007, though it is short', yaml: secret(`  root-user: ${b64('keymgr')}\n  root-password: ${b64('keymgr')}`), expect: [] },
  ],
  [SEC.SEC_SECRET_AS_ENV]: [
    { name: 'passes a Secret mounted as a file', yaml: deploy('            - name: PASS_FILE\n              value: /run/secrets/pass'), expect: [] },
    { name: 'fails a secretKeyRef env', yaml: deploy('            - name: PASS\n              valueFrom: {secretKeyRef: {name: minio, key: p}}'),
      expect: [{ severity: 'low', message: 'Deployment dev/minio container "minio" receives secrets as environment variables (PASS): mount them as files', at: '- name: minio' }] },
  ],
};

describe.each(Object.entries(table))('%s', (id, cases) => {
  it.each(cases)('$name', (c) => {
    const { got, want } = summarise(id, c);
    expect(got).toEqual(want);
  });
});

describe('secret values never reach findings', () => {
  it.each(Object.keys(table))('%s messages carry no value from the input', (id) => {
    for (const c of table[id] ?? []) {
      for (const f of runRule(id, c.yaml)) {
        expect(f.message).not.toContain(LITERAL);
        expect(f.message).not.toContain(b64(LITERAL));
        expect(f.message).not.toContain('hunter2');
        expect(JSON.stringify(f)).not.toContain('"1111"');
      }
    }
  });
  it('scores entropy and names', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy(LITERAL)).toBeGreaterThan(4.2);
    expect(entropy(JSON_TEXT)).toBeGreaterThan(4.2);
    expect(entropy(encodeURIComponent(JSON_TEXT))).toBeGreaterThan(4.2);
    expect(secretLooking('KEYCLOAK_TOKEN_URL', 'https://kc/token')).toBeUndefined();
    expect(secretLooking('ENABLE_PASSWORD_RESET', 'true')).toBeUndefined();
    expect(secretLooking('DB_PASSWORD', '$(DB_PASSWORD)')).toBeUndefined();
  });
});
