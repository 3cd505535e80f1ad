/**
 * Profiles: which rules run and at which severity. Built-in profiles are YAML files in
 * policies/profiles/ (strict, baseline, openg2p-audit); parsing is pure, reading is at the edge.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { isRecord } from '../charts-src/kube.js';
import { describeValue } from '../charts-src/model/issues.js';
import { rec, str } from './index/access.js';
import type { ImageRecogniser, PersonalDataRecognisers } from './index/personal-data.js';
import { REPO_ROOT } from './load/root.js';
import { documentValue } from './load/to-value.js';
import { yamlErrorMessage } from './load/parse.js';
import { isSeverity, type Rule, type Severity } from './types.js';

export interface Profile {
  readonly name: string;
  readonly description: string;
  /** Rule ids or family wildcards (`WARD-POD-*`, `*`). */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Severity overrides by rule id. */
  readonly severity: Readonly<Record<string, Severity>>;
  /** What else marks a workload as holding personal data (images of data stores). @default none: labels and RegistryDeployments only */
  readonly personalData?: PersonalDataRecognisers;
}

export const BUILTIN_PROFILES = ['strict', 'baseline', 'openg2p-audit'] as const;
export type BuiltinProfileName = (typeof BUILTIN_PROFILES)[number];
export const DEFAULT_PROFILE: BuiltinProfileName = 'strict';

const PROFILE_FIELDS = ['name', 'description', 'include', 'exclude', 'severity', 'personalData'];
const IMAGE_FIELDS = ['name', 'match', 'why'];
/** What an include or exclude entry may be: `*`, a family `WARD-POD-*` or a rule id. */
const PATTERN = /^(\*|WARD-[A-Z]+-(\*|\d{3}))$/;


/** A list of patterns, or the problem with it. */
function patterns(v: unknown, field: string): readonly string[] | string {
  if (!Array.isArray(v)) return `${field}: expected a list of rule ids or patterns such as ["WARD-POD-*"], got ${describeValue(v)}`;
  const bad: unknown = (v as unknown[]).find((x) => typeof x !== 'string' || !PATTERN.test(x));
  if (bad !== undefined) return `${field}: expected rule ids (WARD-POD-007), families (WARD-POD-*) or "*", got ${describeValue(bad)}`;
  return v as string[];
}

type Fail = (path: (string | number)[], message: string) => never;

/** The profile's YAML as a value, and a `fail` that throws with the line of a path. */
function readYaml(text: string, source: string): { value: unknown; fail: Fail } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, logLevel: 'error' });
  const lineOf = (path: (string | number)[]): number => {
    const range = rec(path.length ? doc.getIn(path, true) : doc.contents).range;
    return Array.isArray(range) && typeof range[0] === 'number' ? lc.linePos(range[0]).line : 1;
  };
  const fail: Fail = (path, message) => {
    throw new Error(`${source}:${String(lineOf(path))}: ${message}`);
  };
  const yamlError = doc.errors[0];
  if (yamlError) throw new Error(`${source}:${String(lc.linePos(yamlError.pos[0]).line)}: ${yamlErrorMessage(yamlError.code).replace(/^YAML syntax error: /, 'YAML syntax error in profile: ')}`);
  const got = documentValue(doc, 10);
  if ('value' in got) return { value: got.value, fail };
  throw new Error(`${source}:${String(lc.linePos(got.offset).line)}: cannot read the profile: ${got.message}`);
}

function severities(v: unknown, fail: Fail): Record<string, Severity> {
  if (v !== undefined && !isRecord(v)) fail(['severity'], `severity: expected a mapping of rule id to severity, got ${describeValue(v)}`);
  const out: Record<string, Severity> = {};
  for (const [id, s] of Object.entries(rec(v))) {
    if (!isSeverity(s)) fail(['severity', id], `severity.${id}: expected critical, high, medium or low, got ${describeValue(s)}`);
    else out[id] = s;
  }
  return out;
}

function patternList(v: Readonly<Record<string, unknown>>, field: 'include' | 'exclude', fallback: readonly string[], fail: Fail): readonly string[] {
  const list = v[field] === undefined ? fallback : patterns(v[field], field);
  return typeof list === 'string' ? fail([field], list) : list;
}

