import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssues, parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize, toYaml } from '../../../charts-src/synthesize.js';
import { l4Missing, l7NotExactlyOnce, undeclaredGrants, undeclaredL4 } from './invariants.js';

/**
 * The invariants hold for any valid spec, not only for the presets: generated stacks with TCP and
 * UDP ports, exposed components, components in another namespace and external CIDRs.
 */
const PORTS = [
  { name: 'http', port: 8080, protocol: 'TCP' as const },
  { name: 'https', port: 8443, protocol: 'TCP' as const },
  { name: 'tcp-pg', port: 5432, protocol: 'TCP' as const },
  { name: 'udp-syslog', port: 514, protocol: 'UDP' as const },
];

const componentArb = (i: number) =>
  fc.record({
    ports: fc.subarray(PORTS, { minLength: 1 }),
    foreign: fc.boolean(),
    exposed: fc.boolean(),
  }).map(({ ports, foreign, exposed }) => {
    const name = `c${i}`;
    const tcp = ports.find((p) => p.protocol === 'TCP');
    return {
      name,
      ...(foreign && i > 0 ? { namespace: 'other' } : {}),
      selector: { app: name },
      serviceAccount: `sa-${name}`,
      ports,
      ...(exposed && tcp && !(foreign && i > 0) ? { exposure: { type: 'ingress' as const, hosts: [`${name}.example.org`], port: tcp.port } } : {}),
    };
  });

type Comp = { name: string; namespace?: string; ports: { port: number; protocol: 'TCP' | 'UDP' }[] };
type FlowIn = { from: string; to: { component?: string; cidr?: string }; ports: { port: number; protocol?: 'TCP' | 'UDP' }[] };

const specArb = fc.integer({ min: 1, max: 7 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, i) => componentArb(i))).chain((components) =>
    fc
      .array(
        fc.record({ from: fc.nat(n - 1), to: fc.nat(n - 1), cidr: fc.option(fc.constantFrom('198.51.100.0/24', '203.0.113.7/32'), { nil: undefined }), pick: fc.nat(3) }),
        { maxLength: 12 },
      )
      .map((raw) => {
        const comps = components as Comp[];
        const flows = raw.flatMap((r): FlowIn[] => {
          const from = comps[r.from]!;
          const to = comps[r.to]!;
          if (r.cidr !== undefined) return from.namespace ? [] : [{ from: from.name, to: { cidr: r.cidr }, ports: [{ port: 443 }] }];
          if (from.namespace && to.namespace) return [];
          const port = to.ports[r.pick % to.ports.length]!;
          return [{ from: from.name, to: { component: to.name }, ports: [{ port: port.port, protocol: port.protocol }] }];
        });
        return { namespace: 'gen', release: 'gen', components, flows };
      }),
  ),
);

function parsed(input: unknown): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(`generator produced an invalid spec: ${formatIssues(r.issues)}`);
  return r.spec;
}

describe('synthesis of generated specs', () => {
  it('allows exactly the declared flows at L4 and L7, and nothing else', () => {
    fc.assert(
      fc.property(specArb, (input) => {
        const spec = parsed(input);
        const objects = synthesize(spec);
        expect({ l4Missing: l4Missing(spec, objects), l7: l7NotExactlyOnce(spec, objects), grants: undeclaredGrants(spec, objects), l4Extra: undeclaredL4(spec, objects) }).toEqual({
          l4Missing: [],
          l7: [],
          grants: [],
          l4Extra: [],
        });
      }),
      { numRuns: 150, seed: 20261129 },
    );
  });

  it('writes objects only into the spec namespace (and the root namespace for mesh-wide mTLS)', () => {
    fc.assert(
      fc.property(specArb, (input) => {
        const namespaces = new Set(synthesize(parsed(input)).map((o) => o.metadata.namespace ?? o.metadata.name));
        expect([...namespaces]).toEqual(['gen']);
      }),
      { numRuns: 50, seed: 7 },
    );
  });

  it('is deterministic for every generated spec', () => {
    fc.assert(
      fc.property(specArb, (input) => {
        expect(toYaml(synthesize(parsed(input)))).toBe(toYaml(synthesize(parsed(structuredClone(input)))));
      }),
      { numRuns: 30, seed: 11 },
    );
  });
});
