/**
 * Governance has no loophole (issue 17 item 2): each case failed on the behaviour before the fix
 * (a wildcard suppressed everything, an integer expiry made a waiver permanent, --no-waivers lost to
 * a later --waivers, a profile could run no rule, an empty input passed).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitCodeOf, runCheck } from '../../../policies/engine.js';
import { parseText } from '../../../policies/load/parse.js';
import { parseProfile, profileProblems } from '../../../policies/profiles.js';
import { rules } from '../../../policies/rules/index.js';
import { parseWaiversFile } from '../../../policies/waivers.js';
import { NOW } from './helpers.js';

const PRIVILEGED = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: dev
  annotations:
    ward.g2p.dev/waive: "WARD-*: everything is fine"
spec:
  containers:
    - name: web
      image: registry.example/web:1.0
      securityContext: {privileged: true}
`;

describe('waivers name one rule id each', () => {
  it.each([
    ['"*"', '- rule: "*"\n  reason: all of it\n', 'w.yaml:1: waiver 0 field "rule": "*" is a wildcard: a waiver names one rule id (WARD-<AREA>-<NNN>); write one waiver per rule'],
    ['a family wildcard', '- rule: WARD-POD-*\n  reason: all pod rules\n', 'w.yaml:1: waiver 0 field "rule": "WARD-POD-*" is a wildcard: a waiver names one rule id (WARD-<AREA>-<NNN>); write one waiver per rule'],
    ['a rule id that is not a string', '- rule: [WARD-POD-001]\n  reason: x\n', 'w.yaml:1: waiver 0 field "rule": expected a rule id such as WARD-POD-007, got a list'],
  ])('a waivers file entry with %s is an input error, not a suppression', (_, text, message) => {
    const r = parseWaiversFile(text, 'w.yaml');
    expect(r.waivers).toEqual([]);
    expect(r.errors.map((e) => e.message)).toEqual([message]);
    // Its own code, not the loader's "not-an-object" (a JSON reader tells a bad waiver from a bad manifest).
    expect(r.errors.map((e) => e.code)).toEqual(['invalid-waiver']);
  });

  it('a wildcard in the file leaves every finding, criticals included, and exits 2', () => {
    const file = parseWaiversFile('- rule: "*"\n  reason: all of it\n', 'w.yaml');
    const r = runCheck({ documents: parseText(PRIVILEGED.replace(/ {2}annotations:\n.*\n/, ''), 'in.yaml').documents, waivers: file.waivers, inputErrors: file.errors, now: NOW });
    expect(r.summary.suppressed).toBe(0);
    expect(r.summary.bySeverity.critical).toBeGreaterThan(0);
    expect(exitCodeOf(r)).toBe(2);
  });

  it('a wildcard in an annotation is an input error at the annotation\'s line and suppresses nothing', () => {
    const r = runCheck({ documents: parseText(PRIVILEGED, 'in.yaml').documents, now: NOW });
    expect(r.inputErrors.map((e) => [e.file, e.line, e.message])).toEqual([['in.yaml', 7,
      'in.yaml:7: Pod dev/web: waiver annotation ward.g2p.dev/waive line "WARD-*: everything is fine" names "WARD-*", a wildcard: a waiver names one rule id (WARD-<AREA>-<NNN>), one line per rule']]);
    expect(r.summary.suppressed).toBe(0);
    expect(exitCodeOf(r)).toBe(2);
  });
});

describe('expires must be a date', () => {
  it.each([
    ['an integer', 'expires: 20200101', 'got a number (20200101)'],
    ['a word', 'expires: never', 'got the string "never"'],
    ['an impossible day', 'expires: 2027-02-30', 'got the string "2027-02-30"'],
    ['a mapping', 'expires: {year: 2027}', 'got a mapping'],
  ])('%s is an input error naming the line of expires', (_, line, got) => {
    const r = parseWaiversFile(`- rule: WARD-POD-016\n  reason: pinned\n  ${line}\n`, 'w.yaml');
    expect(r.waivers).toEqual([]);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([[3, `w.yaml:3: waiver 0 field "expires": expected a date YYYY-MM-DD such as 2027-03-31, ${got}`]]);
  });

  it('a date is accepted, and the waiver expires', () => {
    const r = parseWaiversFile('- rule: WARD-POD-016\n  reason: pinned\n  expires: 2026-05-31\n', 'w.yaml');
    expect(r.errors).toEqual([]);
    expect(r.waivers.map((w) => w.expires)).toEqual(['2026-05-31']);
  });

  it.each([
    ['a misspelt field (it would widen the waiver)', '  namspace: dev', 'w.yaml:3: waiver 0 field "namspace": unknown field: a waiver has rule, kind, namespace, name, reason, owner, expires'],
    ['a name that is not a string', '  name: 123', 'w.yaml:3: waiver 0 field "name": expected a string, got a number (123) (quote it)'],
  ])('%s is an input error', (_, line, message) => {
    expect(parseWaiversFile(`- rule: WARD-POD-016\n  reason: pinned\n${line}\n`, 'w.yaml').errors.map((e) => e.message)).toEqual([message]);
  });
});

describe('a profile selects at least one rule', () => {
  const ids = [...rules.keys()];
  it.each([
    ['include as a string', 'name: p\ninclude: WARD-POD-*\n', 'p.yaml:2: include: expected a list of rule ids or patterns such as ["WARD-POD-*"], got the string "WARD-POD-*"'],
    ['exclude as a mapping', 'name: p\nexclude: {WARD-POD-001: true}\n', 'p.yaml:2: exclude: expected a list of rule ids or patterns such as ["WARD-POD-*"], got a mapping'],
    ['an unknown field', 'name: p\nincludes: [WARD-POD-*]\n', 'p.yaml:2: unknown field "includes": a profile has name, description, include, exclude, severity'],
    ['a pattern that is no rule id', 'name: p\ninclude: [POD]\n', 'p.yaml:2: include: expected rule ids (WARD-POD-007), families (WARD-POD-*) or "*", got the string "POD"'],
  ])('%s is refused with file:line', (_, text, message) => {
    expect(() => parseProfile(text, 'p.yaml')).toThrow(message);
  });

  it('an empty include selects no rule: a problem', () => {
    expect(profileProblems(parseProfile('name: p\ninclude: []\n', 'p.yaml'), ids)).toEqual(['it selects no rule (include is empty or exclude removes everything): a check that runs no rule passes anything']);
  });

  it('an include entry that matches nothing is a problem (a misspelt family)', () => {
    expect(profileProblems(parseProfile('name: p\ninclude: [WARD-PDO-*, WARD-POD-001]\n', 'p.yaml'), ids)).toEqual(['include entry "WARD-PDO-*" matches no rule of the catalogue']);
  });

  it('the built-in profiles have no problem', async () => {
    const { builtinProfile, BUILTIN_PROFILES } = await import('../../../policies/profiles.js');
    for (const name of BUILTIN_PROFILES) expect(profileProblems(builtinProfile(name), ids), name).toEqual([]);
  });
});

function ward(args: string[], input?: string) {
  const res = spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

// Each case spawns the CLI: generous timeouts for a loaded CI machine.
describe('ward check governance from the command line', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-governance-'));
  const manifest = join(dir, 'pod.yaml');
  writeFileSync(manifest, PRIVILEGED.replace(/ {2}annotations:\n.*\n/, ''));
  const waivers = join(dir, 'waivers.yaml');
  writeFileSync(waivers, '- rule: WARD-POD-001\n  reason: accepted for the test\n');

  it.each([
    ['--no-waivers before --waivers', ['--no-waivers', '--waivers', waivers]],
    ['--no-waivers after --waivers', ['--waivers', waivers, '--no-waivers']],
  ])('%s applies no waiver', (_, flags) => {
    const res = ward(['check', manifest, ...flags, '--format', 'json']);
    expect(JSON.parse(res.stdout).summary.suppressed).toBe(0);
  });

  it('the waivers file applies without --no-waivers', () => {
    const res = ward(['check', manifest, '--waivers', waivers, '--format', 'json']);
    expect(JSON.parse(res.stdout).summary.suppressed).toBe(1);
  });

  it('an empty input exits 2 with "no objects in the input", and 0 with --allow-empty', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    for (const args of [[empty], ['-'], [join(dir, 'waivers-empty.yaml')]]) {
      writeFileSync(join(dir, 'waivers-empty.yaml'), '');
      const res = ward(['check', ...args], '');
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('ward: no objects in the input');
    }
    expect(ward(['check', empty, '--allow-empty']).code).toBe(0);
  });

  it('a profile that selects no rule exits 2', () => {
    const profile = join(dir, 'none.yaml');
    writeFileSync(profile, 'name: none\ninclude: []\n');
    const res = ward(['check', manifest, '--profile', profile]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`ward: invalid profile ${profile}:\n  it selects no rule`);
  });
});
