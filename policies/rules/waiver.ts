/**
 * WAIVER: governance of waivers themselves. The engine emits these findings while applying waivers
 * (policies/waivers.ts); the rules here carry the metadata (reports, SARIF rule list) and never
 * find anything on their own. Waiver findings cannot be waived.
 */
import type { Rule } from '../types.js';
import { defineRule, NSA } from './util.js';

export const WAIVER_NO_REASON = 'WARD-WAIVER-001';
export const WAIVER_EXPIRED = 'WARD-WAIVER-002';
export const WAIVER_MALFORMED = 'WARD-WAIVER-003';

const none = (): [] => [];

export const waiverRules: readonly Rule[] = [
  defineRule({
    id: WAIVER_NO_REASON, title: 'Waiver without a reason', severity: 'medium',
    rationale: 'An exception nobody can justify is not governed; a waiver without a reason suppresses nothing.',
    remediation: 'Write the reason after the rule id: "WARD-POD-007: <reason>; expires=YYYY-MM-DD; owner=<team>".',
    controls: { nsa: NSA.app, owasp2025: 'K04' }, check: none,
  }),
  defineRule({
    id: WAIVER_EXPIRED, title: 'Expired waiver', severity: 'medium',
    rationale: 'Exceptions are granted for a time; an expired waiver no longer suppresses its finding.',
    remediation: 'Fix the finding, or renew the waiver with a new expiry date and the owner\'s agreement.',
    controls: { nsa: NSA.app, owasp2025: 'K04' }, check: none,
  }),
  defineRule({
    id: WAIVER_MALFORMED, title: 'Malformed waiver', severity: 'low',
    rationale: 'A waiver that cannot be read (unknown rule id, bad date) suppresses nothing and hides intent.',
    remediation: 'Use "WARD-<AREA>-<NNN>: reason; expires=YYYY-MM-DD; owner=x", one per line, with a rule id from the catalogue.',
    controls: { nsa: NSA.app, owasp2025: 'K04' }, check: none,
  }),
];
