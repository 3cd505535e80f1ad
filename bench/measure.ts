/** Timing helpers shared by the benchmarks: medians of repeated runs, measured with performance.now(). */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Timing {
  /** Median duration of one run, in milliseconds. */
  readonly medianMs: number;
  readonly runs: number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `fn` `warmup` times unmeasured, then `runs` times measured; returns the median. */
export function time(fn: () => unknown, runs: number, warmup = Math.min(5, runs)): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), runs };
}

export function fmtMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

export interface ProcessRun {
  /** Wall time, milliseconds. */
  readonly ms: number;
  /** Peak RSS, MiB (GNU time's %M). */
  readonly mib: number;
  readonly status: number | null;
  readonly stderr: string;
}

/** One run of a whole process under GNU time (`timeFile` receives its report): wall time, peak RSS, exit status. */
export function runProcess(argv: readonly string[], timeFile: string): ProcessRun {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', timeFile, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t0;
  if (r.error) throw r.error;
  const stderr = r.stderr.toString();
  const kib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  if (!Number.isFinite(kib)) throw new Error(`${argv[0] ?? ''} did not run: ${stderr.slice(0, 300)}`);
  return { ms, mib: kib / 1024, status: r.status, stderr };
}
