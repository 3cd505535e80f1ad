import { describe, expect, it } from 'vitest';
import { buildFlowContext } from '../../../policies/flows/analyze.js';
import type { Protocol } from '../../../policies/flows/connset.js';
import { explain, formatExplanation, resolveEndpoint, type Endpoint } from '../../../policies/flows/explain.js';
import { istioMatch } from '../../../policies/flows/authz.js';
import { indexOfScenario } from './helpers.js';

function verdict(scenario: string, src: string, dst: string, port: number, protocol: Protocol = 'TCP'): { verdict: string; text: string } {
  const ctx = buildFlowContext(indexOfScenario(scenario));
  const e = explain(ctx, { src: resolveEndpoint(ctx, src) as Endpoint, dst: resolveEndpoint(ctx, dst) as Endpoint, protocol, port, layer: 'mesh' });
  return { verdict: e.verdict, text: formatExplanation(e) };
}

describe('the Istio layer', () => {
  it.each([
    ['ALLOW by principal admits the registry', '26-mesh-allow-by-principal', 'reg/registry', 'reg/db', 5432, 'allowed', 'ALLOW AuthorizationPolicy reg/db-from-registry: allows'],
    ['ALLOW by principal refuses another service account', '26-mesh-allow-by-principal', 'reg/mail', 'reg/db', 5432, 'denied', 'none matches: denied'],
    ['ALLOW by principal refuses another port', '26-mesh-allow-by-principal', 'reg/registry', 'reg/db', 5433, 'denied', 'none matches'],
    ['STRICT refuses plaintext from outside the cluster', '26-mesh-allow-by-principal', '198.51.100.1', 'reg/db', 5432, 'denied', 'plaintext refused under STRICT'],
    ['DENY overrides a namespace-wide ALLOW', '27-mesh-deny-overrides-allow', 'km/reporting', 'km/keymanager', 8088, 'denied', 'DENY AuthorizationPolicy km/no-reporting: denies'],
    ['the namespace-wide ALLOW admits the registry', '27-mesh-deny-overrides-allow', 'km/registry', 'km/keymanager', 8088, 'allowed', 'ALLOW AuthorizationPolicy km/same-namespace: allows'],
    ['allow-nothing denies every TCP connection', '28-mesh-allow-nothing', 'locked/caller', 'locked/api', 8080, 'denied', 'locked/allow-nothing'],
    ['UDP is not intercepted by the sidecar', '28-mesh-allow-nothing', 'locked/caller', 'locked/api', 53, 'allowed', 'UDP is not intercepted'],
    ['STRICT refuses a client without a sidecar', '29-mesh-strict-vs-permissive', 'legacy/client', 'mesh/strict-svc', 8080, 'denied', 'plaintext refused under STRICT'],
    ['PERMISSIVE accepts a client without a sidecar', '29-mesh-strict-vs-permissive', 'legacy/client', 'mesh/permissive-svc', 8080, 'allowed', 'mTLS on port 8080: PERMISSIVE'],
    ['portLevelMtls PERMISSIVE opens one port of a STRICT workload', '29-mesh-strict-vs-permissive', 'legacy/client', 'mesh/strict-svc', 9090, 'allowed', 'PERMISSIVE (PeerAuthentication mesh/strict-svc, port)'],
    ['a rule with paths and methods only partially allows', '30-mesh-l7-partial', 'km/registry', 'km/keymanager', 8088, 'partially allowed', 'allows only requests meeting L7 conditions'],
    ['a DENY with paths makes the rest partial', '30-mesh-l7-partial', 'km/monitor', 'km/registry', 8069, 'partially allowed', 'denies requests meeting L7 conditions'],
    ['a source the L7 rule does not name is denied', '30-mesh-l7-partial', 'km/monitor', 'km/keymanager', 8088, 'denied', 'none matches'],
    ['a DestinationRule with tls.mode DISABLE breaks a STRICT destination', '33-mesh-destinationrule-disable', 'km/registry', 'km/keymanager', 8088, 'denied', 'DestinationRule km/no-mtls (host *.km.svc.cluster.local) sets tls.mode DISABLE'],
    ['the client namespace\'s DestinationRule wins', '33-mesh-destinationrule-disable', 'reporting/exporter', 'km/keymanager', 8088, 'allowed', 'mTLS on port 8088: STRICT'],
    ['plaintext reaches a PERMISSIVE destination without a principal', '33-mesh-destinationrule-disable', 'km/registry', 'km/mail', 25, 'denied', 'none matches: denied'],
    ['ports no Service fronts keep auto mTLS', '33-mesh-destinationrule-disable', 'km/registry', 'km/mail', 26, 'allowed', 'ALLOW AuthorizationPolicy km/mail: allows'],
  ] as const)('%s', (...row) => {
    const [, scenario, src, dst, port, expected, reason] = row;
    const protocol: Protocol = port === 53 ? 'UDP' : 'TCP';
    const r = verdict(scenario, src, dst, port, protocol);
    expect(r.verdict).toBe(expected);
    expect(r.text).toContain(reason);
  });

  it.each([
    ['*', 'cluster.local/ns/a/sa/b', true],
    ['*', undefined, false],
    ['cluster.local/ns/a/*', 'cluster.local/ns/a/sa/b', true],
    ['*/sa/b', 'cluster.local/ns/a/sa/b', true],
    ['cluster.local/ns/a/sa/b', 'cluster.local/ns/a/sa/c', false],
  ])('Istio string match %s against %s is %s', (pattern, value, expected) => {
    expect(istioMatch(pattern, value)).toBe(expected);
  });
});
