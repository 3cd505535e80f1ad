/* eslint-disable @typescript-eslint/no-explicit-any, complexity, max-depth -- reads raw objects of every shape the real chart renders */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRecord, type KubeObject } from '../../charts-src/kube.js';
import { parseRegistrySpec, socialRegistryUnmanaged, type RegistrySpec } from '../../charts-src/model/index.js';
import { KUBE_YAML } from '../../policies/load/kube-yaml.js';
import { parseFull, parseText } from '../../policies/load/parse.js';
import { DEFAULT_LIMITS } from '../../policies/load/types.js';
import { matchesSelector } from '../../charts-src/selector.js';
import { fastShare } from '../support/fast-share.js';
import { renderSocialRegistry, socialRegistryChart, SR_NAMESPACE, SR_RELEASE, type ChartPrereq } from '../support/openg2p-chart.js';

/**
 * Proof on the real thing: the OpenG2P Social Registry 1.3.1 chart (../shared/openg2p) rendered by a
 * real Helm, with and without the values overlay `ward synth --helm-values` writes, audited together
 * with ward's own output by the CLI exactly as the README's "harden your real chart" journey runs it.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const prereq = socialRegistryChart();
const skip = typeof prereq === 'string' ? prereq : undefined;

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

function ward(args: readonly string[]): Run {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/ward.js'), ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function objectsOf(text: string): KubeObject[] {
  return parseAllDocuments(text, KUBE_YAML).map((d) => d.toJS() as unknown).filter((o): o is KubeObject => isRecord(o) && typeof o.kind === 'string');
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod', 'ReplicaSet']);

function podTemplate(o: KubeObject): { labels: Record<string, string>; spec: Record<string, unknown> } {
  const s = o.spec as Record<string, any>;
  if (o.kind === 'Pod') return { labels: (o.metadata.labels ?? {}), spec: s };
  const t = o.kind === 'CronJob' ? s.jobTemplate.spec.template : s.template;
  return { labels: (t.metadata?.labels ?? {}) as Record<string, string>, spec: t.spec };
}

function containerPorts(o: KubeObject): number[] {
  const containers = (podTemplate(o).spec.containers ?? []) as { ports?: { containerPort: number }[] }[];
  return containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
}

/** Target ports of the Services that select the workload's pods (numeric only). */
function serviceTargetPorts(o: KubeObject, services: readonly KubeObject[]): number[] {
  const labels = podTemplate(o).labels;
  return services
    .filter((s) => isRecord((s.spec as any)?.selector) && matchesSelector({ matchLabels: (s.spec as any).selector }, labels))
    .flatMap((s) => ((s.spec as any).ports as { targetPort?: unknown }[]).map((p) => p.targetPort))
    .filter((p): p is number => typeof p === 'number');
}

