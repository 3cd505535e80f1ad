/**
 * vitest globalSetup of every project: the CLI tests run bin/ward.js, which runs the build in dist/
 * (scripts/build.mjs). Rebuilds it when any source file is newer than the build, so a test never
 * exercises stale JavaScript; a fresh build is kept (three projects, one build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../policies/load/root.js';

const SOURCES = ['cli', 'charts-src', 'policies', 'operator', 'dev-cluster', 'bin', 'scripts/build.mjs', 'package.json'];
const STAMP = join(REPO_ROOT, 'dist', 'meta.json');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  let m = s.mtimeMs;
  for (const e of readdirSync(path)) m = Math.max(m, newest(join(path, e)));
  return m;
}

export function isBuildFresh(): boolean {
  if (!existsSync(STAMP)) return false;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.every((s) => !existsSync(join(REPO_ROOT, s)) || newest(join(REPO_ROOT, s)) <= built);
}

export default function setup(): void {
  if (isBuildFresh()) return;
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs'), '--quiet'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}${r.stderr}`);
}
