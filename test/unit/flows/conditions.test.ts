import { describe, expect, it } from 'vitest';
import { ruleConditions } from '../../../policies/flows/conditions.js';

describe('--explain names the L7 conditions of a rule', () => {
  it.each([
    ['admin paths of a DENY', { to: [{ operation: { paths: ['/web/database/*', '/xmlrpc/2/db'] } }] }, ['paths /web/database/*, /xmlrpc/2/db']],
    ['a token from an issuer and a role claim', { from: [{ source: { principals: ['cluster.local/ns/sr/sa/sr-odoo'], requestPrincipals: ['https://kc.example.org/realms/master/*'] } }], when: [{ key: 'request.auth.claims[realm_access][roles]', values: ['KEYMANAGER_ADMIN'] }] },
      ['a valid token from issuer https://kc.example.org/realms/master', 'claim realm_access.roles one of KEYMANAGER_ADMIN']],
    ['any issuer', { from: [{ source: { requestPrincipals: ['*'] } }] }, ['a valid token from any issuer']],
    ['requests without a token', { from: [{ source: { notRequestPrincipals: ['*'] } }] }, ['no token']],
    ['hosts and methods', { to: [{ operation: { hosts: ['sr.example.org'], notMethods: ['GET'] } }] }, ['hosts sr.example.org', 'methods other than GET']],
    ['a header condition', { when: [{ key: 'request.headers[x-admin]', values: ['1'] }] }, ['request.headers[x-admin] one of 1']],
    ['no L7 field at all', { from: [{ source: { principals: ['a'] } }], to: [{ operation: { ports: ['80'] } }] }, []],
  ])('%s', (_n, rule, want) => {
    expect(ruleConditions(rule)).toEqual(want);
  });
});
