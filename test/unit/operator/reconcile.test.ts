import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { synthesize } from '../../../charts-src/synthesize.js';
import { AppliedMemo } from '../../../operator/diff.js';
import { OWNED_KINDS } from '../../../operator/kinds.js';
import { FINALIZER, reconcile, type ReconcileDeps } from '../../../operator/reconcile.js';
import { FakePort } from './fake-port.js';

const NOW = new Date('2026-11-29T12:00:00.250Z');

const spec = {
  components: [
    { name: 'registry', selector: { app: 'odoo' }, serviceAccount: 'odoo', ports: [{ name: 'http', port: 8069 }] },
    { name: 'postgresql', selector: { app: 'pg' }, serviceAccount: 'pg', ports: [{ name: 'tcp-pg', port: 5432 }] },
  ],
  flows: [{ from: 'registry', to: { component: 'postgresql' }, ports: [{ port: 5432 }] }],
};

function deps(port: FakePort, extra: Partial<ReconcileDeps> = {}): ReconcileDeps {
  return { port, kinds: OWNED_KINDS, synthesize, memo: new AppliedMemo(), clock: () => NOW, log: pino({ level: 'silent' }), probeCache: new Map(), ...extra };
}

const applies = (port: FakePort): number => port.writes.filter((w) => w.verb === 'apply').length;
const cond = (port: FakePort, type: string) => port.rd?.status?.conditions?.find((c) => c.type === type);

