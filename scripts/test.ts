/**
 * The README's test command (`npm test`): runs each vitest project (unit, integration, system) in
 * its own vitest process, one after the other, and ends with one plain summary line,
 * `ward: N passed, N failed, N skipped`, which CI logs are read for.
 *
 * One process per project: on a loaded 2-core machine one vitest process running all three
 * projects lost the integration and system files to "Timeout calling onTaskUpdate" (its main
 * thread, serving every worker, fell behind); a crash now costs only its own project. Every test
 * file a project includes and that did not report is counted as failed and named
 * (scripts/test-summary.ts). The exit code is 1 when anything failed or did not report.
 * Arguments (`npm test -- FILTER…`) are passed to one vitest run over all projects instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, globSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import config from '../vitest.config.js';
import { summarize, type VitestJson } from './test-summary.js';

const root = process.cwd();
mkdirSync('test-results', { recursive: true });

function run(name: string, extra: readonly string[]): VitestJson | undefined {
  const out = join('test-results', `vitest-${name}.json`);
  rmSync(out, { force: true });
  const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...extra];
  const res = spawnSync('npx', args, { stdio: 'inherit' });
  if (res.status !== 0) process.stdout.write(`\nward: vitest ${extra.join(' ')} exited ${String(res.status ?? res.signal)}\n`);
  return existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as VitestJson) : undefined;
}

const passthrough = process.argv.slice(2);
const projects = (config.test?.projects ?? []).flatMap((p) => (typeof p === 'object' && 'test' in p && p.test?.name ? [{ name: p.test.name as string, include: p.test.include ?? [] }] : []));
const reports: VitestJson[] = [];
let expected: string[] = [];
if (passthrough.length) {
  const r = run('args', passthrough);
  if (r) reports.push(r);
} else {
  expected = projects.flatMap((p) => p.include.flatMap((g) => globSync(g, { cwd: root }))).sort();
  for (const p of projects) {
    const r = run(p.name, ['--project', p.name]);
    if (r) reports.push(r);
  }
}
const s = summarize(expected, reports, root);
const nothing = reports.length === 0 ? ' (vitest produced no report)' : '';
process.stdout.write(`\n${s.line}${nothing}\n`);
process.exit(s.failed > 0 || reports.length === 0 ? 1 : 0);