/** One `personalData.images` entry: name, match (a regular expression) and why, all strings. */
function imageRecogniser(v: unknown, at: (string | number)[], fail: Fail): ImageRecogniser {
  const where = `personalData.images[${String(at.at(-1))}]`;
  if (!isRecord(v)) return fail(at, `${where}: expected a mapping {name, match, why}, got ${describeValue(v)}`);
  for (const k of Object.keys(v)) if (!IMAGE_FIELDS.includes(k)) fail([...at, k], `${where}: unknown field "${k}": an entry has ${IMAGE_FIELDS.join(', ')}`);
  for (const k of IMAGE_FIELDS) {
    if (typeof v[k] !== 'string' || v[k] === '') fail(v[k] === undefined ? at : [...at, k], `${where}.${k}: expected a non-empty string, got ${describeValue(v[k])}`);
  }
  const source = v.match as string;
  try {
    return { name: v.name as string, match: new RegExp(source), why: v.why as string };
  } catch (err) {
    return fail([...at, 'match'], `${where}.match: ${JSON.stringify(source)} is not a regular expression (${err instanceof Error ? err.message : String(err)}); it is tested against the image repository path, e.g. "(^|/)postgresql$"`);
  }
}

function personalData(v: unknown, fail: Fail): PersonalDataRecognisers {
  if (v === undefined) return { images: [] };
  if (!isRecord(v)) return fail(['personalData'], `personalData: expected a mapping {images: [{name, match, why}]}, got ${describeValue(v)}`);
  for (const k of Object.keys(v)) if (k !== 'images') fail(['personalData', k], `personalData: unknown field "${k}": it has images`);
  if (v.images === undefined) return { images: [] };
  if (!Array.isArray(v.images)) return fail(['personalData', 'images'], `personalData.images: expected a list of {name, match, why}, got ${describeValue(v.images)}`);
  return { images: (v.images as unknown[]).map((x, i) => imageRecogniser(x, ['personalData', 'images', i], fail)) };
}

/** Parses a profile from YAML text; throws an Error naming the file, the line and the bad field. */
export function parseProfile(text: string, source: string): Profile {
  const { value: v, fail } = readYaml(text, source);
  if (!isRecord(v)) return fail([], `a profile is a mapping {name, description, include, exclude, severity, personalData}, got ${describeValue(v)}`);
  for (const k of Object.keys(v)) if (!PROFILE_FIELDS.includes(k)) fail([k], `unknown field "${k}": a profile has ${PROFILE_FIELDS.join(', ')}`);
  const name = str(v.name);
  if (!name) return fail(v.name === undefined ? [] : ['name'], `a profile needs a "name" (a string)${v.name === undefined ? '' : `, got ${describeValue(v.name)}`}`);
  if (v.description !== undefined && typeof v.description !== 'string') fail(['description'], `description: expected a string, got ${describeValue(v.description)}`);
  return { name, description: str(v.description) ?? '', include: patternList(v, 'include', ['*'], fail), exclude: patternList(v, 'exclude', [], fail), severity: severities(v.severity, fail), personalData: personalData(v.personalData, fail) };
}

/**
 * What is wrong with a profile against a rule catalogue: it selects no rule, an include entry matches
 * no rule, or a severity names an unknown rule. Empty when it is usable.
 */
export function profileProblems(profile: Profile, ruleIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of profile.include) if (!ruleIds.some((id) => matches(p, id))) out.push(`include entry "${p}" matches no rule of the catalogue`);
  for (const id of Object.keys(profile.severity)) if (!ruleIds.includes(id)) out.push(`severity names unknown rule ${id}`);
  if (!ruleIds.some((id) => profileIncludes(profile, id))) out.push('it selects no rule (include is empty or exclude removes everything): a check that runs no rule passes anything');
  return out;
}

const cache = new Map<string, Profile>();

/** A built-in profile by name (read from policies/profiles/<name>.yaml on first use). */
export function builtinProfile(name: BuiltinProfileName): Profile {
  let p = cache.get(name);
  if (!p) {
    p = parseProfile(readFileSync(join(REPO_ROOT, 'policies', 'profiles', `${name}.yaml`), 'utf8'), `policies/profiles/${name}.yaml`);
    cache.set(name, p);
  }
  return p;
}

export function isBuiltinProfile(name: string): name is BuiltinProfileName {
  return (BUILTIN_PROFILES as readonly string[]).includes(name);
}

function matches(pattern: string, id: string): boolean {
  return pattern === '*' || (pattern.endsWith('*') ? id.startsWith(pattern.slice(0, -1)) : pattern === id);
}

/** True when the profile runs the rule. */
export function profileIncludes(profile: Profile, id: string): boolean {
  return profile.include.some((p) => matches(p, id)) && !profile.exclude.some((p) => matches(p, id));
}

/** The severity of a rule under a profile. */
export function profileSeverity(profile: Profile, rule: Rule): Severity {
  return profile.severity[rule.id] ?? rule.severity;
}
