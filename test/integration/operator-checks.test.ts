/**
 * The operator's checks on a real API server: Secrets (read with `get` by name as the operator's
 * ServiceAccount), the key manager (live probe against local HTTPS servers: the real MOSIP key
 * manager needs an HSM and cannot run here) and the WireGuard server key. Every case also asserts
 * that no secret value reached the logs, the Events or the status.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { publicKeyFromPrivate } from '../../charts-src/wireguard/keys.js';
import { ROTATED_AT_ANNOTATION } from '../../operator/secrets.js';
import { describeCluster, freshNamespace } from './helpers.js';
import { makePki, startFakeKeyManager, type FakeKeyManager, type TestPki } from './operator-keymanager-server.js';
import { adminRest, conditionOf, createRd, getRd, installOperatorPrereqs, smallSpec, startOperator, stopAndClean, waitFor, waitForCondition, type RunningOperator } from './operator-support.js';

const DAY = 86_400_000;

async function createSecret(ns: string, name: string, data: Record<string, string>, annotations: Record<string, string> = {}): Promise<void> {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  await adminRest().post(`/api/v1/namespaces/${ns}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name, annotations }, data: encoded });
}

async function replaceSecret(ns: string, name: string, data: Record<string, string>): Promise<void> {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  await adminRest().json('PATCH', `/api/v1/namespaces/${ns}/secrets/${name}`, {}, { data: encoded }, 'application/merge-patch+json');
}

/** Everything the operator wrote where people look: its logs, the namespace's Events and the status. */
async function exposedText(op: RunningOperator, ns: string, name: string): Promise<string> {
  const events = await adminRest().get<{ items: unknown[] }>(`/api/v1/namespaces/${ns}/events`);
  const rd = await getRd(ns, name);
  return [op.logs.join(''), JSON.stringify(events.items), JSON.stringify(rd.status)].join('\n');
}

const STRONG = 'q7Vw2Lx9Tz4Kp8Rm3Ns6Bd1Hf5Jg0Yc';

/**
 * How a value would show up if leaked: long values anywhere; short ones (e.g. the PIN 1234, which
 * also occurs inside timestamps and uids) as a quoted or delimited token.
 */
function needles(v: string): string[] {
  return v.length >= 8 ? [v] : [JSON.stringify(v), `'${v}'`, ` ${v} `, `=${v}`, `: ${v}`];
}

