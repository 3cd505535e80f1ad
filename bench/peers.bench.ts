/**
 * ward against the peers people already run, in one run (`npm run bench -- peers`): whole processes
 * on the same files, interleaved, medians of BENCH_PEERS_RUNS runs (default 5; Checkov, a Python
 * tool that takes seconds per run, BENCH_PEERS_CHECKOV_RUNS, default 3), wall time and peak RSS
 * (GNU time's %M), and ward's ratio to each peer.
 *
 * Inputs: (a) the real OpenG2P Social Registry 1.3.1 render (Helm from scripts/ci-helm.sh, the chart
 * as test/support/openg2p-chart.ts finds it); (b) the 10,000-object corpus of check.bench.ts;
 * (c) for netpol-analyzer, the generated flow clusters of flows.bench.ts (`ward flows` against
 * `netpolicy list`). A peer not on PATH (or in $WARD_CACHE_DIR/bin) is skipped with a message:
 * scripts/ci-flows.sh installs kube-score, Checkov and netpol-analyzer. Polaris is not installable
 * here: the Go module proxy answers 403 for github.com/fairwindsops/polaris.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { helmBinary, SR_CHART } from '../test/support/openg2p-chart.js';
import { corpus } from './check.bench.js';
import { generatedCluster } from './flows.bench.js';
import { fmtMs, median, runProcess } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WARD = join(ROOT, 'bin', 'ward.js');

interface Tool {
  readonly name: string;
  /** argv for one input file (its directory for netpol-analyzer). */
  readonly argv: (file: string, dir: string) => string[];
  readonly runs: number;
}

interface Result {
  readonly ms: number;
  readonly mib: number;
}

function onPath(bin: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(process.env.WARD_CACHE_DIR ?? join(homedir(), '.cache', 'ward'), 'bin')];
  return dirs.filter(Boolean).map((d) => join(d, bin)).find((p) => existsSync(p));
}

function compare(title: string, file: string, tools: readonly Tool[], scratch: string): void {
  const out = (l: string): void => void process.stdout.write(`${l}\n`);
  out(`\n${title}`);
  const samples = new Map<string, Result[]>(tools.map((t) => [t.name, []]));
  const timeFile = join(scratch, 'time.txt');
  const most = Math.max(...tools.map((t) => t.runs));
  for (let i = 0; i < most; i++) {
    for (const t of tools) if (i < t.runs) samples.get(t.name)!.push(runProcess(t.argv(file, scratch), timeFile)); // exit codes ignored: findings exit non-zero
  }
  const med = (name: string): Result => {
    const s = samples.get(name)!;
    return { ms: median(s.map((x) => x.ms)), mib: median(s.map((x) => x.mib)) };
  };
  const ward = med(tools[0]!.name);
  for (const t of tools) {
    const m = med(t.name);
    const ratio = t === tools[0] ? '' : `  ward ÷ ${t.name}: ${(ward.ms / m.ms).toFixed(2)}× time, ${(ward.mib / m.mib).toFixed(2)}× memory`;
    out(`  ${t.name.padEnd(16)} ${fmtMs(m.ms).padStart(10)}  peak RSS ${m.mib.toFixed(0).padStart(5)} MiB  (median of ${String(t.runs)})${ratio}`);
  }
}

function peersFor(runs: number, checkovRuns: number): { tools: Tool[]; missing: string[] } {
  const tools: Tool[] = [{ name: 'ward check', argv: (f) => [process.execPath, WARD, 'check', f, '--format', 'json'], runs }];
  const missing: string[] = [];
  const ks = onPath('kube-score');
  if (ks) tools.push({ name: 'kube-score', argv: (f) => [ks, 'score', '--output-format', 'ci', f], runs });
  else missing.push('kube-score: not on PATH (bash scripts/ci-flows.sh installs it)');
  const polaris = onPath('polaris');
  if (polaris) tools.push({ name: 'polaris', argv: (f) => [polaris, 'audit', '--audit-path', f, '--format', 'json'], runs });
  else missing.push('polaris: not installed: the Go module proxy refuses github.com/fairwindsops/polaris (403)');
  const checkov = onPath('checkov');
  if (checkov) tools.push({ name: 'checkov', argv: (f) => [checkov, '-f', f, '--framework', 'kubernetes', '--quiet', '--compact', '-o', 'json'], runs: checkovRuns });
  else missing.push('checkov: not on PATH (bash scripts/ci-flows.sh installs it)');
  return { tools, missing };
}

function srRender(): { text: string } | { skipped: string } {
  const helm = helmBinary();
  if (!helm) return { skipped: 'no Helm (bash scripts/ci-helm.sh)' };
  if (!existsSync(SR_CHART)) return { skipped: `no chart at ${SR_CHART}` };
  return { text: execFileSync(helm, ['template', 'sr', SR_CHART, '--namespace', 'sr'], { encoding: 'utf8', maxBuffer: 1 << 26 }) };
}

export default function bench(): void {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    process.stdout.write('peers: skipped: no build in dist/ (run `npm run build`)\n');
    return;
  }
  const runs = Number(process.env.BENCH_PEERS_RUNS ?? 5);
  const checkovRuns = Number(process.env.BENCH_PEERS_CHECKOV_RUNS ?? 3);
  const scratch = mkdtempSync(join(tmpdir(), 'ward-bench-peers-'));
  try {
    const { tools, missing } = peersFor(runs, checkovRuns);
    for (const m of missing) process.stdout.write(`${m}\n`);
    const render = srRender();
    if ('skipped' in render) process.stdout.write(`(a) OpenG2P SR 1.3.1 render: skipped: ${render.skipped}\n`);
    else {
      const file = join(scratch, 'sr.yaml');
      writeFileSync(file, render.text);
      compare(`(a) OpenG2P Social Registry 1.3.1 render (${String((render.text.match(/^kind: /gm) ?? []).length)} objects)`, file, tools, scratch);
    }
    const { text, objects } = corpus();
    const file = join(scratch, 'corpus.yaml');
    writeFileSync(file, text);
    compare(`(b) generated corpus (${String(objects)} objects, ${(text.length / 1024 / 1024).toFixed(1)} MiB)`, file, tools, scratch);
    const np = onPath('netpolicy');
    if (!np) process.stdout.write('(c) netpol-analyzer: not on PATH (bash scripts/ci-flows.sh installs it)\n');
    // netpol-analyzer takes about 84 s on 500 workloads here (docs/flows.md): one run there.
    for (const [n, npRuns] of np ? [[100, Math.min(runs, 3)], [500, 1]] as const : []) {
      const dir = join(scratch, `flows-${String(n)}`);
      mkdirSync(dir, { recursive: true });
      const cluster = join(dir, 'cluster.yaml');
      writeFileSync(cluster, generatedCluster(n).map((o) => stringify(o, { aliasDuplicateObjects: false })).join('---\n'));
      compare(`(c) flows, generated cluster of ${String(n)} workloads`, cluster, [
        { name: 'ward flows', argv: (f) => [process.execPath, WARD, 'flows', f], runs: Math.min(runs, 3) },
        { name: 'netpol-analyzer', argv: () => [np!, 'list', '--dirpath', dir, '-q'], runs: npRuns },
      ], scratch);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
