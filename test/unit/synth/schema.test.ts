/* eslint-disable @typescript-eslint/no-explicit-any -- tests poke at untyped documents (manifests) */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../../charts-src/kube.js';
import { formatIssues, parseRegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { schemaValidator } from '../../support/schemas.js';
import { wgSpec } from '../wireguard/fixtures.js';

/**
 * Every synthesised object validates against the schema the API server would use: Istio objects
 * against their CRD's openAPIV3Schema, core objects against the Kubernetes 1.34 swagger definitions,
 * unknown fields failing (see test/support/schemas.ts).
 */
const validate = schemaValidator();

function specFor(input: unknown) {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.spec;
}

const inputs: [string, unknown][] = [
  ['preset openg2p-social-registry', { preset: 'openg2p-social-registry', namespace: 'dev' }],
  ['preset openg2p-commons', { preset: 'openg2p-commons', namespace: 'dev' }],
  ['the bare example spec (UDP, external CIDRs)', parseAllDocuments(readFileSync(new URL('../../../examples/registry-spec.yaml', import.meta.url), 'utf8'))[0]!.toJS()],
  ['a spec with the WireGuard admin gateway', wgSpec()],
  [
    'a mesh-wide, PERMISSIVE spec',
    { preset: 'openg2p-commons', namespace: 'dev', mesh: { mtlsMode: 'PERMISSIVE', mtlsReason: 'migration window', meshWide: true } },
  ],
];

describe.each(inputs)('every object synthesised from %s validates against its schema', (_name, input) => {
  const objects = synthesize(specFor(input));
  it.each(objects.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const))('%s', (_id, o) => {
    expect(validate(o)).toEqual([]);
  });
});

describe('the schema validation itself', () => {
  const ns = synthesize(specFor({ preset: 'openg2p-social-registry', namespace: 'dev' }));
  const find = (kind: string, name: string): KubeObject => ns.find((o) => o.kind === kind && o.metadata.name === name)!;

  it('rejects an unknown field in an Istio object', () => {
    const pa = find('PeerAuthentication', 'default');
    expect(validate({ ...pa, spec: { mtls: { mode: 'STRICT', colour: 'blue' } } })).toEqual([`/spec/mtls must NOT have additional properties {"additionalProperty":"colour"}`]);
  });

  it('rejects a value outside an Istio enum', () => {
    const pa = find('PeerAuthentication', 'default');
    expect(validate({ ...pa, spec: { mtls: { mode: 'STRICTEST' } } })[0]).toMatch(/^\/spec\/mtls\/mode must be equal to one of the allowed values/);
  });

  it('rejects a NetworkPolicy port given as an object', () => {
    const np = find('NetworkPolicy', 'allow-dns');
    const bad = { ...np, spec: { ...(np as any).spec, egress: [{ ports: [{ port: { value: 53 }, protocol: 'UDP' }] }] } };
    expect(validate(bad).length).toBeGreaterThan(0);
  });

  it('rejects an unknown field in a core object', () => {
    const n = find('Namespace', 'dev');
    expect(validate({ ...n, spec: { finalizers: [], colour: 'blue' } })).toEqual([`/spec must NOT have additional properties {"additionalProperty":"colour"}`]);
  });
});
