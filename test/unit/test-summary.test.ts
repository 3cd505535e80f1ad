import { describe, expect, it } from 'vitest';
import { summarize, type VitestJson } from '../../scripts/test-summary.js';

const report = (files: { name: string; status: string; tests: string[] }[]): VitestJson => ({
  numPassedTests: files.flatMap((f) => f.tests).filter((t) => t === 'passed').length,
  numFailedTests: files.flatMap((f) => f.tests).filter((t) => t === 'failed').length,
  numPendingTests: files.flatMap((f) => f.tests).filter((t) => t === 'skipped').length,
  numTodoTests: 0,
  testResults: files.map((f) => ({ name: `/repo/${f.name}`, status: f.status, assertionResults: f.tests.map((status) => ({ status })) })),
});

describe("npm test's summary line (scripts/test-summary.ts)", () => {
  it('counts the tests of every report', () => {
    const s = summarize(['test/unit/a.test.ts', 'test/system/b.test.ts'], [
      report([{ name: 'test/unit/a.test.ts', status: 'passed', tests: ['passed', 'passed', 'skipped'] }]),
      report([{ name: 'test/system/b.test.ts', status: 'failed', tests: ['passed', 'failed'] }]),
    ], '/repo');
    expect(s.line).toBe('ward: 3 passed, 1 failed, 1 skipped');
    expect(s.unreported).toEqual([]);
  });

  it('counts a file that failed without a failing test (an import error) as failed', () => {
    const s = summarize(['test/unit/a.test.ts'], [report([{ name: 'test/unit/a.test.ts', status: 'failed', tests: [] }])], '/repo');
    expect(s.failed).toBe(1);
  });

  it('counts and names every expected file that did not report (a lost worker, a project that never ran)', () => {
    const expected = ['test/integration/x.test.ts', 'test/system/y.test.ts', 'test/unit/a.test.ts'];
    const s = summarize(expected, [report([{ name: 'test/unit/a.test.ts', status: 'passed', tests: ['passed'] }])], '/repo');
    expect(s.failed).toBe(2);
    expect(s.unreported).toEqual(['test/integration/x.test.ts', 'test/system/y.test.ts']);
    expect(s.line).toBe('ward: 1 passed, 2 failed, 0 skipped (2 test files did not report, counted as failed: test/integration/x.test.ts, test/system/y.test.ts)');
  });

  it('with no report at all, every expected file is failed', () => {
    const s = summarize(['test/unit/a.test.ts', 'test/unit/b.test.ts'], [], '/repo');
    expect(s.line).toContain('2 failed');
  });

  it('names at most ten files and counts the rest', () => {
    const expected = Array.from({ length: 13 }, (_, i) => `test/unit/f${String(i).padStart(2, '0')}.test.ts`);
    const s = summarize(expected, [], '/repo');
    expect(s.line).toContain('13 test files did not report');
    expect(s.line).toContain('… 3 more');
    expect(s.failed).toBe(13);
  });
});
