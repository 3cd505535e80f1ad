import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../policies/load/root.js';

export { REPO_ROOT };

/** The idempotent build script that compiles kube-apiserver and etcd from the Go module proxy. */
export const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'build-controlplane.sh');

/** Exit code of the build script when Go is not installed (a missing prerequisite, not a bug). */
export const EXIT_GO_MISSING = 3;

export interface ControlPlaneBinaries {
  readonly binDir: string;
  readonly kubeApiserver: string;
  readonly etcd: string;
}

/** Raised when the binaries are not cached and Go is not available to build them. */
export class GoMissingError extends Error {
  constructor(details: string) {
    super(`kube-apiserver and etcd are not built and Go is not installed.\n${details}`);
    this.name = 'GoMissingError';
  }
}

export function binariesIn(binDir: string): ControlPlaneBinaries {
  return { binDir, kubeApiserver: join(binDir, 'kube-apiserver'), etcd: join(binDir, 'etcd') };
}

export interface ResolveBinariesOptions {
  /** Environment to read `WARD_CONTROLPLANE_BIN_DIR` / `WARD_CACHE_DIR` from and to pass to the build. */
  readonly env: NodeJS.ProcessEnv;
  /** Where the build's progress lines go (the first, cold build takes minutes). */
  readonly progress: (line: string) => void;
}

/**
 * Finds kube-apiserver and etcd: `WARD_CONTROLPLANE_BIN_DIR` when set (CI exports it), otherwise the
 * build script, which reuses the version-keyed cache and only compiles when it is cold.
 */
export async function resolveBinaries(options: ResolveBinariesOptions): Promise<ControlPlaneBinaries> {
  const fixed = options.env.WARD_CONTROLPLANE_BIN_DIR;
  if (fixed) {
    const bins = binariesIn(fixed);
    if (!existsSync(bins.kubeApiserver) || !existsSync(bins.etcd)) {
      throw new Error(`WARD_CONTROLPLANE_BIN_DIR=${fixed} does not contain kube-apiserver and etcd; unset it or run ${BUILD_SCRIPT}.`);
    }
    return bins;
  }
  const build = execa('bash', [BUILD_SCRIPT], { env: options.env, reject: false, stdin: 'ignore', all: false });
  const stderrLines: string[] = [];
  build.stderr.setEncoding('utf8');
  build.stderr.on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      stderrLines.push(line);
      options.progress(line);
    }
  });
  const result = await build;
  if (result.exitCode === EXIT_GO_MISSING) throw new GoMissingError(stderrLines.join('\n'));
  if (result.exitCode !== 0) {
    throw new Error(`${BUILD_SCRIPT} failed (exit ${String(result.exitCode)}):\n${stderrLines.slice(-30).join('\n')}`);
  }
  const binDir = String(result.stdout).trim().split('\n').at(-1) ?? '';
  return binariesIn(binDir);
}
