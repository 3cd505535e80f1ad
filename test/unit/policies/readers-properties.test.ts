/**
 * Property tests of the readers of governance and spec input (issue 17 item 8): no waivers file,
 * profile or spec makes a reader throw anything but the documented Error, every problem names its
 * place, and no command exits with a code other than 0, 1 or 2 or prints a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRegistrySpec } from '../../../charts-src/model/index.js';
import { runCheck } from '../../../policies/engine.js';
import { parseText } from '../../../policies/load/parse.js';
import { parseProfile, profileProblems } from '../../../policies/profiles.js';
import { rules } from '../../../policies/rules/index.js';
import { parseWaiversFile } from '../../../policies/waivers.js';
import { NOW } from './helpers.js';

const KEYS = ['rule', 'kind', 'namespace', 'name', 'reason', 'owner', 'expires', 'waivers', 'include', 'exclude', 'severity', 'description',
  'components', 'selector', 'serviceAccount', 'ports', 'port', 'exposure', 'hosts', 'flows', 'to', 'from', 'cidr', 'mesh', 'wireguard', 'sourceRanges', 'preset'];
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, 0, 20200101, -1, '', '*', 'WARD-*', 'WARD-POD-*', 'WARD-POD-016', '2027-03-31', '2027-02-30', 'critical', 'urgent', 'dev', '0.0.0.0/0', 'Bad Key!', 'openg2p-social-registry'),
    fc.string({ maxLength: 10 }),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('node'), { maxKeys: 5 })),
})).node;

/** YAML text: serialised trees, and raw strings with YAML's sharp edges (anchors, tags, flow, tabs). */
const yamlText = fc.oneof(
  value.map((v) => stringify(v)),
  fc.stringMatching(/^[-a-z:*&!\[\]{}#|>'" \n\t0-9.]{0,60}$/),
);

const located = /^[^:\n]+:\d+: /;

describe('readers never throw past their contract', () => {
  it('parseWaiversFile returns waivers or errors that each name file:line', () => {
    fc.assert(fc.property(yamlText, (text) => {
      const r = parseWaiversFile(text, 'w.yaml');
      for (const e of r.errors) expect(e.message).toMatch(located);
      for (const w of r.waivers) expect(w.rule).toMatch(/^WARD-[A-Z]+-\d{3}$/);
      if (r.waivers.length > 0) runCheck({ documents: [], waivers: r.waivers, now: NOW });
    }), { numRuns: 300 });
  });

  it('parseProfile returns a profile or throws an Error naming file:line', () => {
    const ids = [...rules.keys()];
    fc.assert(fc.property(yamlText, (text) => {
      let profile;
      try {
        profile = parseProfile(text, 'p.yaml');
      } catch (err) {
        expect(err).toBeInstanceOf(Error);
        expect((err as Error).message).toMatch(located);
        return;
      }
      const problems = profileProblems(profile, ids);
      if (problems.length === 0) expect(runCheck({ documents: parseText('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n', 'a.yaml').documents, profile, now: NOW }).summary.rulesRun).toBeGreaterThan(0);
    }), { numRuns: 300 });
  });

  it('parseRegistrySpec returns a spec or issues with a path and a message, never "(got undefined)"', () => {
    fc.assert(fc.property(value, (input) => {
      const r = parseRegistrySpec(input);
      if (r.ok) return;
      for (const i of r.issues) {
        expect(i.message.length).toBeGreaterThan(0);
        expect(i.message).not.toContain('got undefined');
        expect(i.message).not.toContain('got nothing');
      }
    }), { numRuns: 300 });
  });
});

const tmp = mkdtempSync(join(tmpdir(), 'ward-readers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs ward; the spawn's own timeout is a guard against a hang, not a timed assertion. */
function ward(args: string[]) {
  const res = spawnSync(process.execPath, ['bin/ward.js', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000, input: '' });
  return { code: res.status, signal: res.signal, stderr: res.stderr };
}

// Each run spawns the CLI (a second or more on a loaded machine): few runs, generous timeouts.
describe('no input makes a command crash', { timeout: 300_000 }, () => {
  it('ward check --waivers W --profile P, ward synth -f S: exit 0, 1 or 2 and no stack trace', () => {
    const manifest = join(tmp, 'm.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: dev}\n');
    let n = 0;
    fc.assert(fc.property(yamlText, yamlText, yamlText, (waivers, profile, spec) => {
      n++;
      const [w, p, s] = ['w', 'p', 's'].map((x) => join(tmp, `${x}${String(n)}.yaml`)) as [string, string, string];
      writeFileSync(w, waivers);
      writeFileSync(p, profile);
      writeFileSync(s, spec);
      for (const args of [['check', manifest, '--waivers', w, '--profile', p], ['synth', '-f', s]]) {
        const r = ward(args);
        expect(r.signal, args.join(' ')).toBeNull();
        expect([0, 1, 2], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/);
        expect(r.stderr).not.toContain('Warning');
      }
    }), { numRuns: 8 });
  });
});
