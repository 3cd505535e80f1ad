import { describe, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { runCheck, type CheckResult, type PersonalDataHolder } from '../../../policies/engine.js';
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { imageRepository } from '../../../policies/index/personal-data.js';
import { parseText } from '../../../policies/load/parse.js';
import { builtinProfile, parseProfile } from '../../../policies/profiles.js';
import { reporters } from '../../../policies/reporters/index.js';
import { NO_PERSONAL_DATA, personalDataLine } from '../../../policies/reporters/personal-data.js';
import { wrapLine } from '../../../policies/reporters/layout.js';
import { NOW } from './helpers.js';

const AUDIT = builtinProfile('openg2p-audit');

interface PodOptions {
  readonly kind?: string;
  readonly image: string;
  readonly init?: string;
  readonly labels?: Record<string, string>;
  readonly hook?: string;
}

const workload = (name: string, o: PodOptions): string => `---
apiVersion: apps/v1
kind: ${o.kind ?? 'Deployment'}
metadata:
  name: ${name}
  namespace: dev${o.hook ? `\n  annotations: {"helm.sh/hook": "${o.hook}"}` : ''}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: ${JSON.stringify({ app: name, ...o.labels })}}
    spec:${o.init ? `\n      initContainers: [{name: init, image: "${o.init}"}]` : ''}
      containers: [{name: main, image: "${o.image}"}]
`;

function indexOf(yaml: string, personalData = AUDIT.personalData): ObjectIndex {
  const loaded = parseText(yaml, 'pd.yaml');
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return ObjectIndex.fromDocuments(loaded.documents, personalData ? { personalData } : {});
}

function check(yaml: string, profile = AUDIT): CheckResult {
  return runCheck({ documents: parseText(yaml, 'pd.yaml').documents, profile, now: NOW });
}

describe('profile personalData section', () => {
  it('reads image recognisers: name, match (a regular expression) and why', () => {
    const p = parseProfile('name: p\npersonalData:\n  images:\n    - {name: Db, match: "(^|/)db$", why: the database}\n', 'p.yaml');
    expect(p.personalData?.images.map((r) => [r.name, r.match.test('org/db'), r.match.test('org/db-exporter'), r.why])).toEqual([['Db', true, false, 'the database']]);
    expect(parseProfile('name: p\n', 'p.yaml').personalData).toEqual({ images: [] });
  });

  it.each([
    ['a bad regular expression, at its line', 'name: p\npersonalData:\n  images:\n    - name: Db\n      match: "(db"\n      why: x\n', 'p.yaml:5: personalData.images[0].match: "(db" is not a regular expression'],
    ['images that is not a list', 'name: p\npersonalData:\n  images: odoo\n', 'p.yaml:3: personalData.images: expected a list of {name, match, why}, got the string "odoo"'],
    ['personalData that is not a mapping', 'name: p\npersonalData: [odoo]\n', 'p.yaml:2: personalData: expected a mapping {images: [{name, match, why}]}'],
    ['an entry without why', 'name: p\npersonalData:\n  images:\n    - {name: Db, match: db}\n', 'p.yaml:4: personalData.images[0].why: expected a non-empty string'],
    ['a match that is not a string', 'name: p\npersonalData:\n  images:\n    - {name: Db, match: 12, why: x}\n', 'p.yaml:4: personalData.images[0].match: expected a non-empty string, got a number (12)'],
    ['an unknown field of an entry', 'name: p\npersonalData:\n  images:\n    - {name: Db, match: db, why: x, regex: db}\n', 'p.yaml:4: personalData.images[0]: unknown field "regex"'],
    ['an unknown field of the section', 'name: p\npersonalData:\n  labels: [x]\n', 'p.yaml:3: personalData: unknown field "labels"'],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseProfile(text, 'p.yaml')).toThrow(message);
  });

  it('openg2p-audit recognises the OpenG2P data stores; strict and baseline recognise no image', () => {
    expect(AUDIT.personalData?.images.map((r) => r.name)).toEqual(['Odoo', 'PostgreSQL', 'MinIO', 'MOSIP key manager', 'OpenSearch', 'Kafka']);
    expect(builtinProfile('strict').personalData).toEqual({ images: [] });
    expect(builtinProfile('baseline').personalData).toEqual({ images: [] });
  });
});

