/**
 * The real OpenG2P Social Registry 1.3.1 chart (../shared/openg2p, see its README) rendered by a real
 * Helm built from the Go module proxy (scripts/ci-helm.sh). Tests that need the render call
 * `socialRegistryChart()`; a missing Helm or chart is a missing prerequisite (a failure with CI=true).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { missingPrereq } from './prereq.js';

const CHART_FILE = 'openg2p-social-registry-1.3.1.tgz';

/**
 * The chart: $WARD_OPENG2P_CHART, else `shared/openg2p/` next to the checkout or next to any folder
 * above it (the brief's `../shared/openg2p`, also for a clone made elsewhere), else the workspace's
 * /work/shared/openg2p. The first that exists; the first candidate when none does (the message names it).
 */
function findChart(): string {
  const candidates: string[] = [];
  if (process.env.WARD_OPENG2P_CHART) candidates.push(process.env.WARD_OPENG2P_CHART);
  for (let dir = resolve(import.meta.dirname, '../..'); ; dir = dirname(dir)) {
    candidates.push(join(dirname(dir), 'shared', 'openg2p', CHART_FILE));
    if (dirname(dir) === dir) break;
  }
  candidates.push(join('/work/shared/openg2p', CHART_FILE));
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export const SR_CHART = findChart();
export const SR_RELEASE = 'sr';
export const SR_NAMESPACE = 'sr';

/** The Helm binary: $WARD_HELM, else $WARD_CACHE_DIR/bin/helm (scripts/ci-helm.sh), else helm on PATH. */
export function helmBinary(): string | undefined {
  const cache = process.env.WARD_CACHE_DIR ?? join(homedir(), '.cache', 'ward');
  const candidates = [process.env.WARD_HELM, join(cache, 'bin', 'helm')].filter((x): x is string => !!x);
  for (const c of candidates) if (existsSync(c)) return c;
  try {
    return execFileSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export interface ChartPrereq {
  readonly helm: string;
  readonly chart: string;
}

/** Helm and the chart, or the skip message (throws with CI=true). */
export function socialRegistryChart(): ChartPrereq | string {
  const helm = helmBinary();
  const skip = missingPrereq('Helm (bash scripts/ci-helm.sh)', helm !== undefined) ?? missingPrereq(`the OpenG2P chart at ${SR_CHART}`, existsSync(SR_CHART));
  if (skip) return skip;
  return { helm: helm!, chart: SR_CHART };
}

const renders = new Map<string, string>();

/** `helm template sr <chart> --namespace sr [-f values...]`, memoised per values list. */
export function renderSocialRegistry(p: ChartPrereq, valuesFiles: readonly string[] = []): string {
  const key = valuesFiles.join('\0');
  const cached = renders.get(key);
  if (cached !== undefined) return cached;
  const args = ['template', SR_RELEASE, p.chart, '--namespace', SR_NAMESPACE, ...valuesFiles.flatMap((f) => ['-f', f])];
  const out = execFileSync(p.helm, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  renders.set(key, out);
  return out;
}
