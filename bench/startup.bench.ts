/**
 * Start-up of the built CLI against the bare runtime, in one run: `node -e 0`, `ward --version`,
 * `ward --help`, `ward check` of a one-object file, and `ward synth --preset` (the one command that
 * loads cdk8s), each a fresh process of the same Node.js, interleaved over BENCH_STARTUP_RUNS runs
 * (default 15) so every median sees the same machine load. Prints median wall time, peak RSS and
 * the ratio to `node -e 0` (GNU time, as the peers benchmark), then the goals of issue #12: --version ≤ 3×, check ≤ 5× and ≤ 80 MiB.
 * Needs the build (`npm run build`; npm ci runs it).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMs, median, runProcess, type ProcessRun } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WARD = join(ROOT, 'bin', 'ward.js');

interface Case {
  readonly name: string;
  readonly args: readonly string[];
}

function runOnce(c: Case, timeFile: string): ProcessRun {
  const r = runProcess([process.execPath, ...c.args], timeFile);
  if (r.status !== 0) throw new Error(`${c.name} exited ${String(r.status)}: ${r.stderr.slice(0, 400)}`);
  return r;
}

export default function bench(): void {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) {
    process.stdout.write('startup: skipped: no build in dist/ (run `npm run build`)\n');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ward-bench-startup-'));
  try {
    const one = join(dir, 'one.yaml');
    writeFileSync(one, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: app\ndata:\n  LOG_LEVEL: info\n');
    const cases: Case[] = [
      { name: 'node -e 0', args: ['-e', '0'] },
      { name: 'ward --version', args: [WARD, '--version'] },
      { name: 'ward --help', args: [WARD, '--help'] },
      { name: 'ward check (1 object)', args: [WARD, 'check', one] },
      { name: 'ward synth --preset', args: [WARD, 'synth', '--preset', 'openg2p-social-registry'] },
    ];
    const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 15);
    const samples = new Map<string, ProcessRun[]>(cases.map((c) => [c.name, []]));
    const timeFile = join(dir, 'time.txt');
    for (const c of cases) runOnce(c, timeFile); // warm the page cache
    for (let i = 0; i < runs; i++) for (const c of cases) samples.get(c.name)!.push(runOnce(c, timeFile));
    const med = (name: string): { ms: number; mib: number } => {
      const s = samples.get(name)!;
      return { ms: median(s.map((x) => x.ms)), mib: median(s.map((x) => x.mib)) };
    };
    const base = med('node -e 0');
    process.stdout.write(`start-up, medians of ${String(runs)} interleaved runs (${process.version})\n`);
    for (const c of cases) {
      const m = med(c.name);
      process.stdout.write(`${c.name.padEnd(24)} ${fmtMs(m.ms).padStart(9)}  ${(m.ms / base.ms).toFixed(1).padStart(5)}× node -e 0  peak RSS ${m.mib.toFixed(0).padStart(4)} MiB\n`);
    }
    const version = med('ward --version');
    const check = med('ward check (1 object)');
    const goal = (ok: boolean): string => (ok ? 'met' : 'MISSED');
    process.stdout.write(`goal ward --version ≤ 3× node -e 0: ${(version.ms / base.ms).toFixed(1)}× ${goal(version.ms <= 3 * base.ms)}\n`);
    process.stdout.write(`goal ward check of one object ≤ 5× node -e 0 and ≤ 80 MiB: ${(check.ms / base.ms).toFixed(1)}×, ${check.mib.toFixed(0)} MiB ${goal(check.ms <= 5 * base.ms && check.mib <= 80)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
