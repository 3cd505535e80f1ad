#!/usr/bin/env node
// Compiles the `ward` command to JavaScript in dist/ once, so it starts without a TypeScript loader.
// `npm ci` runs it (the `prepare` script), `npm test` runs it before vitest (the CLI tests run the
// build), and `npm run build` runs it by hand after editing sources.
//
// Why esbuild and not tsc: esbuild strips types in well under a second where a tsc emit type-checks
// the 39,000-line generated imports again (the type check stays its own CI step, `npm run
// typecheck`); and it bundles. One bundle, split at each dynamic import: cli/main.ts imports a
// command's module only when that command runs (cli/commands/index.ts), so `ward --version` loads
// main.js and commander, `ward check` the rule engine, and only `ward synth` cdk8s. Pure-JavaScript
// dependencies on the check path (commander, yaml, zod) are bundled too: resolving and reading ~270
// small files was a third of the start-up. Packages with native parts, jsii runtimes or their own
// file layout stay in node_modules. Linked source maps make stack traces name the .ts lines.
//
// Plain JavaScript on purpose: it runs on the machine's own Node (npm's lifecycle scripts may), with
// nothing but esbuild.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
/** Dependencies compiled into the bundle; every other package is imported from node_modules. */
const BUNDLED = new Set(['commander', 'yaml', 'zod']);
const quiet = process.argv.includes('--quiet');

const started = process.hrtime.bigint();
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'cli/main.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS (commander) calls require() for Node's built-in modules.
  banner: { js: "import { createRequire as __wardRequire } from 'node:module'; const require = __wardRequire(import.meta.url);" },
  plugins: [{
    name: 'external-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:')) return { external: true };
        const pkg = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
        return BUNDLED.has(pkg) ? undefined : { external: true };
      });
    },
  }],
});
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));
if (!quiet) {
  const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js')).length;
  process.stdout.write(`ward: built ${relative(process.cwd(), OUT) || '.'}/ (${files} files) in ${ms} ms\n`);
}
