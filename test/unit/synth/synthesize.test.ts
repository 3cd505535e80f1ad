/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- tests poke at untyped documents (specs and manifests) */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Annotations, Labels, type KubeObject } from '../../../charts-src/kube.js';
import { formatIssues, parseRegistrySpec, type RegistrySpec } from '../../../charts-src/model/index.js';
import { synthesize, toJson, toYaml } from '../../../charts-src/synthesize.js';
import { allowRulesFor, egressAllowedBy, ingressAllowedBy, isolated, type Pod } from './evaluate.js';
import { l4Missing, l7NotExactlyOnce, podOf as pod, undeclaredGrants, undeclaredL4 } from './invariants.js';

function parse(input: unknown): RegistrySpec {
  const r = parseRegistrySpec(input);
  if (!r.ok) throw new Error(formatIssues(r.issues));
  return r.spec;
}

const PRESETS = ['openg2p-social-registry', 'openg2p-commons'] as const;
const presetSpec = (preset: string): RegistrySpec => parse({ preset, release: 'openg2p', namespace: 'dev' });

/** A spec exercising what the presets do not: UDP, external CIDRs, a weaker mTLS mode, mesh-wide policy. */
function edgeSpec(overrides: Record<string, unknown> = {}): RegistrySpec {
  return parse({
    namespace: 'registry',
    release: 'demo',
    components: [
      { name: 'registry', selector: { app: 'registry' }, serviceAccount: 'registry', ports: [{ name: 'http', port: 8069 }], exposure: { type: 'ingress', hosts: ['registry.example.org'] } },
      { name: 'postgresql', selector: { app: 'postgresql' }, serviceAccount: 'postgresql', ports: [{ name: 'tcp-pg', port: 5432 }] },
      { name: 'syslog', selector: { app: 'syslog' }, serviceAccount: 'syslog', ports: [{ name: 'udp-syslog', port: 514, protocol: 'UDP' }, { name: 'tcp-syslog', port: 6514 }] },
      { name: 'reporter', selector: { app: 'reporter' }, serviceAccount: 'reporter' },
      { name: 'idp', namespace: 'identity', selector: { app: 'idp' }, serviceAccount: 'idp', ports: [{ name: 'http', port: 8080 }] },
    ],
    flows: [
      { from: 'registry', to: { component: 'postgresql' }, ports: [{ port: 5432 }] },
      { from: 'registry', to: { component: 'syslog' }, ports: [{ port: 514, protocol: 'UDP' }, { port: 6514 }] },
      { from: 'reporter', to: { component: 'syslog' }, ports: [{ port: 514, protocol: 'UDP' }] },
      { from: 'registry', to: { component: 'idp' }, ports: [{ port: 8080 }] },
      { from: 'idp', to: { component: 'registry' }, ports: [{ port: 8069 }] },
      { from: 'registry', to: { cidr: '198.51.100.25/32' }, ports: [{ port: 587 }] },
      { from: 'syslog', to: { cidr: '203.0.113.0/24' }, ports: [{ port: 514, protocol: 'UDP' }] },
    ],
    ...overrides,
  });
}

function byKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

const specOf = (o: KubeObject): any => (o as any).spec;

