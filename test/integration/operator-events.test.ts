/**
 * Events through events.k8s.io/v1 on the real API server: the body ward writes passes the API's
 * validation (qualified reportingController, microsecond eventTime, action, regarding), a repeat
 * patches the first Event's series instead of creating another, and core/v1 readers
 * (`kubectl get events`) see the same Event with its reason and message.
 */
import { expect, it } from 'vitest';
import { EventRecorder } from '../../operator/events.js';
import { restEventSink } from '../../operator/kube/adapter.js';
import type { RegistryObject } from '../../operator/port.js';
import { describeCluster, freshNamespace } from './helpers.js';
import { adminRest } from './operator-support.js';

interface V1Event { metadata: { name: string }; reason: string; note: string; series?: { count: number; lastObservedTime: string }; regarding: { name: string } }

describeCluster('operator Events (events.k8s.io/v1, series)', () => {
  it('a flapping condition makes one Event per distinct transition, with the repeats counted in its series', async () => {
    const ns = await freshNamespace();
    const rd = { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: ns, uid: '0c2e8a8e-1111-4a4a-9b9b-000000000001' }, spec: {} } as unknown as RegistryObject;
    let now = Date.parse('2026-12-03T06:00:00Z');
    const recorder = new EventRecorder(restEventSink(adminRest()), () => new Date(now), 'ward-operator-0');
    const weak = { type: 'Warning', reason: 'SecretsInvalid', message: `Secret ${ns}/db key password is shorter than 16 bytes` } as const;
    const fixed = { type: 'Normal', reason: 'SecretsValid', message: 'all 1 Secret(s) valid' } as const;
    for (const e of [weak, fixed, weak, fixed, weak]) {
      await recorder.record(rd, e);
      now += 1500;
    }
    const list = await adminRest().get<{ items: V1Event[] }>(`/apis/events.k8s.io/v1/namespaces/${ns}/events`);
    expect(list.items.map((e) => `${e.reason} ${String(e.series?.count ?? 1)}`).sort()).toEqual(['SecretsInvalid 3', 'SecretsValid 2']);
    const invalid = list.items.find((e) => e.reason === 'SecretsInvalid');
    expect(invalid?.series?.lastObservedTime).toBe('2026-12-03T06:00:06.000000Z');
    expect(invalid?.regarding.name).toBe('sr');
    const core = await adminRest().get<{ items: { reason: string; message: string; involvedObject: { kind: string } }[] }>(`/api/v1/namespaces/${ns}/events`);
    expect(core.items).toHaveLength(2);
    expect(core.items.find((e) => e.reason === 'SecretsInvalid')).toMatchObject({ message: weak.message, involvedObject: { kind: 'RegistryDeployment' } });
  });
});
