import { describe, expect, it } from 'vitest';
import { ObjectIndex } from '../../../policies/index/object-index.js';
import { inferSpec } from '../../../policies/init/infer.js';
import { addressesIn, siblingPort } from '../../../policies/init/references.js';
import { inferenceToYaml } from '../../../policies/init/write.js';
import { parseText } from '../../../policies/load/parse.js';
import { builtinProfile } from '../../../policies/profiles.js';

function infer(yaml: string): ReturnType<typeof inferSpec> {
  const loaded = parseText(yaml, 'r.yaml');
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  // As `ward init` does: the openg2p-audit profile's images are the stores of personal data.
  return inferSpec(ObjectIndex.fromDocuments(loaded.documents, { personalData: builtinProfile('openg2p-audit').personalData! }));
}

const deploy = (name: string, labels: Record<string, string>, extra: { sa?: string; ports?: string; env?: string; image?: string; hook?: string } = {}): string => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ns${extra.hook ? `\n  annotations: {"helm.sh/hook": "${extra.hook}"}` : ''}
spec:
  selector: {matchLabels: ${JSON.stringify(labels)}}
  template:
    metadata: {labels: ${JSON.stringify({ ...labels, 'helm.sh/chart': 'x-1.2.3', 'app.kubernetes.io/version': '1.2.3' })}}
    spec:${extra.sa ? `\n      serviceAccountName: ${extra.sa}` : ''}
      containers:
        - name: main
          image: ${extra.image ?? 'example/app:1'}
          ports: [${extra.ports ?? ''}]
          env: [${extra.env ?? ''}]
`;

const service = (name: string, selector: Record<string, string>, ports: string): string => `---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ns}
spec:
  selector: ${JSON.stringify(selector)}
  ports: [${ports}]
`;

describe('addressesIn', () => {
  it('finds URL hosts, host:port pairs and bare names, never a path, a user or a dotted identifier', () => {
    expect(addressesIn('http://user:pw@sr-keymanager/v1/keymanager')).toEqual([{ host: 'sr-keymanager', scheme: 'http' }]);
    expect(addressesIn('bootstrap.servers=sr-kafka:9092,other:9093')).toEqual([{ host: 'bootstrap.servers' }, { host: 'sr-kafka', port: 9092 }, { host: 'other', port: 9093 }]);
    expect(addressesIn('tcp://sr-softhsm.sr:80')).toEqual([{ host: 'sr-softhsm.sr', scheme: 'tcp', port: 80 }]);
    expect(addressesIn('org.postgresql.Driver /var/lib/data admin@host').map((a) => a.host)).toEqual([]);
  });

  it('takes the port from the sibling setting of a host setting', () => {
    const env = new Map([['ODOO_DATABASE_PORT_NUMBER', '5432'], ['ENKETO_PORT', '8005']]);
    expect(siblingPort('ODOO_DATABASE_HOST', env)).toBe(5432);
    expect(siblingPort('ENKETO_HOST', env)).toBe(8005);
    expect(siblingPort('SOMETHING_ELSE', env)).toBeUndefined();
  });
});

describe('inferSpec', () => {
  const app = { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'r' };
  const db = { 'app.kubernetes.io/name': 'db', 'app.kubernetes.io/instance': 'r' };

  it('makes components from workloads with their own selector (no chart version), service account and ports; a flow from an env host to the Service target port', () => {
    const inf = infer(
      deploy('r-app', app, { sa: 'r-app', ports: '{name: http, containerPort: 8069}', env: '{name: DB_HOST, value: r-db}, {name: DB_PORT, value: "5432"}' }) +
      deploy('r-db', db, { sa: 'r-db', image: 'docker.io/bitnami/postgresql:16' }) +
      service('r-db', db, '{name: tcp-pg, port: 5432, targetPort: 5432}'),
    );
    expect(inf.release).toBe('r');
    expect(inf.components.map((c) => [c.name, c.selector, c.serviceAccount, c.ports.map((p) => p.port), c.personalData])).toEqual([
      ['app', app, 'r-app', [8069], false],
      ['db', db, 'r-db', [5432], true],
    ]);
    expect(inf.flows).toMatchObject([{ from: 'app', to: 'db', ports: [{ port: 5432, protocol: 'TCP' }] }]);
    expect(inf.flows[0]!.evidence[0]).toMatch(/^r\.yaml:\d+ env DB_HOST names r-db: Service r-db port 5432 → 5432$/);
  });

  it('adds a label to tell apart components whose selectors overlap, and states a shared service account', () => {
    const base = { 'app.kubernetes.io/name': 'os', 'app.kubernetes.io/instance': 'r' };
    const inf = infer(deploy('r-os-master', { ...base, 'app.kubernetes.io/component': 'master' }) + deploy('r-os-dash', base));
    const [dash, master] = inf.components;
    expect(master!.selector).toEqual({ ...base, 'app.kubernetes.io/component': 'master' });
    expect(dash!.sharedIdentityReason).toBeUndefined();
    expect(master!.sharedIdentityReason).toMatch(/sets no serviceAccountName/);
    expect(inf.todos.some((t) => t.includes('same labels'))).toBe(true);
  });

  it('lists Helm hooks instead of making them components, and an unknown host as one TODO per host', () => {
    const inf = infer(deploy('r-app', app, { env: '{name: A_URL, value: "https://idp.example.org/token"}, {name: B_URL, value: "https://idp.example.org/x"}' }) + deploy('r-hook', db, { hook: 'post-install' }));
    expect(inf.components.map((c) => c.name)).toEqual(['app']);
    expect(inf.notComponents[0]!.reason).toMatch(/^Helm hook \(post-install\)/);
    expect(inf.todos.filter((t) => t.startsWith('idp.example.org'))).toHaveLength(1);
  });

  it('writes YAML whose comments carry the evidence and which reads back as the same values (YAML 1.1 strings quoted)', () => {
    const inf = infer(deploy('r-app', { ...app, flag: 'on' }));
    const text = inferenceToYaml(inf, { source: 'r.yaml' });
    expect(text).toContain('    # Deployment r-app (r.yaml:');
    expect(text).toContain('flag: "on"');
  });
});
