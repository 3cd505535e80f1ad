/**
 * The summary line of `npm test` (scripts/test.ts): counts from vitest's JSON reports, plus every
 * test file that was expected and did not report — a crashed or timed-out worker, a project that
 * never started — counted as failed and named, so the line never claims more than ran.
 */
import { relative } from 'node:path';

export interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { name: string; status: string; assertionResults: { status: string }[] }[];
}

export interface Summary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** Expected test files (relative to the root) with no result in any report. */
  readonly unreported: readonly string[];
  readonly line: string;
}

const MAX_NAMED = 10;

/** Sums the reports; `expected` are the test files the projects include, relative to `root`. */
export function summarize(expected: readonly string[], reports: readonly VitestJson[], root: string): Summary {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const reported = new Set<string>();
  for (const r of reports) {
    passed += r.numPassedTests;
    skipped += r.numPendingTests + r.numTodoTests;
    // Failed tests, plus files that failed without a failing test (a hook or import error).
    failed += r.numFailedTests + r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
    for (const f of r.testResults) reported.add(relative(root, f.name));
  }
  const unreported = expected.filter((f) => !reported.has(f)).sort();
  failed += unreported.length;
  const named = unreported.slice(0, MAX_NAMED).join(', ') + (unreported.length > MAX_NAMED ? `, … ${String(unreported.length - MAX_NAMED)} more` : '');
  const tail = unreported.length ? ` (${String(unreported.length)} test file${unreported.length === 1 ? '' : 's'} did not report, counted as failed: ${named})` : '';
  return { passed, failed, skipped, unreported, line: `ward: ${String(passed)} passed, ${String(failed)} failed, ${String(skipped)} skipped${tail}` };
}
