import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { AppliedMemo, isSubset, needsApply } from '../../../operator/diff.js';

describe('isSubset', () => {
  it.each([
    ['equal scalars', 1, 1, true],
    ['different scalars', 1, 2, false],
    ['fields the server added', { a: 1 }, { a: 1, b: 2 }, true],
    ['a missing field', { a: 1, b: 2 }, { a: 1 }, false],
    ['lists element by element with server defaults', [{ port: 1 }], [{ port: 1, protocol: 'TCP' }], true],
    ['lists of another length', [1], [1, 2], false],
    ['an empty object the server dropped', { spec: {} }, {}, true],
    ['an empty list the server dropped', { rules: [] }, {}, true],
    ['a value of another type', { a: { b: 1 } }, { a: 'x' }, false],
  ])('%s', (_name, desired, live, expected) => {
    expect(isSubset(desired, live)).toBe(expected);
  });
});

const np = (rv: string, spec: unknown = { podSelector: {} }): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'n', resourceVersion: rv }, spec });

describe('needsApply', () => {
  const desired: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'x', namespace: 'n' }, spec: { podSelector: {}, quantity: '0.5' } };

  it('applies an absent object', () => {
    expect(needsApply(desired, undefined, new AppliedMemo())).toBe(true);
  });

  it('skips an object the server normalised since ward applied this same intent', () => {
    const memo = new AppliedMemo();
    memo.record(desired, '10');
    expect(needsApply(desired, np('10', { podSelector: {}, quantity: '500m' }), memo)).toBe(false);
  });

  it('skips an older cached copy of ward\'s own write (the watch is behind)', () => {
    const memo = new AppliedMemo();
    memo.record(desired, '10');
    expect(needsApply(desired, np('9', { podSelector: {} }), memo)).toBe(false);
  });

  it('re-applies after someone else changed the object', () => {
    const memo = new AppliedMemo();
    memo.record(desired, '10');
    expect(needsApply(desired, np('11', { podSelector: {}, quantity: '1' }), memo)).toBe(true);
  });

  it('re-applies when the intent changed', () => {
    const memo = new AppliedMemo();
    memo.record(desired, '10');
    expect(needsApply({ ...desired, spec: { podSelector: {}, quantity: '2' } }, np('10', { podSelector: {}, quantity: '500m' }), memo)).toBe(true);
  });
});
