/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return -- tests poke at untyped documents (specs and manifests) */
import { describe, expect, it } from 'vitest';
import { formatIssues, IssueCode, parseRegistrySpec, registryDeploymentOwner, type SpecIssue } from '../../../charts-src/model/index.js';

/** A small valid spec; each case mutates a fresh copy. */
function base(): Record<string, any> {
  return {
    namespace: 'dev',
    components: [
      { name: 'registry', selector: { app: 'registry' }, serviceAccount: 'registry', ports: [{ name: 'http', port: 8069 }] },
      { name: 'db', selector: { app: 'db' }, serviceAccount: 'db', ports: [{ name: 'pg', port: 5432 }] },
    ],
    flows: [{ from: 'registry', to: { component: 'db' }, ports: [{ port: 5432 }] }],
  };
}

function issuesOf(input: unknown): readonly SpecIssue[] {
  const r = parseRegistrySpec(input);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.issues;
}

const invalid: [string, (s: Record<string, any>) => void, SpecIssue[]][] = [
  [
    'a flow to an undeclared component names the declared ones',
    (s) => (s.flows[0].to.component = 'nope'),
    [{ code: IssueCode.UnknownComponent, path: ['flows', 0, 'to', 'component'], message: 'unknown component "nope": must be one of the declared components (db, registry)' }],
  ],
  [
    'a flow from an undeclared component is reported at its from field',
    (s) => (s.flows[0].from = 'ghost'),
    [{ code: IssueCode.UnknownComponent, path: ['flows', 0, 'from'], message: 'unknown component "ghost": must be one of the declared components (db, registry)' }],
  ],
  [
    'two components with the same name are reported at the second',
    (s) => s.components.push({ name: 'db', selector: { app: 'db2' }, serviceAccount: 'db2' }),
    [{ code: IssueCode.Duplicate, path: ['components', 2, 'name'], message: 'duplicate component name "db" (first declared at index 1): names must be unique' }],
  ],
  [
    'two ports of a component with the same name are reported',
    (s) => s.components[0].ports.push({ name: 'http', port: 8080 }),
    [{ code: IssueCode.Duplicate, path: ['components', 0, 'ports', 1, 'name'], message: 'duplicate port name "http" (first declared at index 0): names must be unique' }],
  ],
  [
    'a port above 65535 is out of range',
    (s) => (s.flows[0].ports[0].port = 70000),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'ports', 0, 'port'], message: 'must be between 1 and 65535, got a number (70000)' }],
  ],
  [
    'port 0 is out of range',
    (s) => (s.components[1].ports[0].port = 0),
    [{ code: IssueCode.InvalidValue, path: ['components', 1, 'ports', 0, 'port'], message: 'must be between 1 and 65535, got a number (0)' }],
  ],
  [
    'an address without a mask gets the /32 suggestion',
    (s) => (s.flows[0].to = { cidr: '10.0.0.1' }),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'to', 'cidr'], message: 'CIDR mask is missing in "10.0.0.1": did you mean "10.0.0.1/32"?' }],
  ],
  [
    'a mask above 32 is not a CIDR',
    (s) => (s.flows[0].to = { cidr: '10.0.0.0/33' }),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'to', 'cidr'], message: 'must be an IPv4 CIDR such as 203.0.113.0/24 (add /32 for a single address), got "10.0.0.0/33"' }],
  ],
  [
    'a CIDR with host bits set suggests the network address',
    (s) => (s.flows[0].to = { cidr: '10.1.2.3/8' }),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'to', 'cidr'], message: '"10.1.2.3/8" has host bits set: did you mean "10.0.0.0/8"?' }],
  ],
  [
    '0.0.0.0/0 is refused as it allows every address',
    (s) => (s.flows[0].to = { cidr: '0.0.0.0/0' }),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'to', 'cidr'], message: '"0.0.0.0/0" allows every address: name the destination range, e.g. 203.0.113.0/24' }],
  ],
  [
    'a target with both component and cidr is ambiguous',
    (s) => (s.flows[0].to = { component: 'db', cidr: '203.0.113.0/24' }),
    [{ code: IssueCode.AmbiguousTarget, path: ['flows', 0, 'to'], message: 'must set exactly one of "component" (a declared component) or "cidr" (an address range outside the cluster)' }],
  ],
  [
    'PERMISSIVE mTLS without a reason is refused',
    (s) => (s.mesh = { mtlsMode: 'PERMISSIVE' }),
    [{ code: IssueCode.MissingReason, path: ['mesh', 'mtlsReason'], message: 'mtlsMode PERMISSIVE is weaker than STRICT: state why in mesh.mtlsReason, or use STRICT' }],
  ],
  [
    'DISABLE mTLS without a reason is refused',
    (s) => (s.mesh = { mtlsMode: 'DISABLE' }),
    [{ code: IssueCode.MissingReason, path: ['mesh', 'mtlsReason'], message: 'mtlsMode DISABLE is weaker than STRICT: state why in mesh.mtlsReason, or use STRICT' }],
  ],
  [
    'a flow to a port the destination does not declare names the declared ports',
    (s) => (s.flows[0].ports = [{ port: 5433 }]),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'ports', 0], message: '5433/TCP is not a port of component "db": must be one of 5432/TCP' }],
  ],
  [
    'an empty selector would select every pod',
    (s) => (s.components[0].selector = {}),
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'selector'], message: 'must have at least one label: an empty selector would select every pod' }],
  ],
  [
    'two components selecting the same pods are refused',
    (s) => (s.components[1].selector = { app: 'registry' }),
    [{ code: IssueCode.Duplicate, path: ['components', 1, 'selector'], message: 'selects the same pods as component "registry": give each component its own labels' }],
  ],
  [
    'a selector that also selects the pods of another component is refused',
    (s) => (s.components[1].selector = { app: 'registry', role: 'db' }),
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'selector'], message: 'also selects the pods of component "db" (its labels are a subset of theirs): add a label that tells them apart' }],
  ],
  [
    'two components sharing a service account are refused, as their mesh identity would be the same',
    (s) => (s.components[1].serviceAccount = 'registry'),
    [{ code: IssueCode.Duplicate, path: ['components', 1, 'serviceAccount'], message: 'service account "registry" is also the identity of component "registry": authorization could not tell them apart; give each component its own, or state sharedIdentityReason' }],
  ],
  [
    'a flow without ports would allow every port',
    (s) => (s.flows[0].ports = []),
    [{ code: IssueCode.InvalidValue, path: ['flows', 0, 'ports'], message: 'must list at least one port: a flow without ports would allow every port' }],
  ],
  [
    'a wildcard ingress host is refused',
    (s) => (s.components[0].exposure = { type: 'ingress', hosts: ['*.example.org'] }),
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'exposure', 'hosts', 0], message: 'host "*.example.org" is a wildcard: name the exact host, e.g. registry.example.org' }],
  ],
  [
    'an exposed port the component does not listen on is refused',
    (s) => (s.components[0].exposure = { type: 'ingress', hosts: ['r.example.org'], port: 9999 }),
    [{ code: IssueCode.InvalidValue, path: ['components', 0, 'exposure', 'port'], message: 'port 9999 is not a TCP port of component "registry": must be one of 8069/TCP' }],
  ],
  [
    'an exposed component without any port is refused',
    (s) => s.components.push({ name: 'ui', selector: { app: 'ui' }, serviceAccount: 'ui', exposure: { type: 'ingress', hosts: ['ui.example.org'] } }),
    [{ code: IssueCode.Required, path: ['components', 2, 'exposure', 'port'], message: 'component "ui" is exposed but declares no port: set exposure.port or list its ports' }],
  ],
  [
    'a flow between two components of other namespaces cannot be enforced',
    (s) => {
      s.components.push({ name: 'a', namespace: 'other', selector: { app: 'a' }, serviceAccount: 'a' }, { name: 'b', namespace: 'other', selector: { app: 'b' }, serviceAccount: 'b' });
      s.flows.push({ from: 'a', to: { component: 'b' }, ports: [{ port: 80 }] });
    },
    [{ code: IssueCode.InvalidValue, path: ['flows', 1, 'from'], message: 'neither end of the flow runs in namespace "dev": ward cannot enforce it; declare it in the spec of its own namespace' }],
  ],
  [
    'a component named like one of ward\'s own policies is refused',
    (s) => s.components.push({ name: 'allow-dns', selector: { app: 'dns' }, serviceAccount: 'dns' }),
    [{ code: IssueCode.InvalidValue, path: ['components', 2, 'name'], message: 'component name "allow-dns" is reserved for ward\'s own policies (default-deny, allow-dns, allow-istiod, nothing): choose another name' }],
  ],
  [
    'a component named "nothing" is refused, as its policy would be allow-nothing',
    (s) => s.components.push({ name: 'nothing', selector: { app: 'n' }, serviceAccount: 'n' }),
    [{ code: IssueCode.InvalidValue, path: ['components', 2, 'name'], message: 'component name "nothing" is reserved for ward\'s own policies (default-deny, allow-dns, allow-istiod, nothing): choose another name' }],
  ],
  [
    'an unknown field is named',
    (s) => (s.colour = 'blue'),
    [{ code: IssueCode.UnknownField, path: [], message: 'unknown field "colour": check the spelling against `ward synth --help` or the CRD' }],
  ],
  [
    'a missing namespace is required',
    (s) => delete s.namespace,
    [{ code: IssueCode.Required, path: ['namespace'], message: 'is required' }],
  ],
  [
    'an unknown preset lists the known ones',
    (s) => (s.preset = 'odoo'),
    [{ code: IssueCode.UnknownPreset, path: ['preset'], message: 'unknown preset "odoo": must be one of openg2p-social-registry, openg2p-commons' }],
  ],
];

