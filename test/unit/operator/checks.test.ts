import { describe, expect, it } from 'vitest';
import { parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { clusterHostNamespace, keyManagerConfigured } from '../../../operator/keymanager/config.js';
import { judgeCertificate, parseMosipTime } from '../../../operator/keymanager/probe.js';
import { checkSecret, entropyBits, ROTATED_AT_ANNOTATION, secretsCondition, type SecretFacts } from '../../../operator/secrets.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const DAY = 86_400_000;
const found = (data: Record<string, string>, extra: { createdAt?: Date; annotations?: Record<string, string> } = {}): SecretFacts => ({
  name: 'db', found: true, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v)])), annotations: extra.annotations ?? {}, ...(extra.createdAt ? { createdAt: extra.createdAt } : {}),
});
const rule = { key: 'password', minLength: 16, minEntropyBits: 64, maxAgeDays: 90 };
const STRONG = 'q7Vw2Lx9Tz4Kp8Rm3Ns6Bd1Hf5Jg0Yc';

describe('Secret checks', () => {
  const secretCases: [string, SecretFacts, string, string][] = [
    ['a missing Secret', { name: 'db', found: false }, 'SecretMissing', 'Secret "db" not found in namespace "reg"'],
    ['an unreadable Secret', { name: 'db', found: 'error', error: 'Forbidden (HTTP 403)' }, 'SecretUnreadable', 'Secret "db" could not be read: Forbidden (HTTP 403)'],
    ['a missing key', found({ other: STRONG }), 'SecretKeyMissing', 'Secret "db" has no key "password"'],
    ['an empty value', found({ password: '' }), 'SecretValueEmpty', 'Secret "db" key "password" is empty'],
    ['a chart default in capitals', found({ password: 'ChangeMe' }), 'SecretKnownDefault', 'Secret "db" key "password" holds a well-known default value: replace it with a randomly generated one'],
    ['the SoftHSM PIN', found({ password: '1234' }), 'SecretKnownDefault', 'Secret "db" key "password" holds a well-known default value: replace it with a randomly generated one'],
    ['a short value', found({ password: 'x9!Kq' }), 'SecretTooShort', 'Secret "db" key "password" is shorter than the required 16 bytes'],
    ['a repetitive value', found({ password: 'aaaaaaaaaaaaaaaaaaaaaaaa' }), 'SecretLowEntropy', 'Secret "db" key "password" has less than the required 64 bits of estimated entropy'],
    ['an old value', found({ password: STRONG }, { createdAt: new Date(NOW.getTime() - 91 * DAY) }), 'SecretTooOld', 'Secret "db" key "password" was created 91 days ago, more than maxAgeDays 90: rotate it'],
    ['a value rotated long ago', found({ password: STRONG }, { createdAt: new Date(NOW.getTime() - DAY), annotations: { [ROTATED_AT_ANNOTATION]: new Date(NOW.getTime() - 100 * DAY).toISOString() } }), 'SecretTooOld', `Secret "db" key "password" was rotated (annotation ${ROTATED_AT_ANNOTATION}) 100 days ago, more than maxAgeDays 90: rotate it`],
  ];
  it.each(secretCases)('%s is reported with its reason and a message without the value', (_n, facts, reason, message) => {
    const problems = checkSecret({ name: 'db', keys: [rule] }, facts, 'reg', NOW);
    expect(problems.map((p) => [p.reason, p.message])).toEqual([[reason, message]]);
    if (facts.found === true) for (const v of Object.values(facts.data)) if (v.length > 3) expect(message).not.toContain(Buffer.from(v).toString());
  });

  it('accepts a strong, recently rotated value', () => {
    const facts = found({ password: STRONG }, { createdAt: new Date(NOW.getTime() - 400 * DAY), annotations: { [ROTATED_AT_ANNOTATION]: new Date(NOW.getTime() - DAY).toISOString() } });
    expect(checkSecret({ name: 'db', keys: [rule] }, facts, 'reg', NOW)).toEqual([]);
  });

  it('estimates entropy from the byte distribution', () => {
    expect(entropyBits(Buffer.from('aaaa'))).toBe(0);
    expect(entropyBits(Buffer.from('abcd'))).toBe(8);
  });

  it('summarises every declared Secret in SecretsValid, naming each problem', () => {
    const reqs = [{ name: 'db', keys: [rule], usedBy: [] }, { name: 'minio', keys: [{ ...rule, key: 'root-password' }], usedBy: [] }];
    const facts = new Map<string, SecretFacts>([['db', found({ password: STRONG }, { createdAt: NOW })], ['minio', { name: 'minio', found: false }]]);
    const out = secretsCondition(reqs, facts, 'reg', NOW);
    expect(out.summary).toBe('1/2 valid');
    expect(out.condition).toEqual({ type: 'SecretsValid', status: 'False', reason: 'SecretMissing', message: 'Secret "minio" not found in namespace "reg"' });
  });
});

