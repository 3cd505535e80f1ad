import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { mergeConditions, readyCondition, toSeconds, type ConditionResult } from '../../../operator/conditions.js';
import { retryAfterMs } from '../../../operator/kube/rest.js';
import { microTime } from '../../../operator/leader.js';
import { createLogger } from '../../../operator/log.js';
import { statusChanged, transitionEvents } from '../../../operator/status.js';

const T0 = new Date('2026-11-29T12:00:00.789Z');
const T1 = new Date('2026-11-29T12:05:00.123Z');
const ok: ConditionResult = { type: 'SecretsValid', status: 'True', reason: 'AllSecretsValid', message: 'fine' };
const bad: ConditionResult = { type: 'SecretsValid', status: 'False', reason: 'SecretMissing', message: 'Secret "db" not found' };

describe('conditions', () => {
  it('truncates times to whole seconds', () => {
    expect(toSeconds(T0)).toBe('2026-11-29T12:00:00Z');
  });

  it('moves lastTransitionTime only when the status flips', () => {
    const first = mergeConditions([], [ok], 1, T0);
    expect(mergeConditions(first, [{ ...ok, message: 'still fine' }], 2, T1)[0]).toEqual({ ...ok, message: 'still fine', observedGeneration: 2, lastTransitionTime: '2026-11-29T12:00:00Z' });
    expect(mergeConditions(first, [bad], 2, T1)[0]?.lastTransitionTime).toBe('2026-11-29T12:05:00Z');
  });

  it('summarises Ready from the detail conditions, naming the failing ones', () => {
    expect(readyCondition([ok])).toMatchObject({ status: 'True', reason: 'AllChecksPassed' });
    expect(readyCondition([ok, bad])).toEqual({ type: 'Ready', status: 'False', reason: 'ChecksFailed', message: 'not ready: SecretsValid=False (SecretMissing)' });
  });

  it('events status and reason changes, and failures on first sight', () => {
    const before = mergeConditions([], [ok], 1, T0);
    const after = mergeConditions(before, [bad], 1, T1);
    expect(transitionEvents(before, after)).toEqual([{ type: 'Warning', reason: 'SecretMissing', message: 'SecretsValid=False: Secret "db" not found' }]);
    expect(transitionEvents(after, after)).toEqual([]);
    expect(transitionEvents([], before)).toEqual([]);
  });

  it('sees no change in a status that only differs in key order', () => {
    const conditions = mergeConditions([], [ok], 1, T0);
    expect(statusChanged({ observedGeneration: 1, conditions, flows: 2 }, { flows: 2, conditions, observedGeneration: 1 })).toBe(false);
    expect(statusChanged({ observedGeneration: 1, conditions }, { observedGeneration: 2, conditions })).toBe(true);
  });
});

describe('process edges', () => {
  it('writes Lease times with microseconds', () => {
    expect(microTime(T0)).toBe('2026-11-29T12:00:00.789000Z');
  });

  it('honours Retry-After in seconds or as a date, bounded', () => {
    expect(retryAfterMs('2', 10_000)).toBe(2000);
    expect(retryAfterMs('120', 10_000)).toBe(10_000);
    expect(retryAfterMs(undefined, 10_000)).toBe(1000);
    expect(retryAfterMs('Sun, 29 Nov 2026 12:00:03 GMT', 10_000, () => Date.parse('2026-11-29T12:00:00Z'))).toBe(3000);
  });

  it('redacts secret-bearing fields from the JSON logs', () => {
    const lines: string[] = [];
    const log = createLogger({ destination: new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }) });
    log.info({ secret: { data: { password: 'hunter2hunter2' } }, clientSecret: 'abcdefabcdef', token: 'eyJtoken', headers: { cookie: 'Authorization=eyJ' } }, 'x');
    const text = lines.join('');
    for (const v of ['hunter2hunter2', 'abcdefabcdef', 'eyJtoken', 'Authorization=eyJ']) expect(text).not.toContain(v);
    expect(text).toContain('[REDACTED]');
  });
});