describe('parseRegistrySpec rejects invalid specs with a path, a code and what would be valid', () => {
  it.each(invalid)('%s', (_name, mutate, expected) => {
    const s = base();
    mutate(s);
    expect(issuesOf(s)).toEqual(expected);
  });

  it('reports issues under spec. when given a RegistryDeployment', () => {
    const s = base();
    s.flows[0].to.component = 'nope';
    const issues = issuesOf({ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev' }, spec: s });
    expect(formatIssues(issues)).toBe('spec.flows[0].to.component: unknown component "nope": must be one of the declared components (db, registry)');
  });

  it('refuses another kind and says what would be valid', () => {
    expect(issuesOf({ apiVersion: 'v1', kind: 'ConfigMap' })).toEqual([
      { code: IssueCode.WrongKind, path: ['kind'], message: 'expected apiVersion ward.g2p.dev/v1alpha1, kind RegistryDeployment, got apiVersion v1, kind ConfigMap; or give a bare spec without apiVersion and kind' },
    ]);
  });

  it('lists every issue at once, one `path: message` line each', () => {
    const s = base();
    s.flows[0].to.component = 'nope';
    s.mesh = { mtlsMode: 'PERMISSIVE' };
    expect(formatIssues(issuesOf(s)).split('\n')).toEqual([
      'flows[0].to.component: unknown component "nope": must be one of the declared components (db, registry)',
      'mesh.mtlsReason: mtlsMode PERMISSIVE is weaker than STRICT: state why in mesh.mtlsReason, or use STRICT',
    ]);
  });
});

describe('parseRegistrySpec accepts valid input', () => {
  it('fills the hardened defaults of a bare spec', () => {
    const r = parseRegistrySpec(base());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.release).toBe('openg2p');
    expect(r.spec.mesh.mtlsMode).toBe('STRICT');
    expect(r.spec.mesh.ingressGateway).toEqual({ namespace: 'istio-system', serviceAccount: 'istio-ingressgateway-service-account', selector: { istio: 'ingressgateway' } });
    expect(r.spec.components[0]!.exposure).toEqual({ type: 'none', hosts: [] });
    expect(r.spec.flows[0]!.ports).toEqual([{ port: 5432, protocol: 'TCP' }]);
  });

  it('takes the namespace of a RegistryDeployment from its metadata when the spec has none', () => {
    const s = base();
    delete s.namespace;
    const r = parseRegistrySpec({ apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'prod' }, spec: s });
    expect(r.ok && r.spec.namespace).toBe('prod');
  });

  it('accepts a weaker mTLS mode with a reason', () => {
    const s = base();
    s.mesh = { mtlsMode: 'PERMISSIVE', mtlsReason: 'legacy batch job without sidecar until 2026-12' };
    expect(parseRegistrySpec(s).ok).toBe(true);
  });
});

