/**
 * Running the real Helm (scripts/ci-helm.sh) from tests: isolated config, cache and data homes (a
 * developer's repositories and plugins never leak in), no colour. `requireHelm()` is a missing
 * prerequisite (a failure with CI=true) when no Helm is found.
 */
import { execa } from 'execa';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helmBinary } from './openg2p-chart.js';
import { missingPrereq } from './prereq.js';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const OPERATOR_CHART = join(REPO_ROOT, 'charts', 'ward-operator');

/** The Helm binary, or the skip message (throws with CI=true). */
export function requireHelm(): string {
  const helm = helmBinary();
  const skip = missingPrereq('Helm (bash scripts/ci-helm.sh)', helm !== undefined);
  return skip === undefined ? helm! : '';
}

let home: string | undefined;

export interface HelmResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `helm ARGS` (never rejects: the test asserts on the exit code and output). */
export async function helm(binary: string, args: readonly string[], options: { readonly input?: string; readonly env?: Record<string, string> } = {}): Promise<HelmResult> {
  home ??= mkdtempSync(join(tmpdir(), 'ward-helm-home-'));
  const result = await execa(binary, [...args], {
    reject: false,
    cwd: REPO_ROOT,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    env: { HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data'), NO_COLOR: '1', ...options.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
