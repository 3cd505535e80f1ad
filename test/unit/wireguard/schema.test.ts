import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../charts-src/kube.js';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { schemaValidator } from '../../support/schemas.js';
import { wgSpec } from './fixtures.js';

/**
 * Every object of the WireGuard gateway validates against the schema the API server would use:
 * Kubernetes 1.34 definitions (charts-src/imports/k8s-definitions.json), the Istio CRDs ward imports
 * (AuthorizationPolicy), and for Gateway/VirtualService the full Istio CRD file in shared/crds.
 * Unknown fields fail, as strict field validation would reject them.
 */
const SHARED_ISTIO = new URL('../../../../shared/crds/istio/customresourcedefinitions.gen.yaml', import.meta.url);
const sharedIstio = existsSync(SHARED_ISTIO);
const validate = schemaValidator(sharedIstio ? [readFileSync(SHARED_ISTIO, 'utf8')] : []);

function objects(overrides: Record<string, unknown>): KubeObject[] {
  const r = parseRegistrySpec(wgSpec(overrides));
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const wgNamespaces = new Set(['ward-vpn', 'istio-system']);
  return synthesize(r.spec).filter((o) => wgNamespaces.has(o.metadata.namespace ?? o.metadata.name) || o.metadata.name.startsWith('admin-'));
}

const cases: [string, Record<string, unknown>][] = [
  ['the default gateway', {}],
  ['a NodePort gateway with source ranges and HTTPS', { service: { type: 'NodePort', nodePort: 31820 }, sourceRanges: ['198.51.100.0/24'], adminGateway: { address: '10.96.20.10/32', ports: [{ port: 443, targetPort: 8443, credentialName: 'admin-tls' }] } }],
];

describe.each(cases)('every WireGuard object of %s validates against its schema', (_name, overrides) => {
  const all = objects(overrides);
  const checkable = all.filter((o) => sharedIstio || !['Gateway', 'VirtualService'].includes(o.kind));
  it.each(checkable.map((o) => [`${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`, o] as const))('%s', (_id, o) => {
    expect(validate(o)).toEqual([]);
  });
});
