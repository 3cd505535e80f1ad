/** `--profile NAME|FILE` of `ward check` and `ward flows`: a built-in profile or a profile YAML file. */
import { yamlSyntaxError } from '../policies/load/index.js';
import { BUILTIN_PROFILES, builtinProfile, isBuiltinProfile, parseProfile, profileProblems, type Profile } from '../policies/profiles.js';
import { rules as catalogue } from '../policies/rules/index.js';
import { UsageError } from './exit-codes.js';
import { readTextInput } from './input.js';
import { fileErrorReason } from './write.js';

async function readProfile(name: string): Promise<Profile> {
  if (isBuiltinProfile(name)) return builtinProfile(name);
  let text: string;
  try {
    text = await readTextInput(name, 'profile');
  } catch (err) {
    throw new UsageError(`profile "${name}" is neither built in (${BUILTIN_PROFILES.join(', ')}) nor a readable profile file: ${fileErrorReason(err)}`);
  }
  // Checked here so that no YAML parser message (which can quote the file) reaches the output.
  const syntax = yamlSyntaxError(text, name);
  if (syntax) throw new UsageError(`invalid profile ${syntax.message}`);
  try {
    return parseProfile(text, name);
  } catch (err) {
    throw new UsageError(`invalid profile ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The profile, refused when it would run no rule (a check that runs nothing passes anything). */
export async function resolveProfile(name: string): Promise<Profile> {
  const profile = await readProfile(name);
  const problems = profileProblems(profile, [...catalogue.keys()]);
  if (problems.length > 0) throw new UsageError(`invalid profile ${name}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return profile;
}

