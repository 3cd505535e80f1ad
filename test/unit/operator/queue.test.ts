import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../operator/queue.js';

describe('WorkQueue', () => {
  it('de-duplicates a key that is waiting', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.depth).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands out a key being processed; an add meanwhile brings it back after done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    q.add('a');
    expect(q.depth).toBe(0);
    q.done(key ?? '');
    expect(q.depth).toBe(1);
    expect(await q.get()).toBe('a');
  });

  it('backs off per item exponentially from 5 ms, capped, and forgets on success', () => {
    let now = 0;
    const q = new WorkQueue({ maxDelayMs: 40, now: () => now });
    expect([q.nextDelay('a'), q.nextDelay('a'), q.nextDelay('a'), q.nextDelay('a'), q.nextDelay('a')]).toEqual([5, 10, 20, 40, 40]);
    expect(q.nextDelay('b')).toBe(5);
    q.forget('a');
    now += 1;
    expect(q.nextDelay('a')).toBe(5);
  });

  it('makes items wait for the global token bucket once its burst is spent', () => {
    const q = new WorkQueue({ qps: 10, burst: 2, now: () => 0 });
    expect(q.nextDelay('a')).toBe(5);
    expect(q.nextDelay('b')).toBe(5);
    expect(q.nextDelay('c')).toBe(100);
    expect(q.nextDelay('d')).toBe(200);
  });

  it('hands undefined to waiting workers on shutdown and drains the items in flight', async () => {
    const q = new WorkQueue();
    q.add('a');
    const key = await q.get();
    const waiting = q.get();
    q.shutdown();
    expect(await waiting).toBeUndefined();
    let drained = false;
    const drain = q.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(key ?? '');
    await drain;
    expect(drained).toBe(true);
    q.add('b');
    expect(q.depth).toBe(0);
  });

  it('delivers a key added after a delay to a waiting worker', async () => {
    const q = new WorkQueue();
    const next = q.get();
    q.addAfter('a', 1);
    expect(await next).toBe('a');
  });
});