describe.each(PRESETS)('synthesis of preset %s', (preset) => {
  const spec = presetSpec(preset);
  const objects = synthesize(spec);
  const local = spec.components.filter((c) => (c.namespace ?? spec.namespace) === spec.namespace);

  it('matches the golden output', async () => {
    await expect(toYaml(objects)).toMatchFileSnapshot(`./__golden__/${preset}.yaml`);
  });

  it('covers every component of the namespace with STRICT mTLS through one namespace-wide PeerAuthentication', () => {
    const pas = byKind(objects, 'PeerAuthentication').filter((o) => o.metadata.namespace === spec.namespace);
    expect(pas.map((o) => [o.metadata.name, specOf(o)])).toEqual([['default', { mtls: { mode: 'STRICT' } }]]);
    expect(local.length).toBeGreaterThan(5);
  });

  it('emits no DestinationRule and no Secret', () => {
    expect(objects.filter((o) => o.kind === 'DestinationRule' || o.kind === 'Secret')).toEqual([]);
  });

  it('allows every declared flow at L4 on both sides', () => {
    expect(l4Missing(spec, objects)).toEqual([]);
  });

  it('allows every declared flow into the namespace at L7 by exactly one ALLOW rule', () => {
    expect(l7NotExactlyOnce(spec, objects)).toEqual([]);
  });

  it('gives nothing undeclared an ALLOW: every granted (principal, port) is a declared flow or the ingress gateway to an exposed port', () => {
    expect(undeclaredGrants(spec, objects)).toEqual([]);
  });

  it('denies what is not declared at L4: no component reaches a port of another without a flow', () => {
    expect(undeclaredL4(spec, objects)).toEqual([]);
  });

  it('isolates every pod of the namespace in both directions and allows DNS and istiod to all', () => {
    const anyPod: Pod = { namespace: spec.namespace, labels: { 'some-other': 'pod' } };
    expect(isolated(objects, anyPod, 'Ingress') && isolated(objects, anyPod, 'Egress')).toBe(true);
    const dns: Pod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    expect(egressAllowedBy(objects, anyPod, dns, 53, 'UDP')).toEqual(['allow-dns']);
    expect(egressAllowedBy(objects, anyPod, dns, 53, 'TCP')).toEqual(['allow-dns']);
    expect(egressAllowedBy(objects, anyPod, { namespace: 'istio-system', labels: { app: 'istiod' } }, 15012, 'TCP')).toEqual(['allow-istiod']);
  });

  it('lets the ingress gateway reach exactly the exposed components on their exposed port', () => {
    const gw: Pod = { namespace: 'istio-system', labels: { istio: 'ingressgateway' } };
    for (const c of local) {
      const reachable = c.ports.filter((p) => ingressAllowedBy(objects, gw, pod(spec, c), p.port, p.protocol).length > 0).map((p) => p.port);
      expect(reachable, c.name).toEqual(c.exposure.type === 'ingress' ? [c.exposure.port ?? c.ports[0]!.port] : []);
    }
  });

  it('labels every object as managed by ward and owned by <namespace>.<release>', () => {
    for (const o of objects) {
      expect(o.metadata.labels?.[Labels.managedBy]).toBe('ward');
      expect(o.metadata.labels?.[Labels.owner]).toBe('dev.openg2p');
      expect(o.metadata.labels?.[Labels.ownerUid]).toBeUndefined();
      expect(o.metadata.annotations?.[Annotations.mtlsException]).toBeUndefined();
    }
  });

  it('restricts sidecar egress to the namespace, istiod and cross-namespace flow targets, REGISTRY_ONLY', () => {
    const sidecars = byKind(objects, 'Sidecar');
    const crossNs = [...new Set(spec.components.filter((c) => c.namespace && c.namespace !== spec.namespace).map((c) => `${c.namespace}/*`))];
    expect(sidecars.map((o) => specOf(o))).toEqual([{ egress: [{ hosts: ['./*', ...['istio-system/*', ...crossNs].sort()] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } }]);
  });
});

describe('synthesis details', () => {
  it('is byte-identical across runs', () => {
    const spec = presetSpec('openg2p-social-registry');
    expect(toYaml(synthesize(spec))).toBe(toYaml(synthesize(presetSpec('openg2p-social-registry'))));
    expect(toJson(synthesize(spec))).toBe(toJson(synthesize(spec)));
  });

  it('does not depend on the order of components and flows in the spec', () => {
    const spec = edgeSpec();
    const expected = toYaml(synthesize(spec));
    fc.assert(
      fc.property(fc.shuffledSubarray(spec.components, { minLength: spec.components.length }), fc.shuffledSubarray(spec.flows, { minLength: spec.flows.length }), (components, flows) => {
        expect(toYaml(synthesize({ ...spec, components, flows }))).toBe(expected);
      }),
      { numRuns: 25, seed: 42 },
    );
  });

  it('does not depend on the order of labels in selectors', () => {
    const spec = presetSpec('openg2p-social-registry');
    const reversed = { ...spec, components: spec.components.map((c) => ({ ...c, selector: Object.fromEntries(Object.entries(c.selector).reverse()) })) };
    expect(toYaml(synthesize(reversed))).toBe(toYaml(synthesize(spec)));
  });

  it('quotes strings that YAML 1.1 readers (kubectl) would take for booleans or numbers', () => {
    const spec = edgeSpec({
      components: [
        { name: 'registry', selector: { app: 'registry', legacy: 'yes', mode: 'on', perm: '0777' }, serviceAccount: 'registry', ports: [{ name: 'http', port: 8069 }], exposure: { type: 'ingress', hosts: ['r.example.org'] } },
      ],
      flows: [],
    });
    const yaml = toYaml(synthesize(spec));
    expect(yaml).toContain('legacy: "yes"');
    expect(yaml).toContain('mode: "on"');
    expect(yaml).toContain('perm: "0777"');
    expect(yaml).not.toMatch(/: (yes|on)$/m);
  });

  it('sorts objects by kind order, then namespace, then name', () => {
    const objects = synthesize(edgeSpec());
    expect(objects.map((o) => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
      'Namespace /registry',
      'PeerAuthentication registry/default',
      'AuthorizationPolicy registry/allow-nothing',
      'AuthorizationPolicy registry/allow-postgresql',
      'AuthorizationPolicy registry/allow-registry',
      'AuthorizationPolicy registry/allow-syslog',
      'Sidecar registry/default',
      'ServiceEntry registry/external-198-51-100-25-32',
      'NetworkPolicy registry/allow-dns',
      'NetworkPolicy registry/allow-istiod',
      'NetworkPolicy registry/default-deny',
      'NetworkPolicy registry/postgresql',
      'NetworkPolicy registry/registry',
      'NetworkPolicy registry/reporter',
      'NetworkPolicy registry/syslog',
    ]);
  });

  it('gives UDP flows an L4 rule and no L7 rule (Istio authorization ports are TCP only)', () => {
    const spec = edgeSpec();
    const objects = synthesize(spec);
    const syslog = { namespace: 'registry', labels: { app: 'syslog' } };
    const reporter = { namespace: 'registry', labels: { app: 'reporter' } };
    expect(egressAllowedBy(objects, reporter, syslog, 514, 'UDP')).toEqual(['reporter']);
    expect(ingressAllowedBy(objects, reporter, syslog, 514, 'UDP')).toEqual(['syslog']);
    expect(allowRulesFor(objects, syslog)).toEqual([{ policy: 'allow-syslog', principal: 'cluster.local/ns/registry/sa/registry', port: '6514' }]);
    expect(egressAllowedBy(objects, syslog, { cidr: '203.0.113.0/24' }, 514, 'UDP')).toEqual(['syslog']);
  });

  it('reaches an external CIDR through an egress ipBlock and a mesh-external ServiceEntry for TCP only', () => {
    const objects = synthesize(edgeSpec());
    const registry = { namespace: 'registry', labels: { app: 'registry' } };
    expect(egressAllowedBy(objects, registry, { cidr: '198.51.100.25/32' }, 587, 'TCP')).toEqual(['registry']);
    expect(byKind(objects, 'ServiceEntry').map((o) => specOf(o))).toEqual([
      {
        addresses: ['198.51.100.25/32'],
        exportTo: ['.'],
        hosts: ['external-198-51-100-25-32.registry.ward.invalid'],
        location: 'MESH_EXTERNAL',
        ports: [{ name: 'tcp-587', number: 587, protocol: 'TCP' }],
        resolution: 'NONE',
      },
    ]);
  });

  it('writes nothing into the namespace of a component of another namespace, and reaches it by namespace and pod selector', () => {
    const objects = synthesize(edgeSpec());
    expect(objects.filter((o) => o.metadata.namespace === 'identity')).toEqual([]);
    const registry = { namespace: 'registry', labels: { app: 'registry' } };
    const idp = { namespace: 'identity', labels: { app: 'idp' }, principal: 'cluster.local/ns/identity/sa/idp' };
    expect(egressAllowedBy(objects, registry, idp, 8080, 'TCP')).toEqual(['registry']);
    expect(ingressAllowedBy(objects, idp, registry, 8069, 'TCP')).toEqual(['registry']);
    expect(allowRulesFor(objects, registry).filter((r) => r.principal === idp.principal)).toEqual([{ policy: 'allow-registry', principal: idp.principal, port: '8069' }]);
  });

  it('annotates the namespace and its PeerAuthentication with the reason when mTLS is weaker than STRICT', () => {
    const reason = 'legacy reporting job without sidecar until 2026-12';
    const objects = synthesize(edgeSpec({ mesh: { mtlsMode: 'PERMISSIVE', mtlsReason: reason } }));
    const annotated = objects.filter((o) => o.metadata.annotations?.[Annotations.mtlsException] !== undefined);
    expect(annotated.map((o) => [o.kind, o.metadata.annotations?.[Annotations.mtlsException]])).toEqual([
      ['Namespace', reason],
      ['PeerAuthentication', reason],
    ]);
    expect(specOf(byKind(objects, 'PeerAuthentication')[0]!)).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  it('waives WARD-MTLS-006 on the weaker PeerAuthentication only, with the reason on one line', () => {
    const objects = synthesize(edgeSpec({ mesh: { mtlsMode: 'DISABLE', mtlsReason: 'legacy reporting job\nwithout sidecar' } }));
    const waived = objects.filter((o) => o.metadata.annotations?.[Annotations.waive] !== undefined);
    expect(waived.map((o) => [o.kind, o.metadata.name, o.metadata.annotations?.[Annotations.waive]])).toEqual([
      ['PeerAuthentication', 'default', 'WARD-MTLS-006: legacy reporting job without sidecar'],
    ]);
    expect(synthesize(edgeSpec()).filter((o) => o.metadata.annotations?.[Annotations.waive] !== undefined)).toEqual([]);
  });

  it('adds a STRICT mesh-wide PeerAuthentication in the root namespace when asked', () => {
    const objects = synthesize(edgeSpec({ mesh: { meshWide: true, rootNamespace: 'istio-config' } }));
    expect(byKind(objects, 'PeerAuthentication').map((o) => [o.metadata.namespace, specOf(o)])).toEqual([
      ['istio-config', { mtls: { mode: 'STRICT' } }],
      ['registry', { mtls: { mode: 'STRICT' } }],
    ]);
  });

  it('labels every object with the owner the operator passes, including its uid', () => {
    const objects = synthesize(edgeSpec(), { owner: { name: 'sr', namespace: 'ops', uid: '0b6e5a9c-2f0e-4f4e-9a43-1d6f1c1e0d11' } });
    for (const o of objects) {
      expect(o.metadata.labels).toMatchObject({ [Labels.managedBy]: 'ward', [Labels.owner]: 'ops.sr', [Labels.ownerUid]: '0b6e5a9c-2f0e-4f4e-9a43-1d6f1c1e0d11' });
    }
  });

  it('keeps an over-long owner label value within 63 characters, stable across runs', () => {
    const owner = { name: 'a'.repeat(60), namespace: 'b'.repeat(20) };
    const label = synthesize(edgeSpec(), { owner })[0]!.metadata.labels?.[Labels.owner];
    expect(label).toHaveLength(63);
    expect(label).toMatch(/^b{20}\.a+-[0-9a-f]{10}$/);
    expect(synthesize(edgeSpec(), { owner })[0]!.metadata.labels?.[Labels.owner]).toBe(label);
  });

  it('drops the injection label when sidecar injection is off, and the istiod egress with it', () => {
    const objects = synthesize(edgeSpec({ mesh: { sidecarInjection: false } }));
    expect(byKind(objects, 'Namespace')[0]!.metadata.labels?.['istio-injection']).toBeUndefined();
    expect(objects.some((o) => o.metadata.name === 'allow-istiod')).toBe(false);
  });

  it('never emits a Secret or secret material, even for a spec that references Secrets', () => {
    const spec = presetSpec('openg2p-social-registry');
    expect(spec.secrets.length).toBeGreaterThan(0);
    const yaml = toYaml(synthesize(spec));
    expect(yaml).not.toMatch(/^kind: Secret$/m);
    expect(yaml).not.toMatch(/^\s*(data|stringData):/m);
    for (const key of spec.secrets.flatMap((s) => s.keys.map((k) => k.key))) expect(yaml).not.toContain(key);
  });
});