describe('image matching', () => {
  it.each([
    ['registry:5000/odoo:17', 'odoo'],
    ['docker.io/bitnami/postgresql:16.3.0-debian-12-r16', 'bitnami/postgresql'],
    ['docker.io/bitnami/postgresql@sha256:0123abcd', 'bitnami/postgresql'],
    ['ghcr.io/x/minio:2024@sha256:0123abcd', 'x/minio'],
    ['localhost/Odoo', 'odoo'],
    ['postgres', 'postgres'],
    ['library/postgres:16', 'library/postgres'],
    ['', ''],
  ])('the repository of %j is %j', (image, repo) => {
    expect(imageRepository(image)).toBe(repo);
  });

  const recognised = (image: string): string | undefined => {
    const index = indexOf(workload('w', { image }));
    const r = index.personalDataReason(index.workloads[0]!);
    return r?.by === 'image' ? r.name : undefined;
  };

  it.each([
    ['docker.io/openg2p/openg2p-social-registry-odoo-package:1.3.1', 'Odoo'],
    ['registry:5000/odoo:17', 'Odoo'],
    ['docker.io/bitnami/postgresql:16.3.0-debian-12-r19', 'PostgreSQL'],
    ['postgres:16@sha256:0123abcd', 'PostgreSQL'],
    ['docker.io/bitnami/minio:2023.12.23-debian-11-r2', 'MinIO'],
    ['docker.io/mosipid/kernel-keymanager-service:1.2.0.1-B4', 'MOSIP key manager'],
    ['docker.io/bitnami/opensearch:2.14.0-debian-12-r1', 'OpenSearch'],
    ['docker.elastic.co/elasticsearch/elasticsearch:8.13.0', 'OpenSearch'],
    ['docker.io/bitnami/kafka:3.7.1-debian-12-r4', 'Kafka'],
    ['apache/kafka:3.8.0', 'Kafka'],
  ])('recognises %s as %s', (image, name) => {
    expect(recognised(image)).toBe(name);
  });

  it.each([
    'quay.io/prometheuscommunity/postgres-exporter:v0.15.0', 'docker.io/bitnami/postgres-exporter:0.15.0', 'docker.io/mosipid/postgres-init:1.2.0.1-B4',
    'docker.io/bitnami/opensearch-dashboards:2.13.0', 'docker.io/openg2p/reporting-opensearch-kafka-connector:1.2.0', 'confluentinc/cp-kafka-connect:7.6.0',
    'quay.io/debezium/connect:2.6.2.Final', 'docker.io/provectuslabs/kafka-ui:v0.7.2', 'minio/mc:latest', 'docker.io/mosipid/keys-generator:1.2.0.1-B4', 'busybox', 'odoo-exporter:1', 'postgres-exporter.example.org/app:1',
  ])('does not take %s for a data store', (image) => {
    expect(recognised(image)).toBeUndefined();
  });

  it('ignores init containers, Helm hooks and a workload labelled personal-data: "false"', () => {
    const index = indexOf(
      workload('waits', { image: 'example/app:1', init: 'docker.io/bitnami/postgresql:16' })
      + workload('sr-postgresql-test-connection', { kind: 'Pod', image: 'docker.io/bitnami/postgresql:16', hook: 'test' })
      + workload('migrate', { kind: 'Job', image: 'docker.io/bitnami/postgresql:16', hook: 'post-install' })
      + workload('cache', { image: 'docker.io/bitnami/postgresql:16', labels: { 'ward.g2p.dev/personal-data': 'false' } }),
    );
    expect(index.workloads.map((w) => [w.ref.name, index.holdsPersonalData(w)])).toEqual([['waits', false], ['sr-postgresql-test-connection', false], ['migrate', false], ['cache', false]]);
  });

  it('recognises nothing by image without recognisers (strict, baseline)', () => {
    const index = indexOf(workload('db', { image: 'docker.io/bitnami/postgresql:16' }), builtinProfile('strict').personalData);
    expect(index.holdsPersonalData(index.workloads[0]!)).toBe(false);
  });
});

