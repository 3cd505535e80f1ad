/**
 * Profiles: which rules run and at which severity. Built-in profiles are YAML files in
 * policies/profiles/ (strict, baseline, openg2p-audit); parsing is pure, reading is at the edge.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { rec, str, strs } from './index/access.js';
import { isSeverity, type Rule, type Severity } from './types.js';

export interface Profile {
  readonly name: string;
  readonly description: string;
  /** Rule ids or family wildcards (`WARD-POD-*`, `*`). */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Severity overrides by rule id. */
  readonly severity: Readonly<Record<string, Severity>>;
}

export const BUILTIN_PROFILES = ['strict', 'baseline', 'openg2p-audit'] as const;
export type BuiltinProfileName = (typeof BUILTIN_PROFILES)[number];
export const DEFAULT_PROFILE: BuiltinProfileName = 'strict';

/** Parses a profile from YAML text; throws an Error naming the bad field. */
export function parseProfile(text: string, source: string): Profile {
  const v = rec(parse(text, { maxAliasCount: 10 }));
  const name = str(v.name);
  if (!name) throw new Error(`${source}: a profile needs a "name"`);
  const severity: Record<string, Severity> = {};
  for (const [id, s] of Object.entries(rec(v.severity))) {
    if (!isSeverity(s)) throw new Error(`${source}: severity.${id} is "${String(s)}"; expected critical, high, medium or low`);
    severity[id] = s;
  }
  return { name, description: str(v.description) ?? '', include: v.include === undefined ? ['*'] : strs(v.include), exclude: strs(v.exclude), severity };
}

const cache = new Map<string, Profile>();

/** A built-in profile by name (read from policies/profiles/<name>.yaml on first use). */
export function builtinProfile(name: BuiltinProfileName): Profile {
  let p = cache.get(name);
  if (!p) {
    p = parseProfile(readFileSync(new URL(`./profiles/${name}.yaml`, import.meta.url), 'utf8'), `policies/profiles/${name}.yaml`);
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