describe.skipIf(skip !== undefined)('the real OpenG2P Social Registry 1.3.1 chart hardened by ward', () => {
  let dir: string;
  let spec: RegistrySpec;
  let plain: string;
  let overlaid: string;
  let files: { plain: string; overlaid: string; synth: string; rd: string; values: string };

  beforeAll(() => {
    const p = prereq as ChartPrereq;
    dir = mkdtempSync(join(tmpdir(), 'ward-openg2p-'));
    files = { plain: join(dir, 'sr.yaml'), overlaid: join(dir, 'sr-ward.yaml'), synth: join(dir, 'ward.yaml'), rd: join(dir, 'rd.yaml'), values: join(dir, 'ward-values.yaml') };
    const synth = ward(['synth', '--preset', 'openg2p-social-registry', '--release', SR_RELEASE, '--namespace', SR_NAMESPACE, '--helm-values', files.values]);
    expect(synth.stderr).toContain(`wrote the Helm values overlay for openg2p-social-registry to ${files.values}`);
    expect(synth.code).toBe(0);
    writeFileSync(files.synth, synth.stdout);
    plain = renderSocialRegistry(p);
    overlaid = renderSocialRegistry(p, [files.values]);
    writeFileSync(files.plain, plain);
    writeFileSync(files.overlaid, overlaid);
    const rd = { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: SR_RELEASE, namespace: SR_NAMESPACE }, spec: { preset: 'openg2p-social-registry', release: SR_RELEASE, namespace: SR_NAMESPACE } };
    writeFileSync(files.rd, JSON.stringify(rd));
    const parsed = parseRegistrySpec(rd);
    if (!parsed.ok) throw new Error('the preset spec does not parse');
    spec = parsed.spec;
  }, 240_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the loader reads the render (and the overlaid render) through its fast path exactly as the full YAML parser does', () => {
    for (const text of [plain, overlaid]) {
      const view = (r: ReturnType<typeof parseText>): unknown => ({ errors: r.errors, warnings: r.warnings, docs: r.documents.map((d) => [d.object, d.docIndex, d.line, d.column, d.helmSource, d.secretFacts, d.locate(['spec', 'template', 'spec', 'containers', 0, 'image']), d.locate(['metadata', 'name'])]) });
      expect(view(parseText(text, 'sr.yaml'))).toEqual(view(parseFull(text, 'sr.yaml', DEFAULT_LIMITS, { documents: 0 })));
      // Every document of the render takes the fast path (a bail-out would hide here as slowness only).
      expect(fastShare(text).fast).toBe(parseText(text, 'sr.yaml').documents.length);
    }
  });

  it('the overlay removes every NetworkPolicy of the chart and its plain-TCP PostgreSQL gateway, and takes client secrets from Secrets', () => {
    const before = objectsOf(plain);
    const after = objectsOf(overlaid);
    expect(before.filter((o) => o.kind === 'NetworkPolicy').length).toBeGreaterThan(10);
    expect(after.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
    expect(before.some((o) => o.kind === 'Gateway' && o.metadata.name === `${SR_RELEASE}-postgresql`)).toBe(true);
    expect(after.filter((o) => o.kind === 'Gateway')).toEqual([]);
    expect(after.some((o) => o.kind === 'VirtualService' && o.metadata.name === `${SR_RELEASE}-keymanager`)).toBe(false);
    const env = after.filter((o) => WORKLOAD_KINDS.has(o.kind)).flatMap((o) => ((podTemplate(o).spec.containers ?? []) as { env?: Record<string, unknown>[] }[]).flatMap((c) => c.env ?? []));
    for (const name of ['KEYMANAGER_AUTH_CLIENT_SECRET', 'MINIO_IDENTITY_OPENID_CLIENT_SECRET']) {
      const e = env.find((x) => x.name === name);
      expect(e, name).toBeDefined();
      expect(e!.value, name).toBeUndefined();
      expect(e!.valueFrom, name).toMatchObject({ secretKeyRef: { key: 'client_secret' } });
    }
  });

  it('every workload of the render is a component of the preset or named as deliberately unmanaged, with a reason', () => {
    const unmanaged = new Map(socialRegistryUnmanaged(SR_RELEASE).map((u) => [`${u.kind}/${u.name}`, u.reason]));
    const workloads = objectsOf(overlaid).filter((o) => WORKLOAD_KINDS.has(o.kind));
    const orphans = workloads.filter((w) => !unmanaged.has(`${w.kind}/${w.metadata.name}`) && !spec.components.some((c) => (c.namespace ?? spec.namespace) === SR_NAMESPACE && matchesSelector({ matchLabels: c.selector }, podTemplate(w).labels)));
    expect(orphans.map((w) => `${w.kind}/${w.metadata.name}`)).toEqual([]);
    for (const [key, reason] of unmanaged) {
      expect(workloads.some((w) => `${w.kind}/${w.metadata.name}` === key), key).toBe(true);
      expect(reason.length).toBeGreaterThan(40);
    }
  });

  it('every component in the release namespace selects pods of the render, runs as their service account and listens on their ports', () => {
    const objects = objectsOf(overlaid);
    const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind) && o.kind !== 'Pod' && o.kind !== 'Job');
    const services = objects.filter((o) => o.kind === 'Service');
    const accounts = new Set(['default', ...objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name)]);
    const problems: string[] = [];
    for (const c of spec.components.filter((x) => (x.namespace ?? spec.namespace) === SR_NAMESPACE)) {
      const selected = workloads.filter((w) => matchesSelector({ matchLabels: c.selector }, podTemplate(w).labels));
      if (selected.length !== 1) { problems.push(`${c.name}: selects ${selected.length} workloads`); continue; }
      const w = selected[0]!;
      const sa = (podTemplate(w).spec.serviceAccountName as string | undefined) ?? 'default';
      if (sa !== c.serviceAccount) problems.push(`${c.name}: service account ${c.serviceAccount}, the pods run as ${sa}`);
      if (!accounts.has(c.serviceAccount)) problems.push(`${c.name}: service account ${c.serviceAccount} does not exist`);
      const listening = new Set([...containerPorts(w), ...serviceTargetPorts(w, services)]);
      for (const p of c.ports) if (!listening.has(p.port)) problems.push(`${c.name}: port ${p.port} is not a container or Service target port (${[...listening].join(', ')})`);
    }
    expect(problems).toEqual([]);
  });

  it('every AuthorizationPolicy ward synthesises selects pods of the render and every principal names an existing service account', () => {
    const objects = objectsOf(overlaid);
    const pods = objects.filter((o) => WORKLOAD_KINDS.has(o.kind)).map((o) => podTemplate(o).labels);
    const accounts = new Set(['default', ...objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace ?? SR_NAMESPACE}/${o.metadata.name}`)]);
    const external = new Set(spec.components.filter((c) => (c.namespace ?? spec.namespace) !== SR_NAMESPACE).map((c) => `${c.namespace}/${c.serviceAccount}`));
    external.add(`${spec.mesh.ingressGateway.namespace}/${spec.mesh.ingressGateway.serviceAccount}`);
    const policies = objectsOf(readFileSync(files.synth, 'utf8')).filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === SR_NAMESPACE);
    expect(policies.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const ap of policies) {
      const sel = (ap.spec as any)?.selector?.matchLabels as Record<string, string> | undefined;
      if (sel && !pods.some((l) => matchesSelector({ matchLabels: sel }, l))) problems.push(`${ap.metadata.name} selects no pod`);
      for (const rule of ((ap.spec as any)?.rules ?? []) as any[]) {
        for (const from of rule.from ?? []) {
          for (const principal of (from.source?.principals ?? []) as string[]) {
            const m = /^cluster\.local\/ns\/([^/]+)\/sa\/(.+)$/.exec(principal);
            const key = m ? `${m[1]}/${m[2]}` : principal;
            if (m?.[2] === 'default') continue;
            if (!accounts.has(key) && !external.has(key)) problems.push(`${ap.metadata.name}: principal ${principal} names no service account`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  for (const layer of ['l4', 'mesh'] as const) {
    it(`ward flows --spec --layer ${layer} on render + synth equals the declared flows: 0 undeclared, 0 blocked`, () => {
      const r = ward(['flows', files.overlaid, files.synth, '--spec', files.rd, '--layer', layer, '--format', 'json']);
      expect(r.stderr).toContain('ward flows: effective flows match the declared flows');
      expect(r.code).toBe(0);
    });
  }

  it('ward check on render + synth has no NET, MTLS, AUTHZ or FLOW finding at or above high', () => {
    const r = ward(['check', files.overlaid, files.synth, files.rd, '--format', 'json']);
    const report = JSON.parse(r.stdout) as { findings: { ruleId: string; severity: string; message: string }[] };
    const network = report.findings.filter((f) => /^WARD-(NET|MTLS|AUTHZ|FLOW)-/.test(f.ruleId) && (f.severity === 'high' || f.severity === 'critical'));
    expect(network.map((f) => `${f.ruleId} ${f.message}`)).toEqual([]);
    expect(r.stderr).not.toMatch(/Error|at .*\.ts:/);
  });

  it('ward check reports the plaintext links, the disabled certificate checks and the chart\'s default PIN, and none of the look-alikes', () => {
    for (const file of [files.plain, files.overlaid]) {
      const r = ward(['check', file, '--format', 'json']);
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string }[] };
      const of = (id: string): string[] => report.findings.filter((f) => f.ruleId === id).map((f) => f.message).sort();
      const kafka = `listener CLIENT of StatefulSet ${SR_NAMESPACE}/${SR_RELEASE}-reporting-kafka-controller, which is PLAINTEXT`;
      expect(of('WARD-TLS-001'), file).toEqual([
        `ConfigMap ${SR_NAMESPACE}/${SR_RELEASE}-reporting-kafka-controller-configuration key "server.properties" configures Kafka listeners without TLS: CLIENT (PLAINTEXT), INTERNAL (PLAINTEXT), CONTROLLER (PLAINTEXT)`,
        `ConfigMap ${SR_NAMESPACE}/${SR_RELEASE}-reporting-kafka-ui key "config.yml" bootstraps from ${SR_RELEASE}-reporting-kafka:9092, ${kafka}`,
        `ConfigMap ${SR_NAMESPACE}/${SR_RELEASE}-reporting-os-kafka-connector-properties key "connect-distributed.properties" bootstraps from ${SR_RELEASE}-reporting-kafka:9092, ${kafka}`,
        `Deployment ${SR_NAMESPACE}/${SR_RELEASE}-reporting-debezium container "debezium-connect" env BOOTSTRAP_SERVERS bootstraps from ${SR_RELEASE}-reporting-kafka:9092, ${kafka}`,
      ]);
      // The overlay turns TLS on in all three Bitnami PostgreSQL servers (tls.enabled, tls.autoGenerated).
      expect(of('WARD-TLS-002'), file).toEqual(file === files.overlaid ? [] : ['keymanager-postgresql', 'odk-central-postgresql', 'postgresql'].map((n) =>
        `StatefulSet ${SR_NAMESPACE}/${SR_RELEASE}-${n} container "postgresql" env POSTGRESQL_ENABLE_TLS serves PostgreSQL without TLS (POSTGRESQL_ENABLE_TLS=no)`));
      expect(of('WARD-TLS-003'), file).toEqual([
        `ConfigMap ${SR_NAMESPACE}/${SR_RELEASE}-logging-opensearch-custom-config key "opensearch_dashboards.yml" switches certificate verification off (verificationMode: none)`,
        `ConfigMap ${SR_NAMESPACE}/${SR_RELEASE}-reporting-init-startup key "startup-command.sh" switches certificate verification off (curl -k)`,
        `ConfigMap ${SR_NAMESPACE}/${SR_RELEASE}-reporting-opensearch-custom-config key "opensearch_dashboards.yml" switches certificate verification off (verificationMode: none)`,
        `Output ${SR_NAMESPACE}/${SR_RELEASE}-logging-opensearch switches certificate verification off (spec.opensearch.ssl_verify: false)`,
      ]);
      expect(of('WARD-SEC-006'), file).toEqual([`Secret ${SR_NAMESPACE}/${SR_RELEASE}-keymanager-softhsm key "security-pin" is the documented default security PIN of SoftHSM (OpenG2P key-manager chart)`]);
      expect(of('WARD-SEC-007'), file).toEqual([]);
      // Look-alikes that stay absent: Kafka Connect's REST listener (listeners=HTTP://:8083), OpenSearch's
      // OPENSEARCH_TLS_VERIFICATION_MODE=full, the Kafka scripts' curl -s, and the PIN twice (WARD-SEC-004 leaves it to SEC-006).
      expect(of('WARD-SEC-004').filter((m) => m.includes('security-pin')), file).toEqual([]);
      // No credential value of the render reaches the report: the PIN, plain or base64.
      expect(r.stdout).not.toMatch(/16032228|MTYwMzIyMjg=/);
    }
  });

  it('the data tier: the render gets the ODOO, PG and MINIO findings it deserves (no WARD-ODOO-007: the image sets proxy_mode; WARD-MINIO-004 for the console route), the overlay clears them but for the two databases whose clients ward cannot see', () => {
    const dataTier = (file: string, extra: readonly string[] = []): string[] => {
      const r = ward(['check', file, ...extra, '--format', 'json']);
      expect(r.stderr).not.toMatch(/Error|at .*\.ts:/);
      const report = JSON.parse(r.stdout) as { findings: { ruleId: string; severity: string; message: string }[] };
      return report.findings.filter((f) => /^WARD-(ODOO|PG|MINIO|REST)-/.test(f.ruleId)).map((f) => `${f.ruleId} ${f.severity} ${f.message}`).sort();
    };
    const ns = SR_NAMESPACE;
    const rel = SR_RELEASE;
    const hba = (n: string): string => `WARD-PG-001 high StatefulSet ${ns}/${rel}-${n} container "postgresql" mounts no pg_hba.conf: the Bitnami image generates "host all all 0.0.0.0/0 md5" and "host all all ::/0 md5", which accept plaintext connections from anywhere`;
    expect(dataTier(files.plain)).toEqual([
      `WARD-MINIO-002 high Deployment ${ns}/${rel}-minio container "minio" serves the S3 API without TLS (env MINIO_SCHEME=http)`,
      `WARD-MINIO-003 medium Deployment ${ns}/${rel}-minio container "minio" configures no KMS (MINIO_KMS_SECRET_KEY, MINIO_KMS_KES_ENDPOINT, MINIO_KMS_SERVER unset): objects are stored unencrypted`,
      // The chart's templates/minio/virtualservice.yaml sends gateway internal (the registry's own) to the console port 9001.
      `WARD-MINIO-004 high Deployment ${ns}/${rel}-minio container "minio" serves the MinIO console on port 9001 (env MINIO_CONSOLE_PORT_NUMBER), published through VirtualService ${ns}/${rel}-minio (gateway internal)`,
      `WARD-ODOO-004 high Deployment ${ns}/${rel}-odoo container "${rel}-odoo" connects to PostgreSQL with sslmode prefer (db_sslmode not set: Odoo's default prefer)`,
      hba('keymanager-postgresql'), hba('odk-central-postgresql'), hba('postgresql'),
    ].sort());
    // No false positive: list_db is off (ODOO_LIST_DB unset; the chart's LIST_DB is read by nothing), ODOO_PASSWORD comes
    // from a Secret, no demo data, sruser, one database; MinIO creates no default bucket.
    // The overlay: Odoo on verify-full without the database manager, the registry database on hostssl + SCRAM, MinIO on
    // TLS with a KMS key and its console's route off (minio.istio.virtualservice.enabled: false). Left (SR_VALUES_GAPS): the key manager's and ODK Central's own PostgreSQL keep their generated pg_hba.
    expect(dataTier(files.overlaid)).toEqual([hba('keymanager-postgresql'), hba('odk-central-postgresql')]);
    // With ward's output and its RegistryDeployment too: the preset does not publish MinIO (no exposure ingress on 9001).
    expect(dataTier(files.overlaid, [files.synth, files.rd]).filter((f) => f.startsWith('WARD-MINIO-004'))).toEqual([]);
    expect(readFileSync(files.overlaid, 'utf8')).not.toMatch(new RegExp(`kind: VirtualService\\nmetadata:\\n  name: ${rel}-minio\\n`));
    // WARD-ODOO-007 is silent on the render for the right reason, not for want of a route: the chart's VirtualService
    // <release>-openg2p-social-registry sends the internal gateway to Odoo (setting X-Forwarded-Host/-Proto, which Odoo's
    // proxy mode needs), and the 1.3.1 image is bitnami/odoo plus a script, whose odoo.conf template hard-codes
    // proxy_mode = True. The same render on a 1.5 image (library/odoo, reads ODOO_PROXY_MODE) told ODOO_PROXY_MODE=False fires.
    const plainText = readFileSync(files.plain, 'utf8');
    const proxyOff = plainText.replace('openg2p-social-registry-odoo-package:1.3.1', 'openg2p-social-registry-odoo-package:1.5.0')
      .replace(/^( +)- name: ODOO_DATABASE_HOST$/m, '$1- name: ODOO_PROXY_MODE\n$1  value: "False"\n$1- name: ODOO_DATABASE_HOST');
    expect(proxyOff.match(/ODOO_PROXY_MODE|odoo-package:1\.5\.0/g)).toEqual(['odoo-package:1.5.0', 'ODOO_PROXY_MODE']);
    const variant = join(dir, 'proxy-mode-off.yaml');
    writeFileSync(variant, proxyOff);
    expect(dataTier(variant).filter((f) => f.startsWith('WARD-ODOO-007'))).toEqual([
      `WARD-ODOO-007 medium Deployment ${ns}/${rel}-odoo container "${rel}-odoo" runs without proxy_mode (env ODOO_PROXY_MODE) behind VirtualService ${ns}/${rel}-openg2p-social-registry (gateway internal)`,
    ]);
    // Encryption at rest is judged for personal-data workloads (openg2p-audit recognises the stores by image): the render names
    // no StorageClass, so each of their volumes is "cannot tell" (low), for an auditor to attest with a waiver.
    const rest = dataTier(files.overlaid, ['--profile', 'openg2p-audit']).filter((f) => f.startsWith('WARD-REST-001'));
    expect(rest.length).toBe(8); // the 9 holders but the key manager (no volume), Kafka's controller included
    for (const f of rest) expect(f).toMatch(/^WARD-REST-001 low .* \(holds personal data\) is on the cluster's default StorageClass \(not in the input\): cannot tell whether it encrypts at rest$/);
    expect(rest.some((f) => f.includes(`PersistentVolumeClaim ${ns}/${rel}-odoo of Deployment ${ns}/${rel}-odoo`))).toBe(true);
  });

  it('--profile openg2p-audit takes the data stores as holding personal data by image, says so in the summary, and raises their findings one step', () => {
    interface Report { summary: { personalData: { workload: { kind: string; name: string }; by: string; what: string }[] }; findings: { ruleId: string; severity: string; object: { kind: string; name: string }; message: string }[] }
    const audit = ward(['check', files.plain, '--profile', 'openg2p-audit', '--format', 'json']);
    const report = JSON.parse(audit.stdout) as Report;
    expect(report.summary.personalData.map((h) => `${h.workload.kind}/${h.workload.name} ${h.by} ${h.what}`)).toEqual([
      'Deployment/sr-keymanager image MOSIP key manager', 'Deployment/sr-minio image MinIO', 'Deployment/sr-odoo image Odoo',
      'StatefulSet/sr-keymanager-postgresql image PostgreSQL', 'StatefulSet/sr-logging-opensearch-master image OpenSearch', 'StatefulSet/sr-odk-central-postgresql image PostgreSQL',
      'StatefulSet/sr-postgresql image PostgreSQL', 'StatefulSet/sr-reporting-kafka-controller image Kafka', 'StatefulSet/sr-reporting-opensearch-master image OpenSearch',
    ].map((x) => x.replaceAll('sr-', `${SR_RELEASE}-`)));
    // The same profile without its personalData section: the same severity overrides, nothing recognised.
    const profile = parseDocument(readFileSync(join(ROOT, 'policies/profiles/openg2p-audit.yaml'), 'utf8'));
    profile.delete('personalData');
    const plainProfile = join(dir, 'no-images.yaml');
    writeFileSync(plainProfile, profile.toString());
    const without = JSON.parse(ward(['check', files.plain, '--profile', plainProfile, '--format', 'json']).stdout) as Report;
    expect(without.summary.personalData).toEqual([]);
    const severityOf = (r: Report, ruleId: string, name: string): string[] => r.findings.filter((f) => f.ruleId === ruleId && f.object.kind === 'Deployment' && f.object.name === name).map((f) => f.severity);
    expect(severityOf(without, 'WARD-MTLS-001', `${SR_RELEASE}-odoo`)).toEqual(['high']);
    expect(severityOf(report, 'WARD-MTLS-001', `${SR_RELEASE}-odoo`)).toEqual(['critical']);
    expect(severityOf(without, 'WARD-NET-003', `${SR_RELEASE}-minio`)).toEqual(['medium']);
    expect(severityOf(report, 'WARD-NET-003', `${SR_RELEASE}-minio`)).toEqual(['high']);
    // A workload that is not a holder keeps its severity (the mail server).
    expect(severityOf(report, 'WARD-MTLS-001', `${SR_RELEASE}-mail`)).toEqual(severityOf(without, 'WARD-MTLS-001', `${SR_RELEASE}-mail`));
    // The text summary names them in one line and stays within 40 lines before the first finding.
    const text = ward(['check', files.plain, '--profile', 'openg2p-audit']).stdout.split('\n');
    expect(text[2]).toMatch(/^personal data \(raises severities\): 9 workloads — by image: \S+-keymanager \(MOSIP key manager\), .* … \d+ more$/);
    expect(text.findIndex((l) => /^CRITICAL \(/.test(l))).toBeLessThanOrEqual(40);
    expect(ward(['check', files.plain]).stdout.split('\n')[2]).toBe('no workload taken as holding personal data: label workloads ward.g2p.dev/personal-data=true or use --profile openg2p-audit');
  });

  it('ward flows --profile openg2p-audit names the same 9 holders in its summary; the default profile says how to get them', () => {
    const audit = ward(['flows', files.plain, '--format', 'summary', '--profile', 'openg2p-audit']).stdout;
    expect(audit.split('\n')[0]).toMatch(/\(9 with personal data\)$/);
    expect(audit).toMatch(/sr-odoo\[Deployment\] {2}TCP 1-65535 {2}holds personal data/);
    expect(audit).not.toMatch(/sr-mail\[Deployment\].*holds personal data/);
    const plain = ward(['flows', files.plain, '--format', 'summary']).stdout;
    expect(plain.split('\n')[0]).toContain('0 with personal data; no workload is labelled ward.g2p.dev/personal-data=true and no spec component has personalData (--profile openg2p-audit recognises the OpenG2P data stores by image)');
  });

  it('without the overlay the Bitnami NetworkPolicies allow undeclared connections, named by policy', () => {
    const r = ward(['check', files.plain, files.synth, files.rd, '--format', 'json']);
    const report = JSON.parse(r.stdout) as { findings: { ruleId: string; message: string }[] };
    const undeclared = report.findings.filter((f) => f.ruleId === 'WARD-FLOW-001');
    expect(undeclared.length).toBeGreaterThan(0);
    expect(undeclared.map((f) => f.message).join('\n')).toMatch(/postgresql/);
    // Any address outside the cluster reaches PostgreSQL at L4 through the chart's own Bitnami policy.
    const args = ['--spec', files.rd, '--layer', 'l4', '--explain', '203.0.113.9', `${SR_NAMESPACE}/${SR_RELEASE}-postgresql`, '5432'];
    const explain = ward(['flows', files.plain, files.synth, ...args]);
    expect(explain.stdout).toContain('is ALLOWED');
    expect(explain.stdout).toContain(`allowed by NetworkPolicy ${SR_NAMESPACE}/${SR_RELEASE}-postgresql ingress rule #1`);
    expect(ward(['flows', files.overlaid, files.synth, ...args]).stdout).toContain('is DENIED');
    expect(r.code).toBe(1);
  });

  it('WARD-API-001: the render for Kubernetes 1.34 has no removed API version; rendered for 1.20 its ten PodDisruptionBudgets are policy/v1beta1 and reported', () => {
    interface Report { findings: { ruleId: string; message: string; object: { kind: string } }[] }
    const api = (file: string): Report['findings'] => (JSON.parse(ward(['check', file, '--format', 'json']).stdout) as Report).findings.filter((f) => f.ruleId === 'WARD-API-001');
    expect(api(files.plain)).toEqual([]);
    const p = prereq as ChartPrereq;
    const old = join(dir, 'sr-1.20.yaml');
    writeFileSync(old, execFileSync(p.helm, ['template', SR_RELEASE, p.chart, '--namespace', SR_NAMESPACE, '--kube-version', '1.20'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
    const found = api(old);
    expect(found).toHaveLength(10);
    expect(new Set(found.map((f) => f.object.kind))).toEqual(new Set(['PodDisruptionBudget']));
    for (const f of found) expect(f.message).toMatch(/is written as policy\/v1beta1, which Kubernetes stopped serving in 1\.25: the API server refuses it; write it as policy\/v1$/);
  });
});