describe('why a workload holds personal data', () => {
  const rd = `---
apiVersion: ward.g2p.dev/v1alpha1
kind: RegistryDeployment
metadata: {name: reg, namespace: dev}
spec:
  namespace: dev
  components:
    - {name: database, selector: {app: db}, personalData: true}
`;

  it('label first, then a RegistryDeployment component, then the image; holdsPersonalData agrees', () => {
    const index = indexOf(rd + workload('db', { image: 'docker.io/bitnami/postgresql:16', labels: { 'ward.g2p.dev/personal-data': 'true' } }) + workload('odoo', { image: 'odoo:17' }));
    const [db, odoo] = index.workloads;
    expect(index.personalDataReason(db!)).toEqual({ by: 'label', on: 'pod template' });
    expect(index.personalDataReason(odoo!)).toEqual({ by: 'image', container: 'main', image: 'odoo:17', name: 'Odoo', why: 'Odoo is the registry; it reads and writes every record' });
    const unlabelled = indexOf(rd + workload('db', { image: 'docker.io/bitnami/postgresql:16' }));
    expect(unlabelled.personalDataReason(unlabelled.workloads[0]!)).toEqual({ by: 'component', registryDeployment: 'dev/reg', component: 'database' });
    for (const w of [...index.workloads, ...unlabelled.workloads]) expect(index.holdsPersonalData(w) || unlabelled.holdsPersonalData(w)).toBe(true);
  });

  it('a RegistryDeployment that names only its preset declares the preset\'s personal-data components (the operator runs the expanded spec)', () => {
    const parsed = parseRegistrySpec({ preset: 'openg2p-social-registry', release: 'sr', namespace: 'dev' });
    if (!parsed.ok) throw new Error('preset did not parse');
    const db = parsed.spec.components.find((c) => c.personalData && c.name === 'postgresql');
    const cache = parsed.spec.components.find((c) => !c.personalData);
    const presetOnly = '---\napiVersion: ward.g2p.dev/v1alpha1\nkind: RegistryDeployment\nmetadata: {name: reg, namespace: dev}\nspec: {preset: openg2p-social-registry, release: sr, namespace: dev}\n';
    const index = indexOf(presetOnly + workload('db', { image: 'example/db:1', labels: db!.selector }) + workload('other', { image: 'example/x:1', labels: cache!.selector }), builtinProfile('strict').personalData);
    expect(index.workloads.map((w) => index.personalDataReason(w))).toEqual([{ by: 'component', registryDeployment: 'dev/reg', component: 'postgresql' }, undefined]);
  });

  it('the check summary lists the holders with the reason, and raises their findings under openg2p-audit only', () => {
    const yaml = `${workload('odoo', { image: 'docker.io/openg2p/openg2p-social-registry-odoo-package:1.3.1' })}${workload('web', { image: 'example/web:1' })}`;
    const audit = check(yaml);
    expect(audit.summary.personalData).toEqual([{
      workload: { kind: 'Deployment', namespace: 'dev', name: 'odoo' }, by: 'image', what: 'Odoo',
      reason: 'container "main" runs docker.io/openg2p/openg2p-social-registry-odoo-package:1.3.1 (Odoo): Odoo is the registry; it reads and writes every record',
    }]);
    const strict = check(yaml, builtinProfile('strict'));
    expect(strict.summary.personalData).toEqual([]);
    const net003 = (r: CheckResult, name: string): string | undefined => r.findings.find((f) => f.ruleId === 'WARD-NET-003' && f.object.name === name)?.severity;
    expect([net003(strict, 'odoo'), net003(audit, 'odoo'), net003(audit, 'web')]).toEqual(['medium', 'high', 'medium']);
  });
});