describeCluster('operator: Secret checks', () => {
  let op: RunningOperator | undefined;
  beforeAll(async () => {
    await installOperatorPrereqs();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
  });

  const cases: { name: string; data?: Record<string, string>; annotations?: Record<string, string>; reason: string; message: string }[] = [
    { name: 'a missing Secret', reason: 'SecretMissing', message: 'Secret "db" not found in namespace "NS"' },
    { name: 'a missing key', data: { other: STRONG }, reason: 'SecretKeyMissing', message: 'Secret "db" has no key "password"' },
    { name: 'an empty value', data: { password: '' }, reason: 'SecretValueEmpty', message: 'Secret "db" key "password" is empty' },
    { name: 'a short value', data: { password: 'Xy7#kq2' }, reason: 'SecretTooShort', message: 'Secret "db" key "password" is shorter than the required 16 bytes' },
    { name: 'a low-entropy value', data: { password: 'abababababababababab' }, reason: 'SecretLowEntropy', message: 'Secret "db" key "password" has less than the required 64 bits of estimated entropy' },
    { name: 'a chart default', data: { password: 'changeme' }, reason: 'SecretKnownDefault', message: 'Secret "db" key "password" holds a well-known default value: replace it with a randomly generated one' },
    { name: 'the SoftHSM default PIN', data: { password: '1234' }, reason: 'SecretKnownDefault', message: 'Secret "db" key "password" holds a well-known default value: replace it with a randomly generated one' },
    {
      name: 'a value rotated too long ago', data: { password: STRONG }, annotations: { [ROTATED_AT_ANNOTATION]: new Date(Date.now() - 120 * DAY).toISOString() },
      reason: 'SecretTooOld', message: `Secret "db" key "password" was rotated (annotation ${ROTATED_AT_ANNOTATION}) 120 days ago, more than maxAgeDays 90: rotate it`,
    },
  ];

  it.each(cases)('$name gives SecretsValid=False/$reason and never exposes the value', async (c) => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    if (c.data) await createSecret(ns, 'db', c.data, c.annotations);
    await createRd(ns, 'sr', smallSpec({ secrets: [{ name: 'db', keys: [{ key: 'password', maxAgeDays: 90 }], usedBy: ['postgresql'] }] }));
    const rd = await waitForCondition(ns, 'sr', 'SecretsValid', 'False', c.reason);
    expect(conditionOf(rd, 'SecretsValid')?.message).toBe(c.message.replace('NS', ns));
    expect(rd.status?.secrets).toBe('0/1 valid');
    expect(conditionOf(rd, 'Ready')).toMatchObject({ status: 'False', reason: 'ChecksFailed' });
    const text = await exposedText(op, ns, 'sr');
    for (const v of Object.values(c.data ?? {}).filter((v) => v.length > 0)) for (const n of needles(v)) expect(text).not.toContain(n);
  });

  it('a strong, fresh Secret gives SecretsValid=True, and fixing a weak one recovers on the next resync', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createSecret(ns, 'db', { password: 'changeme' });
    await createRd(ns, 'sr', smallSpec({ secrets: [{ name: 'db', keys: [{ key: 'password' }] }] }));
    await waitForCondition(ns, 'sr', 'SecretsValid', 'False', 'SecretKnownDefault');
    await replaceSecret(ns, 'db', { password: STRONG });
    op.handle.controller.queue.add(`${ns}/sr`); // what the periodic resync does
    const rd = await waitForCondition(ns, 'sr', 'SecretsValid', 'True', 'AllSecretsValid');
    expect(rd.status?.secrets).toBe('1/1 valid');
    expect(conditionOf(rd, 'Ready')?.status).toBe('True');
    expect(await exposedText(op, ns, 'sr')).not.toContain(STRONG);
  });

  it('a Secret flapping between weak and strong leaves one Event per distinct transition, its repeats counted in the series', async () => {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createSecret(ns, 'db', { password: 'changeme' });
    await createRd(ns, 'sr', smallSpec({ secrets: [{ name: 'db', keys: [{ key: 'password' }] }] }));
    await waitForCondition(ns, 'sr', 'SecretsValid', 'False', 'SecretKnownDefault');
    for (const [value, status, reason] of [[STRONG, 'True', 'AllSecretsValid'], ['changeme', 'False', 'SecretKnownDefault'], [STRONG, 'True', 'AllSecretsValid'], ['changeme', 'False', 'SecretKnownDefault']] as const) {
      await replaceSecret(ns, 'db', { password: value });
      op.handle.controller.queue.add(`${ns}/sr`);
      await waitForCondition(ns, 'sr', 'SecretsValid', status, reason);
    }
    const events = await adminRest().get<{ items: { reason: string; series?: { count: number } }[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`);
    const counts = (reason: string): number[] => events.items.filter((e) => e.reason === reason).map((e) => e.series?.count ?? 1);
    // Three times weak (created, then twice again), twice strong: one Event each, not five.
    expect(counts('SecretKnownDefault')).toEqual([3]);
    expect(counts('AllSecretsValid')).toEqual([2]);
  });
});

describeCluster('operator: key manager checks and live probe', () => {
  let op: RunningOperator | undefined;
  let pki: TestPki;
  let km: FakeKeyManager;
  const GOOD = 'Kc8dPq2vXr7Wm4Ty9Lb3Nz6Hs1Fj5Ga0';
  beforeAll(async () => {
    await installOperatorPrereqs();
    pki = makePki();
    km = await startFakeKeyManager(pki, { clientSecret: GOOD, applicationIds: ['REGISTRATION'], expiryAt: new Date(Date.now() + 365 * DAY) });
  });
  afterAll(async () => {
    await km.close();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
    km.behaviour.clientSecret = GOOD;
    km.behaviour.applicationIds = ['REGISTRATION'];
    km.behaviour.expiryAt = new Date(Date.now() + 365 * DAY);
  });

  function kmSpec(overrides: Record<string, unknown> = {}, probe: Record<string, unknown> = {}): Record<string, unknown> {
    const base = smallSpec();
    return {
      ...base,
      components: [...(base.components as unknown[]), { name: 'keymanager', selector: { app: 'keymanager' }, serviceAccount: 'keymanager', ports: [{ name: 'http', port: 8088 }] }],
      keyManager: {
        apiBaseUrl: km.apiBaseUrl, tokenUrl: km.tokenUrl, clientId: 'openg2p-admin-client', clientSecretRef: { name: 'km-client', key: 'client_secret' },
        probe: { enabled: true, intervalSeconds: 30, timeoutSeconds: 2, certificateExpiryWarningDays: 30, caSecretRef: { name: 'km-ca', key: 'ca.crt' }, ...probe },
        ...overrides,
      },
    };
  }

  async function setup(secret = GOOD): Promise<string> {
    const ns = await freshNamespace();
    op = await startOperator([ns]);
    await createSecret(ns, 'km-client', { client_secret: secret });
    await createSecret(ns, 'km-ca', { 'ca.crt': pki.caPem });
    return ns;
  }

  it('a healthy key manager gives KeyManagerConfigured=True and KeyManagerReachable=True', async () => {
    const ns = await setup();
    await createRd(ns, 'sr', kmSpec());
    const rd = await waitForCondition(ns, 'sr', 'KeyManagerReachable', 'True', 'Reachable');
    expect(conditionOf(rd, 'KeyManagerConfigured')).toMatchObject({ status: 'True', reason: 'Configured' });
    expect(conditionOf(rd, 'KeyManagerReachable')?.message).toMatch(/^token issued and certificate for application "REGISTRATION", reference "ENCRYPT" fetched, valid until /);
    expect(rd.status?.keyManager).toBe('Reachable');
    expect(conditionOf(rd, 'Ready')?.status).toBe('True');
    expect(km.seen).toContain('GET /v1/keymanager/getCertificate');
    expect(await exposedText(op!, ns, 'sr')).not.toContain(GOOD);
  });

  it('a wrong client secret gives TokenRejected (401), and fixing it recovers', async () => {
    const wrong = 'Wr0ngWr0ngWr0ngWr0ngWr0ngWr0ng12';
    const ns = await setup(wrong);
    await createRd(ns, 'sr', kmSpec());
    const rd = await waitForCondition(ns, 'sr', 'KeyManagerReachable', 'False', 'TokenRejected');
    expect(conditionOf(rd, 'KeyManagerReachable')?.message).toBe('token endpoint rejected client "openg2p-admin-client" (HTTP 401 unauthorized_client): check the client secret');
    expect(await exposedText(op!, ns, 'sr')).not.toContain(wrong);
    await replaceSecret(ns, 'km-client', { client_secret: GOOD });
    op!.handle.controller.queue.add(`${ns}/sr`);
    await waitForCondition(ns, 'sr', 'KeyManagerReachable', 'True', 'Reachable');
  });

  it('an unknown application id gives CertificateNotFound with the key manager error code', async () => {
    const ns = await setup();
    await createRd(ns, 'sr', kmSpec({ applicationId: 'OPENG2P_SR' }));
    const rd = await waitForCondition(ns, 'sr', 'KeyManagerReachable', 'False', 'CertificateNotFound');
    expect(conditionOf(rd, 'KeyManagerReachable')?.message).toBe('no certificate for application "OPENG2P_SR", reference "ENCRYPT" (KER-KMS-002: ApplicationId not found in Key Policy)');
  });

  it('a certificate expiring inside the warning window gives CertificateExpiring', async () => {
    km.behaviour.expiryAt = new Date(Date.now() + 10 * DAY);
    const ns = await setup();
    await createRd(ns, 'sr', kmSpec());
    const rd = await waitForCondition(ns, 'sr', 'KeyManagerReachable', 'False', 'CertificateExpiring');
    expect(conditionOf(rd, 'KeyManagerReachable')?.message).toMatch(/^certificate for application "REGISTRATION" expires on .*, within 30 days$/);
  });

  it('an unreachable key manager gives Unreachable, and a CA that does not match gives TLSError', async () => {
    const ns = await setup();
    await createRd(ns, 'sr', kmSpec({ tokenUrl: 'https://127.0.0.1:1/realms/openg2p/protocol/openid-connect/token' }));
    const rd = await waitForCondition(ns, 'sr', 'KeyManagerReachable', 'False', 'Unreachable');
    expect(conditionOf(rd, 'KeyManagerReachable')?.message).toBe('token endpoint https://127.0.0.1:1 unreachable: ECONNREFUSED');
    const ns2 = await freshNamespace();
    await stopAndClean(op);
    op = await startOperator([ns2]);
    await createSecret(ns2, 'km-client', { client_secret: GOOD });
    await createSecret(ns2, 'km-ca', { 'ca.crt': makePki().caPem });
    await createRd(ns2, 'sr', kmSpec());
    await waitForCondition(ns2, 'sr', 'KeyManagerReachable', 'False', 'TLSError');
  });

  it('plain http outside STRICT mTLS is refused as InsecureURL and the key manager is not probed', async () => {
    const ns = await setup();
    const seen = km.seen.length;
    await createRd(ns, 'sr', kmSpec({ apiBaseUrl: 'http://keymanager.example.org/v1/keymanager' }));
    const rd = await waitForCondition(ns, 'sr', 'KeyManagerConfigured', 'False', 'InsecureURL');
    expect(conditionOf(rd, 'KeyManagerConfigured')?.message).toBe(
      `keyManager.apiBaseUrl uses plain http to "keymanager.example.org", which STRICT mTLS of namespace "${ns}" does not cover: use https, or an in-mesh service name with mesh.mtlsMode STRICT`,
    );
    expect(conditionOf(rd, 'KeyManagerReachable')).toMatchObject({ status: 'False', reason: 'NotConfigured' });
    expect(km.seen.length).toBe(seen);
  });
});

describeCluster('operator: WireGuard server key', () => {
  let op: RunningOperator | undefined;
  beforeAll(async () => {
    await installOperatorPrereqs();
  });
  afterEach(async () => {
    await stopAndClean(op);
    op = undefined;
  });

  it('an absent server-key Secret is generated in-cluster and only the public key reaches status', async () => {
    const ns = await freshNamespace();
    const vpn = `${ns}-vpn`;
    op = await startOperator([ns]);
    await createRd(ns, 'sr', smallSpec({ wireguard: { enabled: true, namespace: vpn, adminGateway: { namespace: ns } } }));
    const waiting = await waitForCondition(ns, 'sr', 'GatewayReady', 'False', 'GatewayUnavailable');
    expect(conditionOf(waiting, 'GatewayReady')?.message).toBe(
      `server key present in Secret "ward-wireguard-key" in namespace "${vpn}"; Deployment ${vpn}/wireguard-gateway has no available replica yet (image pulled? kubelet allows net.ipv4.ip_forward? see docs/wireguard.md)`,
    );
    // What the Deployment controller and the kubelet would report once the gateway pod runs.
    await adminRest().json('PATCH', `/apis/apps/v1/namespaces/${vpn}/deployments/wireguard-gateway/status`, {}, { status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 } }, 'application/merge-patch+json');
    const rd = await waitForCondition(ns, 'sr', 'GatewayReady', 'True', 'ServerKeyPresent');
    const secret = await adminRest().get<{ data: Record<string, string>; metadata: { labels: Record<string, string> } }>(`/api/v1/namespaces/${vpn}/secrets/ward-wireguard-key`);
    const privateKey = Buffer.from(secret.data.privatekey ?? '', 'base64').toString('utf8');
    expect(rd.status?.wireguard).toEqual({ serverKeySecret: 'ward-wireguard-key', publicKey: publicKeyFromPrivate(privateKey) });
    expect(secret.metadata.labels['ward.g2p.dev/owner-uid']).toBe(rd.metadata.uid);
    expect(await exposedText(op, ns, 'sr')).not.toContain(privateKey);
    // The cloud's load balancer publishes an address: the endpoint admins need appears in status.
    const services = await adminRest().get<{ items: { metadata: { name: string } }[] }>(`/api/v1/namespaces/${vpn}/services`);
    const service = services.items[0]?.metadata.name ?? '';
    await adminRest().json('PATCH', `/api/v1/namespaces/${vpn}/services/${service}/status`, {}, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }, 'application/merge-patch+json');
    await waitFor('the endpoint in status', async () => (await getRd(ns, 'sr')).status?.wireguard?.endpoint === '203.0.113.7:51820');
    const events = await adminRest().get<{ items: { reason: string }[] }>(`/api/v1/namespaces/${ns}/events`);
    expect(events.items.filter((e) => e.reason === 'ServerKeyGenerated')).toHaveLength(1);
    // The next reconcile keeps the key: same public key, no second key generated.
    op.handle.controller.queue.add(`${ns}/sr`);
    await op.reconciledAgain(`${ns}/sr`);
    const again = await getRd(ns, 'sr');
    expect(again.status?.wireguard?.publicKey).toBe(publicKeyFromPrivate(privateKey));
    await adminRest().delete(`/apis/ward.g2p.dev/v1alpha1/namespaces/${ns}/registrydeployments/sr`);
    await waitFor('the generated key to be removed with the RegistryDeployment', async () => {
      const r = await adminRest().get(`/api/v1/namespaces/${vpn}/secrets/ward-wireguard-key`).then(() => false, () => true);
      return r;
    });
  });
});
