/**
 * Flow engine scaling: generated clusters of 500, 2,000 and 5,000 workloads (50 per namespace) with
 * proportional policies: per namespace a default-deny and DNS egress, per workload an ingress
 * policy admitting three peers (one in another namespace) and an egress policy towards them, and
 * per namespace an ipBlock egress. Prints median times end-to-end (YAML text → connlist, in process)
 * and of the engine alone (loaded documents → connlist), the peak memory (max RSS of a child process
 * per size), the growth ratio between sizes, and the ratio to netpol-analyzer (`netpolicy list`,
 * whole process, one run, stopped after BENCH_NETPOL_TIMEOUT_S) on the same file when it is on PATH.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { KubeObject } from '../charts-src/kube.js';
import { buildIndex } from '../policies/engine.js';
import { analyzeFlows, buildFlowContext } from '../policies/flows/analyze.js';
import { toConnlist } from '../policies/flows/format/text.js';
import { loadBuffer } from '../policies/load/index.js';
import { fmtMs, time } from './measure.js';

/** Cluster sizes (workloads); BENCH_FLOWS_SIZES=5000,20000 picks others. */
const SIZES: readonly number[] = (process.env.BENCH_FLOWS_SIZES ?? '500,2000,5000').split(',').map(Number);
const PER_NAMESPACE = 50;

function deployment(ns: string, name: string, labels: Record<string, string>, port: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [{ name: 'app', image: 'app', ports: [{ name: 'http', containerPort: port }] }] } } },
  };
}

function netpol(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec };
}

