/**
 * Benchmark runner (`npm run bench [-- NAME...]`): imports every bench/*.bench.ts, or the ones named
 * (e.g. `synth` for bench/synth.bench.ts), and awaits each default export in turn. Each benchmark
 * prints its medians and its ratios against a baseline measured in the same run.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { loadSpecParser } from '../policies/flows/spec-parser.js';

type Bench = () => unknown;

// Benchmarks call the rule engine directly, as the CLI does once the spec parser is loaded.
await loadSpecParser();

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).map((a) => basename(a).replace(/\.bench\.ts$/, ''));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`bench: no bench/${unknown[0]}.bench.ts (available: ${available.join(', ')})\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  process.stdout.write(`\n## ${name}\n`);
  const mod = (await import(pathToFileURL(join(dir, `${name}.bench.ts`)).href)) as { default?: Bench };
  if (typeof mod.default !== 'function') throw new Error(`bench/${name}.bench.ts has no default export function`);
  await mod.default();
}
