import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../charts-src/kube.js';
import { buildIndex } from '../../policies/engine.js';
import { analyzeFlows, buildFlowContext } from '../../policies/flows/analyze.js';
import { toConnlist } from '../../policies/flows/format/text.js';
import { missingPrereq } from '../support/prereq.js';
import { CORPUS, indexOfScenario, scenarios } from '../unit/flows/helpers.js';

/**
 * Differential test against netpol-analyzer 1.4.4 (`netpolicy list`, installed by
 * scripts/ci-flows.sh): on every corpus scenario and on generated clusters, `ward flows --layer l4`
 * must print exactly what netpol-analyzer prints.
 */
function findNetpolicy(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), process.env.WARD_TOOLS_BIN ?? '', join(homedir(), '.cache/ward/bin')];
  return dirs.filter(Boolean).map((d) => join(d, 'netpolicy')).find((p) => existsSync(p));
}

const NETPOLICY = findNetpolicy();
const skip = missingPrereq('netpol-analyzer `netpolicy` (scripts/ci-flows.sh installs it)', NETPOLICY !== undefined);

function netpolicy(dir: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(NETPOLICY!, ['list', '--dirpath', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Deliberate differences, each explained; the test checks that the difference is exactly this.
 */
const DELIBERATE: Readonly<Record<string, { why: string; check: (np: ReturnType<typeof netpolicy>, ward: string) => void }>> = {
  '23-named-port-egress-any-destination': {
    why: 'An egress rule with a named port and no `to` applies to every destination, addresses outside the cluster included. '
      + 'netpol-analyzer refuses the whole input ("cannot convert named port for an IP destination"); ward resolves the name '
      + 'against each destination workload\'s container ports and allows nothing towards addresses, where no name exists.',
    check: (np, ward) => {
      expect(np.code).not.toBe(0);
      expect(np.stderr).toContain('cannot convert named port for an IP destination');
      expect(ward).toContain('c/client[Deployment] => c/store[StatefulSet] : TCP 7000\n');
    },
  },
  '24-owned-replicaset': {
    why: 'A Deployment, its ReplicaSet and its Pod (a live-cluster dump) are one workload for ward, which follows '
      + 'controller ownerReferences; netpol-analyzer maps the Pod to its ReplicaSet and prints the ReplicaSet as a '
      + 'separate workload. Without the ReplicaSet\'s lines the outputs are identical.',
    check: (np, ward) => {
      const withoutRs = np.stdout.split('\n').filter((l) => !l.includes('k/web-5d9c7b[ReplicaSet]')).join('\n');
      expect(np.stdout).toContain('k/web-5d9c7b[ReplicaSet]');
      expect(withoutRs).toBe(ward);
    },
  },
  '41-pods-owned-outside-input': {
    why: 'A Pod whose controller is not a workload of the input (here a CloudNativePG Cluster) is analysed as a pod by ward, '
      + 'named ns/pod[Pod]; netpol-analyzer names it after its owner (db/pg[Cluster]). Pods of one such owner may differ in '
      + 'labels (CNPG primary and replicas). With the name replaced the outputs are identical.',
    check: (np, ward) => {
      expect(np.stdout).toContain('db/pg[Cluster]');
      expect(np.stdout.replaceAll('db/pg[Cluster]', 'db/pg-1[Pod]')).toBe(ward);
    },
  },
  '44-named-port-native-sidecar': {
    why: 'Kubernetes resolves named ports on native sidecars (init containers with restartPolicy: Always) after the app '
      + 'containers (pkg/api/v1/pod/util.go FindPort); netpol-analyzer 1.4.4 reads app containers only and warns that '
      + '"metrics" has no match. ward allows TCP 8080,9100 where netpol-analyzer allows TCP 8080.',
    check: (np, ward) => {
      expect(np.stdout).toContain('web/client[Deployment] => web/web[Deployment] : TCP 8080\n');
      expect(ward.replace('TCP 8080,9100', 'TCP 8080')).toBe(np.stdout);
    },
  },
  '31-ipv6-ipblock': {
    why: 'ward analyses IPv4 and ignores IPv6 ipBlocks. netpol-analyzer 1.4.4 reads 2001:db8::/32 as the IPv4 '
      + 'address made of its first four bytes (32.1.13.184) and prints it as a permitted source: a netpol-analyzer bug. '
      + 'Without that line the outputs are identical.',
    check: (np, ward) => {
      expect(np.stdout).toContain('32.1.13.184-32.1.13.184 => v6/api[Deployment] : TCP 443\n');
      expect(np.stdout.replace('32.1.13.184-32.1.13.184 => v6/api[Deployment] : TCP 443\n', '')).toBe(ward);
    },
  },
};

describe.skipIf(skip)('ward flows --layer l4 agrees with netpol-analyzer', () => {
  it.each(scenarios())('%s', (name) => {
    const ward = toConnlist(analyzeFlows(buildFlowContext(indexOfScenario(name)), 'l4'));
    const np = netpolicy(join(CORPUS, name));
    const deliberate = DELIBERATE[name];
    if (deliberate) {
      deliberate.check(np, ward);
      return;
    }
    expect(np.code, np.stderr).toBe(0);
    expect(ward).toBe(np.stdout);
  });

  it('lists only deliberate differences that exist in the corpus', () => {
    for (const name of Object.keys(DELIBERATE)) expect(scenarios()).toContain(name);
  });

  const work = mkdtempSync(join(tmpdir(), 'ward-netpol-diff-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const labels = fc.record({ app: fc.constantFrom('a', 'b', 'c'), tier: fc.constantFrom('front', 'back') }, { requiredKeys: ['app'] });
  const selector = fc.oneof(fc.constant({}), fc.record({ matchLabels: labels }, { requiredKeys: [] }),
    fc.constant({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }), fc.constant({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }));
  const podPeer = fc.oneof(
    fc.record({ podSelector: selector }),
    fc.record({ namespaceSelector: fc.constantFrom({}, { matchLabels: { env: 'prod' } }, { matchLabels: { 'kubernetes.io/metadata.name': 'ns2' } }) }),
    fc.record({ namespaceSelector: fc.constant({ matchLabels: { env: 'prod' } }), podSelector: selector }),
  );
  const ipPeer = fc.record({ ipBlock: fc.constantFrom({ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }, { cidr: '192.168.0.0/16' }, { cidr: '0.0.0.0/0', except: ['8.8.8.0/24'] }) });
  const numericPort = fc.constantFrom({ port: 80 }, { port: 400, endPort: 6000 }, { protocol: 'UDP' }, { port: 53, protocol: 'UDP' }, { port: 9999, protocol: 'SCTP' });
  const anyPort = fc.oneof(numericPort, fc.constantFrom({ port: 'http' }, { port: 'dns', protocol: 'UDP' }));
  // Named ports only where every destination is a pod (netpol-analyzer refuses them towards addresses: see DELIBERATE).
  const rule = fc.oneof(
    fc.record({ peers: fc.array(podPeer, { minLength: 1, maxLength: 2 }), ports: fc.option(fc.array(anyPort, { maxLength: 2 }), { nil: undefined }) }),
    fc.record({ peers: fc.option(fc.array(fc.oneof(podPeer, ipPeer), { minLength: 1, maxLength: 2 }), { nil: undefined }), ports: fc.option(fc.array(numericPort, { minLength: 1, maxLength: 2 }), { nil: undefined }) }),
  );
  const policy = fc.record({
    ns: fc.constantFrom('ns1', 'ns2'), sel: selector,
    types: fc.option(fc.subarray(['Ingress', 'Egress'], { minLength: 1 }), { nil: undefined }),
    ingress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }), egress: fc.option(fc.array(rule, { maxLength: 2 }), { nil: undefined }),
  });
  const workload = fc.record({ ns: fc.constantFrom('ns1', 'ns2'), labels, ports: fc.subarray([{ name: 'http', containerPort: 80 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }, { containerPort: 443 }]) });

  type PolicyGen = typeof policy extends fc.Arbitrary<infer T> ? T : never;
  type WorkloadGen = typeof workload extends fc.Arbitrary<infer T> ? T : never;

  function objects(ws: WorkloadGen[], ps: PolicyGen[]): KubeObject[] {
    const out: KubeObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns1', labels: { env: 'prod' } } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns2' } }];
    ws.forEach((w, i) => out.push({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `w${String(i)}`, namespace: w.ns }, spec: {
      selector: { matchLabels: w.labels }, template: { metadata: { labels: w.labels }, spec: { containers: [{ name: 'c', image: 'i', ports: w.ports }] } } } }));
    ps.forEach((p, i) => {
      const rules = (rs: PolicyGen['ingress'], field: string): object[] | undefined => rs?.map((r) => ({ ...(r.peers ? { [field]: r.peers } : {}), ...(r.ports ? { ports: r.ports } : {}) }));
      out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `p${String(i)}`, namespace: p.ns }, spec: {
        podSelector: p.sel, ...(p.types ? { policyTypes: p.types } : {}),
        ...(p.ingress ? { ingress: rules(p.ingress, 'from') } : {}), ...(p.egress ? { egress: rules(p.egress, 'to') } : {}) } });
    });
    return out;
  }

  it('on generated clusters', () => {
    let n = 0;
    fc.assert(fc.property(fc.array(workload, { minLength: 1, maxLength: 5 }), fc.array(policy, { minLength: 1, maxLength: 4 }), (ws, ps) => {
      const objs = objects(ws, ps);
      const dir = join(work, `c${String(n++)}`);
      execFileSync('mkdir', ['-p', dir]);
      writeFileSync(join(dir, 'input.yaml'), objs.map((o) => stringify(o)).join('---\n'));
      const np = netpolicy(dir);
      expect(np.code, np.stderr).toBe(0);
      expect(toConnlist(analyzeFlows(buildFlowContext(buildIndex({ objects: objs })), 'l4'))).toBe(np.stdout);
    }), { numRuns: 80, seed: 7 });
  });
});
