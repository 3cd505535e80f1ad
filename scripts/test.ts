/**
 * The README's test command (`npm test`): runs every vitest project once and ends with one plain
 * summary line, `ward: N passed, N failed, N skipped`, which CI logs are read for. The exit code is
 * vitest's own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}

/** Failed tests, plus files that failed without a failing test (a hook or import error). */
function failures(r: VitestJson): number {
  const failedFilesWithoutTests = r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  return r.numFailedTests + failedFilesWithoutTests;
}

const out = 'test-results/vitest.json';
mkdirSync('test-results', { recursive: true });
const args = ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)];
const res = spawnSync('npx', args, { stdio: 'inherit' });
if (existsSync(out)) {
  const r = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
  process.stdout.write(`\nward: ${r.numPassedTests} passed, ${failures(r)} failed, ${r.numPendingTests + r.numTodoTests} skipped\n`);
} else {
  process.stdout.write('\nward: 0 passed, 1 failed (vitest produced no report)\n');
}
process.exit(res.status ?? 1);
