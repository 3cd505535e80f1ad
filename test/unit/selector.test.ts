import { describe, expect, it } from 'vitest';
import { isEmptySelector, matchesSelector, selectorKey } from '../../charts-src/selector.js';

describe('label selectors', () => {
  const labels = { app: 'odoo', tier: 'web' };
  it.each([
    ['an empty selector matches everything', {}, true],
    ['matchLabels equal matches', { matchLabels: { app: 'odoo' } }, true],
    ['matchLabels different value does not match', { matchLabels: { app: 'postgres' } }, false],
    ['In with the value matches', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'db'] }] }, true],
    ['NotIn with the value does not match', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, false],
    ['NotIn on a missing key matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists on a present key matches', { matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    ['DoesNotExist on a present key does not match', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    ['matchLabels and expressions are ANDed', { matchLabels: { app: 'odoo' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] }, false],
  ])('%s', (_name, selector, expected) => {
    expect(matchesSelector(selector, labels)).toBe(expected);
  });

  it('recognises the empty selector and keys selectors stably', () => {
    expect(isEmptySelector({ matchLabels: {} })).toBe(true);
    expect(isEmptySelector({ matchLabels: { a: 'b' } })).toBe(false);
    expect(selectorKey({ matchLabels: { b: '2', a: '1' } })).toBe(selectorKey({ matchLabels: { a: '1', b: '2' } }));
  });
});