describe('presets', () => {
  const names = ['openg2p-social-registry', 'openg2p-commons'] as const;

  it.each(names)('%s parses for any release and namespace', (preset) => {
    const r = parseRegistrySpec({ preset, release: 'sr', namespace: 'staging' });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.spec.namespace).toBe('staging');
    expect(r.spec.components.find((c) => c.name === 'postgresql')?.serviceAccount).toBe('sr-postgresql');
    expect(r.spec.flows.length).toBeGreaterThan(10);
  });

  it.each(names)('%s defaults the namespace to the release name', (preset) => {
    const r = parseRegistrySpec({ preset, release: 'sr' });
    expect(r.ok && r.spec.namespace).toBe('sr');
  });

  it('the social registry preset has the flows the 1.3.1 chart configures', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev' });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    const flows = r.spec.flows.map((f) => `${f.from}->${f.to.component ?? f.to.cidr}:${f.ports.map((p) => p.port).join(',')}`);
    expect(flows).toEqual(
      expect.arrayContaining([
        'registry->postgresql:5432',
        'registry->keycloak:8080',
        'registry->keymanager:8088',
        'registry->mail:25',
        'keymanager->keymanager-postgresql:5432',
        'keymanager->softhsm:5666',
        'keymanager->artifactory:8080',
        'debezium->postgresql:5432',
        'debezium->kafka:9092',
        'opensearch-connector->kafka:9092',
        'opensearch-connector->opensearch:9200',
        'minio->keycloak:8080',
        'opensearch->keycloak:8080',
        'odk-backend->odk-postgresql:5432',
        'kafka-ui->debezium:8083',
      ]),
    );
    // MinIO is not published: its console is an administration tool, for a WireGuard route (WARD-MINIO-004).
    expect(r.spec.components.filter((c) => c.exposure.type === 'ingress').map((c) => c.name)).toEqual(['registry', 'odk-frontend', 'kafka-ui', 'opensearch-dashboards', 'logging-dashboards']);
    expect(r.spec.components.find((c) => c.name === 'minio')?.exposure).toEqual({ type: 'none', hosts: [] });
    expect(r.spec.components.find((c) => c.name === 'keycloak')?.namespace).toBe('keycloak');
  });

  it('a component stated in the spec overrides the preset by name, keeping the fields it does not state', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', components: [{ name: 'registry', exposure: { type: 'ingress', hosts: ['sr.gov.example'] } }] });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    const registry = r.spec.components.find((c) => c.name === 'registry')!;
    expect(registry.exposure.hosts).toEqual(['sr.gov.example']);
    expect(registry.serviceAccount).toBe('openg2p-odoo');
  });

  it('a flow stated in the spec replaces the preset flow between the same ends', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', flows: [{ from: 'registry', to: { component: 'mail' }, ports: [{ port: 25 }], description: 'SMTP only' }] });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    const mail = r.spec.flows.filter((f) => f.from === 'registry' && f.to.component === 'mail');
    expect(mail).toEqual([{ from: 'registry', to: { component: 'mail' }, ports: [{ port: 25, protocol: 'TCP' }], description: 'SMTP only' }]);
  });
});