/** A deterministic cluster of `n` workloads and about 2n + 3n/50 policies. */
export function generatedCluster(n: number): KubeObject[] {
  const namespaces = Math.ceil(n / PER_NAMESPACE);
  const nsName = (i: number): string => `ns${String(i).padStart(3, '0')}`;
  const wl = (i: number): { ns: string; name: string } => ({ ns: nsName(Math.floor(i / PER_NAMESPACE)), name: `w${String(i).padStart(5, '0')}` });
  const out: KubeObject[] = [deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 53)];
  for (let k = 0; k < namespaces; k++) {
    const ns = nsName(k);
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${String(k % 10)}` } } });
    out.push(netpol(ns, 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    out.push(netpol(ns, 'dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] }));
    out.push(netpol(ns, 'egress-partner', { podSelector: { matchLabels: { tier: 't0' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `10.${String(k % 250)}.0.0/16`, except: [`10.${String(k % 250)}.1.0/24`] } }], ports: [{ port: 443 }] }] }));
  }
  for (let i = 0; i < n; i++) {
    const { ns, name } = wl(i);
    out.push(deployment(ns, name, { app: name, tier: `t${String(i % 5)}` }, 8000 + (i % 100)));
    const peers = [(i + 1) % n, (i + 7) % n, (i + PER_NAMESPACE + 3) % n].map(wl);
    const peer = (p: { ns: string; name: string }): Record<string, unknown> => (p.ns === ns ? { podSelector: { matchLabels: { app: p.name } } } : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.ns } }, podSelector: { matchLabels: { app: p.name } } });
    out.push(netpol(ns, `${name}-in`, { podSelector: { matchLabels: { app: name } }, policyTypes: ['Ingress'], ingress: [{ from: peers.map(peer), ports: [{ port: 'http' }] }] }));
    const targets = [(i + n - 1) % n, (i + n - 7) % n, (i + n - PER_NAMESPACE - 3) % n].map(wl);
    out.push(netpol(ns, `${name}-out`, { podSelector: { matchLabels: { app: name } }, policyTypes: ['Egress'], egress: [{ to: targets.map(peer), ports: [{ port: 'http' }] }] }));
  }
  return out;
}

function toYamlText(objects: readonly KubeObject[]): string {
  // No anchors for objects the generator shares (labels): Helm and kubectl never write them.
  return objects.map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n');
}

export interface Measurement {
  /** YAML text → loader → index → flows → connlist. */
  readonly endToEndMs: number;
  /** Loaded documents → index → flows → connlist (the flow engine without the YAML loader). */
  readonly engineMs: number;
  readonly lines: number;
  readonly maxRssMb: number;
}

/** One size in this process: medians of end-to-end and engine-only runs, and the output size. */
export function measure(n: number, runs: number): Measurement {
  const text = new TextEncoder().encode(toYamlText(generatedCluster(n)));
  let lines = 0;
  const engine = (documents: ReturnType<typeof loadBuffer>['documents']): void => {
    const out = toConnlist(analyzeFlows(buildFlowContext(buildIndex({ documents })), 'l4'));
    lines = out.length === 0 ? 0 : out.split('\n').length - 1;
  };
  const documents = loadBuffer(text, 'cluster.yaml').documents;
  const engineT = time(() => engine(documents), runs, 1);
  const endToEnd = time(() => engine(loadBuffer(text, 'cluster.yaml').documents), runs, 1);
  return { endToEndMs: endToEnd.medianMs, engineMs: engineT.medianMs, lines, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

function findNetpolicy(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), process.env.WARD_TOOLS_BIN ?? '', join(homedir(), '.cache/ward/bin')];
  return dirs.filter(Boolean).map((d) => join(d, 'netpolicy')).find((p) => existsSync(p));
}

/** Wall time of one `netpolicy list` on the same cluster, or undefined past the timeout. */
function netpolicyMs(bin: string, n: number, timeoutS: number): number | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'ward-bench-flows-'));
  try {
    writeFileSync(join(dir, 'cluster.yaml'), toYamlText(generatedCluster(n)));
    const t0 = performance.now();
    const r = spawnSync(bin, ['list', '--dirpath', dir, '-q'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutS * 1000, killSignal: 'SIGKILL' });
    if (r.error || r.signal) return undefined;
    if (r.status !== 0) throw new Error(`netpolicy failed: ${r.stderr.toString().slice(0, 300)}`);
    return performance.now() - t0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each size runs in its own child process, so max RSS is that size's peak. */
function child(n: number, runs: number): Measurement {
  const self = fileURLToPath(import.meta.url);
  const code = `const m = await import(${JSON.stringify(`file://${self}`)}); process.stdout.write(JSON.stringify(m.measure(${String(n)}, ${String(runs)})));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`bench child for ${String(n)} failed: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout) as Measurement;
}

function growth(cur: Measurement, prev: Measurement | undefined, n: number, prevN: number): string {
  if (!prev) return '';
  return `  growth x${(cur.endToEndMs / prev.endToEndMs).toFixed(2)} end-to-end, x${(cur.engineMs / prev.engineMs).toFixed(2)} engine, for x${(n / prevN).toFixed(1)} workloads`;
}

export default function bench(): void {
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const timeoutS = Number(process.env.BENCH_NETPOL_TIMEOUT_S ?? 150);
  const np = process.env.BENCH_NETPOL === '0' ? undefined : findNetpolicy();
  let npGaveUp = false;
  let prev: { n: number; m: Measurement } | undefined;
  for (const n of SIZES) {
    const m = child(n, runs);
    let vsNp = '';
    if (np && !npGaveUp) {
      const npMs = netpolicyMs(np, n, timeoutS);
      npGaveUp = npMs === undefined;
      vsNp = npMs === undefined ? `  netpol-analyzer > ${String(timeoutS)} s (stopped; larger sizes skipped)` : `  netpol-analyzer ${fmtMs(npMs)}  ward/netpol-analyzer ${(m.endToEndMs / npMs).toFixed(3)}`;
    }
    process.stdout.write(`flows l4 ${String(n).padStart(5)} workloads  ${String(m.lines).padStart(6)} connections  end-to-end ${fmtMs(m.endToEndMs).padStart(9)}  engine ${fmtMs(m.engineMs).padStart(9)} (medians of ${String(runs)})  peak RSS ${m.maxRssMb.toFixed(0)} MB${growth(m, prev?.m, n, prev?.n ?? n)}${vsNp}\n`);
    prev = { n, m };
  }
  if (!np) process.stdout.write('netpol-analyzer not on PATH (or BENCH_NETPOL=0): no ratio (scripts/ci-flows.sh installs it)\n');
  namespaceCurve(runs);
}

/**
 * One workload per namespace, each admitting ingress only from the next namespace by its
 * `kubernetes.io/metadata.name` (one distinct namespaceSelector per policy): the engine's time at
 * 1k/2k/4k/8k namespaces (BENCH_FLOWS_NAMESPACES) should grow linearly (the namespace label index in
 * policies/flows/selection.ts; a scan per selector was quadratic).
 */
function namespaceCurve(runs: number): void {
  const sizes = (process.env.BENCH_FLOWS_NAMESPACES ?? '1000,2000,4000,8000').split(',').map(Number);
  let prev: { n: number; ms: number } | undefined;
  for (const n of sizes) {
    const objects: KubeObject[] = [];
    const ns = (i: number): string => `n${String(i % n).padStart(5, '0')}`;
    for (let i = 0; i < n; i++) {
      objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns(i), labels: { 'kubernetes.io/metadata.name': ns(i) } } });
      objects.push(deployment(ns(i), 'app', { app: 'app' }, 8080));
      objects.push(netpol(ns(i), 'from-next', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns(i + 1) } } }] }] }));
    }
    const index = buildIndex({ objects });
    const t = time(() => analyzeFlows(buildFlowContext(index), 'l4'), runs, 1);
    const growthText = prev ? `  growth x${(t.medianMs / prev.ms).toFixed(2)} for x${(n / prev.n).toFixed(1)} namespaces` : '';
    process.stdout.write(`flows l4 ${String(n).padStart(5)} namespaces, one namespaceSelector each  engine ${fmtMs(t.medianMs).padStart(9)} (median of ${String(runs)})${growthText}\n`);
    prev = { n, ms: t.medianMs };
  }
}
