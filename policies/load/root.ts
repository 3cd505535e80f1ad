import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project folder: the nearest folder above this module whose package.json is ward's. The same
 * from the TypeScript sources and from the build (dist/), so files read at run time (package.json,
 * policies/profiles/, deploy/, scripts/) are found either way.
 */
function findRoot(from: string): { dir: string; version: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ward') return { dir, version: pkg.version ?? '0.0.0' };
    }
    if (dirname(dir) === dir) throw new Error(`ward's package.json was not found above ${from}`);
  }
}

const root = findRoot(dirname(fileURLToPath(import.meta.url)));
/** The project folder (where package.json is). */
export const REPO_ROOT = root.dir;
/** ward's version, from package.json. */
export const VERSION = root.version;
