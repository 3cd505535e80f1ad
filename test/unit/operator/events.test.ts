import { describe, expect, it } from 'vitest';
import { EventRecorder, eventBody, eventNote, MAX_NOTE_BYTES, microTime, REPORTING_CONTROLLER, seriesAction, SERIES_WINDOW_MS, type EventSink } from '../../../operator/events.js';
import type { RegistryObject } from '../../../operator/port.js';

const rd = { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev', uid: 'u-1' }, spec: {} } as unknown as RegistryObject;
const weak = { type: 'Warning', reason: 'SecretsInvalid', message: 'Secret dev/db key password is shorter than 16 bytes' } as const;
const fixed = { type: 'Normal', reason: 'SecretsValid', message: 'all 1 Secret(s) valid' } as const;

function recordingSink(): EventSink & { calls: string[] } {
  let n = 0;
  const calls: string[] = [];
  return {
    calls,
    create: (_ns, body) => { calls.push(`create ${String(body.reason)}`); return Promise.resolve({ metadata: { name: `sr.${String(++n)}` } }); },
    patchSeries: (_ns, name, series) => { calls.push(`patch ${name} count=${String(series.count)}`); return Promise.resolve(true); },
  };
}

describe('events.k8s.io/v1 series', () => {
  it.each([
    ['a first occurrence creates an Event', undefined, 0, 'create'],
    ['a repeat within the window adds to the series', { namespace: 'dev', name: 'sr.1', count: 1, last: new Date(0) }, SERIES_WINDOW_MS - 1, 'patch'],
    ['a repeat after the window starts a new Event', { namespace: 'dev', name: 'sr.1', count: 3, last: new Date(0) }, SERIES_WINDOW_MS, 'create'],
  ] as const)('%s', (_name, known, at, action) => {
    expect(seriesAction(known ? { ...known } : undefined, new Date(at))).toBe(action);
  });

  it('a flapping condition posts one Event per distinct transition; the repeats count in its series', async () => {
    let now = 0;
    const sink = recordingSink();
    const recorder = new EventRecorder(sink, () => new Date(now), 'pod-1');
    for (const e of [weak, fixed, weak, fixed, weak]) {
      await recorder.record(rd, e);
      now += 1000;
    }
    expect(sink.calls).toEqual(['create SecretsInvalid', 'create SecretsValid', 'patch sr.1 count=2', 'patch sr.2 count=2', 'patch sr.1 count=3']);
    now += SERIES_WINDOW_MS;
    await recorder.record(rd, weak);
    expect(sink.calls.at(-1)).toBe('create SecretsInvalid');
  });

  it('starts a new Event when the one of the series is gone (expired by the API server)', async () => {
    const sink = recordingSink();
    const gone: EventSink = { create: (ns, body) => sink.create(ns, body), patchSeries: () => Promise.resolve(false) };
    const recorder = new EventRecorder(gone, () => new Date(0), 'pod-1');
    await recorder.record(rd, weak);
    await recorder.record(rd, weak);
    expect(sink.calls).toEqual(['create SecretsInvalid', 'create SecretsInvalid']);
  });

  it('writes the fields events.k8s.io/v1 requires: microsecond eventTime, qualified reportingController, action, regarding, a note of at most 1 KiB', () => {
    const body = eventBody(rd, { ...weak, message: 'é'.repeat(800) }, new Date('2026-12-03T06:00:00.123Z'), 'x'.repeat(200));
    expect(body).toMatchObject({ apiVersion: 'events.k8s.io/v1', eventTime: '2026-12-03T06:00:00.123000Z', reportingController: REPORTING_CONTROLLER, action: 'Reconcile', regarding: { kind: 'RegistryDeployment', name: 'sr', namespace: 'dev', uid: 'u-1' } });
    expect((body.reportingInstance as string).length).toBe(128);
    expect(Buffer.byteLength(body.note as string, 'utf8')).toBeLessThanOrEqual(MAX_NOTE_BYTES);
    expect(body.note as string).toMatch(/…$/);
    expect(eventNote('short')).toBe('short');
    expect(microTime(new Date('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000000Z');
  });
});
