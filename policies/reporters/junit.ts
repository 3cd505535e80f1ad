/**
 * JUnit XML reporter: one test suite per rule that ran, one failing test case per finding (a waived
 * finding is `skipped` with its justification), a passing case for a rule without findings, and an
 * `input` suite with one error per input problem.
 */
import type { Finding } from '../types.js';
import type { Reporter } from './types.js';

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&apos;');
}

function caseName(f: Finding): string {
  const o = f.object;
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

function testcase(ruleId: string, f: Finding): string {
  const file = f.location ? ` file="${xmlEscape(f.location.file)}" line="${String(f.location.line)}"` : '';
  const open = `    <testcase classname="${xmlEscape(ruleId)}" name="${xmlEscape(caseName(f))}"${file}>`;
  if (f.suppressed) return `${open}\n      <skipped message="${xmlEscape(`waived (${f.suppressed.by}): ${f.suppressed.reason}`)}"/>\n    </testcase>`;
  const where = f.location ? `${f.location.file}:${String(f.location.line)}\n` : '';
  return `${open}\n      <failure message="${xmlEscape(f.message)}" type="${f.severity}">${xmlEscape(`${where}${f.message}\nRemediation: ${f.remediation}`)}</failure>\n    </testcase>`;
}

export const renderJunit: Reporter = (res) => {
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const rule of res.rules) {
    const own = res.findings.filter((f) => f.ruleId === rule.id);
    const fails = own.filter((f) => !f.suppressed).length;
    const skipped = own.length - fails;
    const cases = own.length ? own.map((f) => testcase(rule.id, f)) : [`    <testcase classname="${rule.id}" name="no findings"/>`];
    tests += cases.length;
    failures += fails;
    suites.push(`  <testsuite name="${xmlEscape(`${rule.id} ${rule.title}`)}" tests="${String(cases.length)}" failures="${String(fails)}" errors="0" skipped="${String(skipped)}">\n${cases.join('\n')}\n  </testsuite>`);
  }
  if (res.inputErrors.length) {
    tests += res.inputErrors.length;
    const cases = res.inputErrors.map((e) => `    <testcase classname="input" name="${xmlEscape(`${e.file}:${String(e.line)}`)}">\n      <error message="${xmlEscape(e.message)}" type="${e.code}"/>\n    </testcase>`);
    suites.push(`  <testsuite name="input" tests="${String(cases.length)}" failures="0" errors="${String(cases.length)}" skipped="0">\n${cases.join('\n')}\n  </testsuite>`);
  }
  const errors = res.inputErrors.length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="ward policy-check" tests="${String(tests)}" failures="${String(failures)}" errors="${String(errors)}">\n${suites.join('\n')}\n</testsuites>\n`;
};