describe('reconcile', () => {
  it('applies every synthesised child with owner labels and an ownerReference, adds the finalizer and reports Ready=True', async () => {
    const port = new FakePort(spec);
    const result = await reconcile(deps(port), 'reg', 'sr');
    expect(result).toEqual({ outcome: 'done' });
    expect(port.rd?.metadata.finalizers).toEqual([FINALIZER]);
    const children = [...port.objects.values()];
    expect(children.length).toBe(port.rd?.status?.children);
    for (const c of children) expect(c.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'ward', 'ward.g2p.dev/owner': 'reg.sr', 'ward.g2p.dev/owner-uid': 'uid-1' });
    const np = children.find((c) => c.kind === 'NetworkPolicy');
    expect(np?.metadata.ownerReferences).toEqual([{ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', name: 'sr', uid: 'uid-1', controller: true, blockOwnerDeletion: true }]);
    expect(children.find((c) => c.kind === 'Namespace')?.metadata.ownerReferences).toBeUndefined();
    expect(cond(port, 'Ready')).toEqual({ type: 'Ready', status: 'True', observedGeneration: 1, lastTransitionTime: '2026-11-29T12:00:00Z', reason: 'AllChecksPassed', message: 'every applied object is in place and every check passed' });
    expect(port.rd?.status).toMatchObject({ observedGeneration: 1, mtlsMode: 'STRICT', flows: 1, secrets: 'none', keyManager: 'None' });
  });

  it('makes no write at all on a second reconcile of an unchanged spec', async () => {
    const port = new FakePort(spec);
    const d = deps(port);
    await reconcile(d, 'reg', 'sr');
    const before = port.writes.length;
    await reconcile(d, 'reg', 'sr');
    expect(port.writes.slice(before)).toEqual([]);
  });

  it('does not write status, finalizers or Events again when its own writes have not reached the cache yet', async () => {
    const port = new FakePort(spec);
    port.staleReads = true;
    const d = deps(port, { written: new Map() });
    await reconcile(d, 'reg', 'sr');
    const before = port.writes.length;
    expect(port.rd?.status).toBeUndefined();
    await reconcile(d, 'reg', 'sr');
    expect(port.writes.slice(before)).toEqual([]);
  });

  it('re-applies a child that was deleted or edited out of band, and only that child', async () => {
    const port = new FakePort(spec);
    const d = deps(port);
    await reconcile(d, 'reg', 'sr');
    const key = [...port.objects.keys()].find((k) => k.includes('NetworkPolicy/reg/registry')) ?? '';
    port.objects.delete(key);
    const before = applies(port);
    await reconcile(d, 'reg', 'sr');
    expect(applies(port) - before).toBe(1);
    expect(port.objects.has(key)).toBe(true);
  });

  it('counts a re-apply after an out-of-band deletion as a drift repair, but not the first apply', async () => {
    const port = new FakePort(spec);
    const repaired: string[] = [];
    const d = deps(port, { onDriftRepaired: (o) => repaired.push(`${o.kind}/${o.metadata.name}`) });
    await reconcile(d, 'reg', 'sr');
    expect(repaired).toEqual([]);
    const key = [...port.objects.keys()].find((k) => k.includes('NetworkPolicy/reg/registry')) ?? '';
    port.objects.delete(key);
    await reconcile(d, 'reg', 'sr');
    expect(repaired).toEqual(['NetworkPolicy/registry']);
  });

  it('spec.monitoring without the prometheus-operator CRD: MonitoringApplied False naming it, everything else applied', async () => {
    const port = new FakePort({ ...spec, monitoring: { enabled: true } });
    port.notServed.add('PrometheusRule');
    await reconcile(deps(port), 'reg', 'sr');
    expect(cond(port, 'MonitoringApplied')).toMatchObject({ status: 'False', reason: 'MonitoringCRDsMissing', message: 'PrometheusRule (monitoring.coreos.com/v1) not served: install prometheus-operator\'s (and Istio\'s) CRDs and ward converges; everything else is applied' });
    expect(cond(port, 'MeshPolicyApplied')?.status).toBe('True');
    expect(cond(port, 'NetworkPolicyApplied')?.status).toBe('True');
    expect([...port.objects.keys()].some((k) => k.includes('Telemetry/'))).toBe(true);
    port.notServed.clear();
    await reconcile(deps(port), 'reg', 'sr');
    expect(cond(port, 'MonitoringApplied')).toMatchObject({ status: 'True', reason: 'Applied' });
  });

  it('no MonitoringApplied or GuardApplied condition without spec.monitoring and spec.guard', async () => {
    const port = new FakePort(spec);
    await reconcile(deps(port), 'reg', 'sr');
    expect([cond(port, 'MonitoringApplied'), cond(port, 'GuardApplied')]).toEqual([undefined, undefined]);
  });

  it('prunes children no longer desired but never objects without its owner uid', async () => {
    const port = new FakePort(spec);
    const d = deps(port);
    await reconcile(d, 'reg', 'sr');
    port.objects.set('networking.k8s.io/v1/NetworkPolicy/reg/foreign', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'foreign', namespace: 'reg', labels: { 'app.kubernetes.io/managed-by': 'ward', 'ward.g2p.dev/owner': 'reg.sr' } } });
    port.rd = { ...port.rd!, metadata: { ...port.rd!.metadata, generation: 2 }, spec: { ...spec, flows: [] } };
    await reconcile(d, 'reg', 'sr');
    const deleted = port.writes.filter((w) => w.verb === 'delete').map((w) => w.key);
    expect(deleted).toContain('security.istio.io/v1/AuthorizationPolicy/reg/allow-postgresql');
    expect(deleted).not.toContain('networking.k8s.io/v1/NetworkPolicy/reg/foreign');
    expect(port.objects.has('networking.k8s.io/v1/NetworkPolicy/reg/foreign')).toBe(true);
  });

  it('reports an invalid spec as SpecValid=False with paths, applies nothing and is terminal', async () => {
    const port = new FakePort({ ...spec, flows: [{ from: 'registry', to: { component: 'nope' }, ports: [{ port: 1 }] }] });
    const result = await reconcile(deps(port), 'reg', 'sr');
    expect(result).toEqual({ outcome: 'terminal', generation: 1 });
    expect(applies(port)).toBe(0);
    expect(cond(port, 'SpecValid')).toMatchObject({ status: 'False', reason: 'InvalidSpec', message: '1 problem: spec.flows[0].to.component: unknown component "nope": must be one of the declared components (postgresql, registry)' });
    expect(cond(port, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(port.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'InvalidSpec'], ['Warning', 'InvalidSpec']]);
  });

  it('reports IstioCRDsMissing, still applies the NetworkPolicies and asks to be requeued', async () => {
    const port = new FakePort(spec);
    port.istioServed = false;
    const result = await reconcile(deps(port, { missingCrdRetryMs: 1234 }), 'reg', 'sr');
    expect(result).toEqual({ outcome: 'done', requeueAfterMs: 1234 });
    expect(cond(port, 'MeshPolicyApplied')).toMatchObject({ status: 'False', reason: 'IstioCRDsMissing' });
    expect(cond(port, 'NetworkPolicyApplied')).toMatchObject({ status: 'True', reason: 'Applied' });
    expect([...port.objects.values()].some((o) => o.kind === 'NetworkPolicy')).toBe(true);
  });

  it('requeues after secretsRetryMs while a declared Secret is missing, and stops once it is strong (Secrets are read, not watched)', async () => {
    const withSecret = { ...spec, secrets: [{ name: 'pg', keys: [{ key: 'password' }], usedBy: ['postgresql'] }] };
    const port = new FakePort(withSecret);
    const d = deps(port, { secretsRetryMs: 777 });
    expect(await reconcile(d, 'reg', 'sr')).toEqual({ outcome: 'done', requeueAfterMs: 777 });
    expect(cond(port, 'SecretsValid')).toMatchObject({ status: 'False' });
    port.putSecret('reg', 'pg', { password: 'T7#kq9!vLz2@xW4m$Rp8' });
    expect(await reconcile(d, 'reg', 'sr')).toEqual({ outcome: 'done' });
    expect(cond(port, 'SecretsValid')).toMatchObject({ status: 'True' });
  });

  it('writes status, then throws on an apply failure so the queue retries (never reports Ready after a failed apply)', async () => {
    const port = new FakePort(spec);
    port.failApply = (o) => (o.kind === 'NetworkPolicy' && o.metadata.name === 'registry' ? new Error('HTTP 500') : undefined);
    await expect(reconcile(deps(port), 'reg', 'sr')).rejects.toThrow('reconciling reg/sr: applying NetworkPolicy reg/registry failed: HTTP 500');
    expect(cond(port, 'NetworkPolicyApplied')).toMatchObject({ status: 'False', reason: 'ApplyFailed', message: 'applying NetworkPolicy reg/registry failed: HTTP 500' });
    expect(cond(port, 'Ready')?.status).toBe('False');
  });

  it('on deletion removes every child it owns (releasing the Namespace), then the finalizer', async () => {
    const port = new FakePort(spec);
    const d = deps(port);
    await reconcile(d, 'reg', 'sr');
    port.rd = { ...port.rd!, metadata: { ...port.rd!.metadata, deletionTimestamp: '2026-11-29T12:01:00Z' } };
    const result = await reconcile(d, 'reg', 'sr');
    expect(result).toEqual({ outcome: 'gone' });
    const left = [...port.objects.values()].filter((o) => o.metadata.labels?.['ward.g2p.dev/owner'] === 'reg.sr');
    expect(left).toEqual([]);
    expect(port.objects.get('v1/Namespace//reg')?.metadata).toMatchObject({ name: 'reg' });
    expect(port.writes.at(-1)).toEqual({ verb: 'finalizers', key: '' });
    expect(port.rd).toBeUndefined();
  });

  it('generates the WireGuard server key once, publishes only its public key and events the generation', async () => {
    const port = new FakePort({ ...spec, wireguard: { enabled: true, namespace: 'vpn' } });
    const d = deps(port, { randomBytes: (n) => new Uint8Array(n).fill(7) });
    await reconcile(d, 'reg', 'sr');
    const secret = port.secrets.get('vpn/ward-wireguard-key');
    const privateKey = Buffer.from(secret?.data.privatekey ?? new Uint8Array()).toString('utf8');
    expect(privateKey).toHaveLength(44);
    expect(port.rd?.status?.wireguard?.serverKeySecret).toBe('ward-wireguard-key');
    expect(port.rd?.status?.wireguard?.publicKey).toHaveLength(44);
    expect(JSON.stringify(port.rd?.status)).not.toContain(privateKey);
    expect(JSON.stringify(port.events)).not.toContain(privateKey);
    expect(port.events.filter((e) => e.reason === 'ServerKeyGenerated')).toHaveLength(1);
    expect(cond(port, 'GatewayReady')).toMatchObject({ status: 'False', reason: 'GatewayUnavailable' });
    await reconcile(d, 'reg', 'sr');
    expect(port.writes.filter((w) => w.verb === 'createSecret')).toHaveLength(1);
  });
});
