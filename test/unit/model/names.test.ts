/**
 * Synthesis validates what the API server and Istio would (issue 17 items 6 and 7): each case was
 * accepted, or reported with a wrong message, before the fix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIssues, parseRegistrySpec } from '../../../charts-src/model/index.js';
import { dnsSubdomainProblem, labelKeyProblem, labelValueProblem } from '../../../charts-src/model/kube-names.js';
import { synthesize } from '../../../charts-src/synthesize.js';
import { runCheck } from '../../../policies/engine.js';
import { builtinProfile } from '../../../policies/profiles.js';
import { wgSpec } from '../wireguard/fixtures.js';

const component = (over: Record<string, unknown> = {}) => ({ name: 'web', selector: { app: 'web' }, serviceAccount: 'web', ports: [{ name: 'http', port: 8080 }], ...over });
const issues = (input: unknown): string => {
  const r = parseRegistrySpec(input);
  return r.ok ? '' : formatIssues(r.issues);
};

describe('names the API server would refuse are refused with their path', () => {
  it.each([
    ['a label key with a space', component({ selector: { 'Bad Key!': 'x' } }),
      'components[0].selector["Bad Key!"]: label key "Bad Key!" may hold only letters, digits, "-", "_" and ".", starting and ending with a letter or digit, after an optional DNS prefix and "/" (e.g. app.kubernetes.io/name)'],
    ['a 70-character label value', component({ selector: { app: 'a'.repeat(70) } }),
      'components[0].selector.app: label value "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…" is 70 characters long: a label value has at most 63'],
    ['a label key with an uppercase prefix', component({ selector: { 'Example.org/app': 'web' } }),
      'components[0].selector["Example.org/app"]: label key "Example.org/app" has a prefix "Example.org" that is not a DNS name (it must be a DNS name: lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit)'],
    ['a host with a space', component({ exposure: { type: 'ingress', hosts: ['registry example.org'] } }),
      'components[0].exposure.hosts[0]: host "registry example.org" must be a DNS name: lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, e.g. registry.example.org'],
    ['a host with /../', component({ exposure: { type: 'ingress', hosts: ['a/../b'] } }),
      'components[0].exposure.hosts[0]: host "a/../b" must be a DNS name: lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, e.g. registry.example.org'],
  ])('%s', (_, c, expected) => {
    expect(issues({ namespace: 'dev', components: [c] })).toBe(expected);
  });

  it('keeps valid qualified names and empty label values', () => {
    expect(labelKeyProblem('app.kubernetes.io/name')).toBeUndefined();
    expect(labelKeyProblem('Team_A.x')).toBeUndefined();
    expect(labelValueProblem('')).toBeUndefined();
    expect(dnsSubdomainProblem('registry.example.org')).toBeUndefined();
    expect(dnsSubdomainProblem(`${'a'.repeat(64)}.org`)).toBe('has a part of 64 characters: each dot-separated part of a DNS name has at most 63');
  });

  it('a wireguard admin route host is a DNS name', () => {
    const spec = wgSpec() as { wireguard: Record<string, unknown> };
    expect(issues({ ...spec, wireguard: { ...spec.wireguard, routes: [{ host: 'Admin Console', component: 'registry', port: 8069 }] } }))
      .toContain('wireguard.routes[0].host: host "Admin Console" must be a DNS name');
  });

  it('wireguard.sourceRanges [0.0.0.0/0] is refused: its output failed WARD-NET-006', () => {
    const spec = wgSpec() as { wireguard: Record<string, unknown> };
    expect(issues({ ...spec, wireguard: { ...spec.wireguard, sourceRanges: ['0.0.0.0/0'] } })).toBe(
      'wireguard.sourceRanges[0]: "0.0.0.0/0" allows every address (WARD-NET-006): list the ranges administrators connect from, or leave sourceRanges empty for "anywhere" (waived and visible in reports)');
  });
});

describe('messages say what was given', () => {
  it.each([
    ['a port given as a string', component({ ports: [{ name: 'http', port: '80' }] }), 'components[0].ports[0].port: expected a number, got the string "80"'],
    ['a boolean given as a word', component({ personalData: 'yes' }), 'components[0].personalData: expected a boolean (true or false), got the string "yes"'],
    ['a list where a mapping belongs', component({ selector: ['app'] }), 'components[0].selector: expected a mapping, got a list'],
    ['an unknown enum value', component({ exposure: { type: 'public' } }), 'components[0].exposure.type: expected one of "none", "ingress", got the string "public"'],
    ['a missing field', { name: 'web', selector: { app: 'web' } }, 'components[0].serviceAccount: is required'],
  ])('%s', (_, c, expected) => {
    expect(issues({ namespace: 'dev', components: [c] })).toBe(expected);
  });
});

/** Strings that reach names, labels and hosts: valid ones, and the kinds the API server refuses. */
/** Weighted towards valid strings so that every run accepts some specs (three draws must all be valid). */
const nameish = fc.oneof(
  { arbitrary: fc.constantFrom('web', 'app', 'a.b', 'registry'), weight: 4 },
  { arbitrary: fc.constantFrom('Bad Key!', 'x/../y', '', '-a', 'a-', 'app.kubernetes.io/name', 'A_b.c', 'a'.repeat(64), 'UPPER', 'a b', 'é'), weight: 1 },
  { arbitrary: fc.stringMatching(/^[a-zA-Z0-9._/ -]{0,70}$/), weight: 1 },
);

describe('ward never synthesises output that fails its own strict check', () => {
  it('for any spec it accepts: zero unwaived findings', () => {
    let accepted = 0;
    fc.assert(fc.property(nameish, nameish, nameish, fc.boolean(), (key, value, host, wireguard) => {
      const spec: Record<string, unknown> = {
        namespace: 'dev',
        components: [
          { ...component({ selector: { [key]: value } }), exposure: { type: 'ingress', hosts: [host] } },
          { name: 'db', selector: { app: 'db' }, serviceAccount: 'db', ports: [{ name: 'tcp-pg', port: 5432 }] },
        ],
        flows: [{ from: 'web', to: { component: 'db' }, ports: [{ port: 5432 }] }],
      };
      const wg = wgSpec() as { components: unknown[]; wireguard: Record<string, unknown> };
      const input = wireguard ? { ...spec, components: [...wg.components, ...(spec.components as unknown[])], wireguard: { ...wg.wireguard, routes: [{ host, component: 'registry', port: 8069 }] } } : spec;
      const r = parseRegistrySpec(input);
      if (!r.ok) return;
      accepted++;
      const result = runCheck({ objects: synthesize(r.spec), profile: builtinProfile('strict'), now: new Date('2026-06-01T00:00:00Z') });
      expect(result.findings.filter((f) => !f.suppressed).map((f) => f.message)).toEqual([]);
    }), { numRuns: 60 });
    expect(accepted).toBeGreaterThan(0);
  });
});