describe('reports name the holders', () => {
  const holder = (name: string, by: PersonalDataHolder['by'], what: string): PersonalDataHolder => ({ workload: { kind: 'Deployment', namespace: 'sr', name }, by, what, reason: `${what} reason` });
  const many = [
    holder('sr-odoo', 'image', 'Odoo'), holder('sr-postgresql', 'image', 'PostgreSQL'), holder('sr-keymanager-postgresql', 'image', 'PostgreSQL'),
    holder('sr-odk-central-postgresql', 'image', 'PostgreSQL'), holder('sr-minio', 'image', 'MinIO'), holder('sr-keymanager', 'image', 'MOSIP key manager'),
    holder('sr-logging-opensearch-master', 'image', 'OpenSearch'), holder('sr-reporting-opensearch-master', 'image', 'OpenSearch'), holder('sr-app', 'label', 'label'),
  ];

  it('the text line groups by reason, names what was recognised and stays within two terminal lines', () => {
    expect(personalDataLine(many.slice(0, 3), 1000)).toBe('personal data (raises severities): 3 workloads — by image: sr-odoo (Odoo), sr-postgresql, sr-keymanager-postgresql (PostgreSQL)');
    expect(personalDataLine([many[8]!, many[0]!], 1000)).toBe('personal data (raises severities): 2 workloads — by label: sr-app; by image: sr-odoo (Odoo)');
    const cut = personalDataLine(many, 2 * 80 - 12);
    expect(cut).toBe('personal data (raises severities): 9 workloads — by label: sr-app; by image: sr-odoo (Odoo), sr-postgresql (PostgreSQL) … 6 more');
    for (const width of [80, 100, 120]) expect(wrapLine(personalDataLine(many, 2 * width - 12), width, 2).length).toBeLessThanOrEqual(2);
    expect(personalDataLine([], 100)).toBe(NO_PERSONAL_DATA);
  });

  it('text, JSON, SARIF and HTML carry them; JUnit does not change', () => {
    const yaml = workload('odoo', { image: 'odoo:17' });
    const ctx = { color: false, toolVersion: '0.1.0' };
    const audit = check(yaml);
    expect(reporters.text!(audit, ctx).split('\n')[1]).toBe('personal data (raises severities): 1 workload — by image: odoo (Odoo)');
    expect(reporters.text!(check(yaml, builtinProfile('strict')), ctx).split('\n')[1]).toBe(NO_PERSONAL_DATA);
    const json = JSON.parse(reporters.json!(audit, ctx)) as { summary: { personalData: unknown[] } };
    expect(json.summary.personalData).toEqual([expect.objectContaining({ workload: { kind: 'Deployment', namespace: 'dev', name: 'odoo' }, by: 'image', reason: expect.stringContaining('(Odoo)') as unknown })]);
    const sarif = JSON.parse(reporters.sarif!(audit, ctx)) as { runs: { properties: { personalData: unknown[] } }[] };
    expect(sarif.runs[0]!.properties.personalData).toEqual(json.summary.personalData);
    const html = reporters.html!(audit, ctx);
    expect(html).toContain('<caption>Workloads taken as holding personal data (1): their findings are raised one step</caption>');
    expect(html).toContain('<td>Deployment dev/odoo</td><td>container &quot;main&quot; runs odoo:17 (Odoo): ');
    expect(reporters.html!(check(yaml, builtinProfile('strict')), ctx)).toContain(`<p id="personal-data">${NO_PERSONAL_DATA}.</p>`);
    expect(reporters.junit!(audit, ctx)).not.toMatch(/personal data \(raises/);
  });
});