describe('registryDeploymentOwner', () => {
  it.each([
    ['a RegistryDeployment names its owner', { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr', namespace: 'dev' }, spec: {} }, { name: 'sr', namespace: 'dev' }],
    ['a bare spec has none', { namespace: 'dev' }, undefined],
    ['a RegistryDeployment without metadata.namespace has none', { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: 'sr' } }, undefined],
    ['another kind has none', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sr', namespace: 'dev' } }, undefined],
  ])('%s', (_name, input, owner) => {
    expect(registryDeploymentOwner(input)).toEqual(owner);
  });
});

describe('preset overrides merge field by field', () => {
  it('a partial keyManager keeps the preset fields it does not state', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', keyManager: { probe: { enabled: true }, applicationId: 'OPENG2P_SR' } });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.spec.keyManager).toMatchObject({ component: 'keymanager', clientId: 'openg2p-sr-dev', applicationId: 'OPENG2P_SR', probe: { enabled: true, intervalSeconds: 300 } });
  });

  it('a partial exposure keeps the preset type and port, and a stated list replaces the preset list', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', components: [{ name: 'odk-frontend', exposure: { hosts: ['odk.gov.example'] } }] });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.spec.components.find((c) => c.name === 'odk-frontend')?.exposure).toEqual({ type: 'ingress', hosts: ['odk.gov.example'], port: 80 });
  });

  it('a stated selector replaces the preset selector whole', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', components: [{ name: 'registry', selector: { app: 'odoo' } }] });
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.spec.components.find((c) => c.name === 'registry')?.selector).toEqual({ app: 'odoo' });
  });

  it.each([
    ['components', 5, 'components: expected a list, got a number (5)'],
    ['flows', { a: 1 }, 'flows: expected a list, got a mapping'],
  ])('a stated %s that is no list is refused, not dropped in favour of the preset list', (field, value, message) => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', [field]: value });
    expect(r.ok ? '' : formatIssues(r.issues)).toBe(message);
  });

  it('an override that breaks a rule is reported at the spec path', () => {
    const issues = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', components: [{ name: 'odk-frontend', exposure: { port: 1234 } }] });
    expect(issues.ok ? [] : formatIssues(issues.issues)).toBe('components[0].exposure.port: port 1234 is not a TCP port of component "odk-frontend": must be one of 80/TCP');
  });

  it('paths of a RegistryDeployment with a preset point into the spec as written', () => {
    const r = parseRegistrySpec({
      apiVersion: 'ward.g2p.dev/v1alpha1',
      kind: 'RegistryDeployment',
      metadata: { name: 'sr', namespace: 'dev' },
      spec: { preset: 'openg2p-social-registry', flows: [{ from: 'registry', to: { component: 'ghost' }, ports: [{ port: 1 }] }] },
    });
    expect(r.ok ? '' : formatIssues(r.issues)).toMatch(/^spec\.flows\[0\]\.to\.component: unknown component "ghost": must be one of the declared components \(/);
  });

  it('an issue in an entry only the preset supplies says so', () => {
    const long = parseRegistrySpec({ preset: 'openg2p-social-registry', release: 'r'.repeat(40), namespace: 'dev' });
    const lines = long.ok ? [] : formatIssues(long.issues).split('\n');
    expect(lines).toContainEqual(expect.stringMatching(
      /^components\[7\]\.serviceAccount: must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters, got the string "r+…" \(in component "artifactory" of the preset\)$/,
    ));
  });

  it('an issue in an entry the spec states points at it', () => {
    const r = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', components: [{ name: 'keymanager', name2: 1 }] });
    expect(r.ok ? '' : formatIssues(r.issues)).toBe('components[0]: unknown field "name2": check the spelling against `ward synth --help` or the CRD');
    const q = parseRegistrySpec({ preset: 'openg2p-social-registry', namespace: 'dev', components: [{ name: 'other', selector: { 'app.kubernetes.io/name': 'odoo', 'app.kubernetes.io/instance': 'openg2p' }, serviceAccount: 'other' }] });
    expect(q.ok ? '' : formatIssues(q.issues)).toBe('components[0].selector: selects the same pods as component "registry": give each component its own labels');
  });
});