function spec(km: Record<string, unknown>, mesh: Record<string, unknown> = {}): RegistrySpec {
  const r = parseRegistrySpec({
    namespace: 'reg', mesh,
    components: [{ name: 'keymanager', selector: { app: 'km' }, serviceAccount: 'km', ports: [{ name: 'http', port: 8088 }], personalData: false }],
    keyManager: { apiBaseUrl: 'https://km.example.org/v1/keymanager', tokenUrl: 'https://kc.example.org/realms/openg2p/protocol/openid-connect/token', clientId: 'openg2p-admin-client', clientSecretRef: { name: 'km', key: 'client_secret' }, ...km },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.spec;
}
const clientSecret = found({ client_secret: STRONG });

describe('key-manager configuration', () => {
  it.each([
    ['keymanager', 'reg'], ['keymanager.keymanager', 'keymanager'], ['keymanager.keymanager.svc', 'keymanager'], ['keymanager.km.svc.cluster.local', 'km'], ['km.example.org', undefined],
  ])('host %s points into namespace %s', (host, ns) => {
    expect(clusterHostNamespace(host, 'reg')).toBe(ns);
  });

  it.each([
    ['https everywhere', {}, {}, 'True', 'Configured'],
    ['in-mesh http under STRICT mTLS', { apiBaseUrl: 'http://keymanager/v1/keymanager' }, {}, 'True', 'Configured'],
    ['http to another namespace without mesh-wide STRICT', { apiBaseUrl: 'http://keymanager.keymanager/v1/keymanager' }, {}, 'False', 'InsecureURL'],
    ['http to another namespace with mesh-wide STRICT', { apiBaseUrl: 'http://keymanager.keymanager/v1/keymanager' }, { meshWide: true }, 'True', 'Configured'],
    ['in-mesh http under PERMISSIVE mTLS', { apiBaseUrl: 'http://keymanager/v1/keymanager' }, { mtlsMode: 'PERMISSIVE', mtlsReason: 'migration' }, 'False', 'InsecureURL'],
    ['PII encryption switched off', { piiEncryptionRequired: false }, {}, 'False', 'PiiEncryptionDisabled'],
  ])('%s', (_n, km, mesh, status, reason) => {
    expect(keyManagerConfigured(spec(km, mesh), clientSecret)).toMatchObject({ type: 'KeyManagerConfigured', status, reason });
  });

  it('names the client-secret Secret and key when the value is missing', () => {
    expect(keyManagerConfigured(spec({}), found({ other: 'x' }))).toEqual({ type: 'KeyManagerConfigured', status: 'False', reason: 'ClientSecretInvalid', message: 'keyManager.clientSecretRef: Secret "km" has no key "client_secret"' });
  });
});

describe('getCertificate responses', () => {
  const input = { applicationId: 'REGISTRATION', referenceId: 'ENCRYPT', expiryWarningDays: 30, now: NOW };
  it.each([
    ['a valid certificate', { response: { certificate: 'PEM', expiryAt: '2027-11-29T12:00:00.000' }, errors: null }, 'True', 'Reachable'],
    ['an error envelope', { response: null, errors: [{ errorCode: 'KER-KMS-002', message: 'ApplicationId not found in Key Policy' }] }, 'False', 'CertificateNotFound'],
    ['no certificate', { response: {}, errors: [] }, 'False', 'CertificateNotFound'],
    ['a certificate expiring in 10 days', { response: { certificate: 'PEM', expiryAt: '2026-12-09T12:00:00.000' }, errors: null }, 'False', 'CertificateExpiring'],
    ['an expired certificate', { response: { certificate: 'PEM', expiryAt: '2026-11-01T00:00:00.000' }, errors: null }, 'False', 'CertificateExpiring'],
  ])('%s', (_n, env, status, reason) => {
    expect(judgeCertificate(env, input)).toMatchObject({ type: 'KeyManagerReachable', status, reason });
  });

  it('reads MOSIP LocalDateTime as UTC', () => {
    expect(parseMosipTime('2027-01-01T00:00:00.000')?.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseMosipTime('not a time')).toBeUndefined();
  });
});

describe('AuditPassed', () => {
  it('passes over what synthesis produced and names the worst finding otherwise', async () => {
    const { auditCondition } = await import('../../../operator/audit.js');
    const { synthesize } = await import('../../../charts-src/synthesize.js');
    const s = spec({});
    const objects = synthesize(s, { owner: { name: 'sr', namespace: 'reg', uid: 'u' } });
    expect(auditCondition(objects, s, NOW)).toMatchObject({ type: 'AuditPassed', status: 'True', reason: 'NoFindings' });
    const open = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'reg' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } };
    const result = auditCondition([...objects, open], s, NOW);
    expect(result).toMatchObject({ type: 'AuditPassed', status: 'False', reason: 'Findings' });
    expect(result.message).toMatch(/^\d+ findings? \((critical|high|medium|low): \d+.*\); worst: WARD-[A-Z]+-\d{3} \(\w+\) NetworkPolicy reg\/open/);
  });
});
