/**
 * The RegistryDeployment parser the FLOW rules and `ward flows` use, loaded on demand: the spec model
 * (zod and the presets) is most of the JavaScript `ward check` would otherwise load at start, and
 * most inputs hold no RegistryDeployment. Entry points await `loadSpecParser()` (the CLI only when
 * the input holds a RegistryDeployment; the test set-up always; the operator sets it) before any rule
 * runs; a rule that meets a RegistryDeployment without it fails loudly instead of skipping the spec.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import type { ParseResult } from '../../charts-src/model/parse.js';

export type SpecParser = (input: unknown) => ParseResult;

let parser: SpecParser | undefined;

/** Sets the parser where the model is loaded anyway (the operator). */
export function useSpecParser(p: SpecParser): void {
  parser = p;
}

/** Loads the parser (once). */
export async function loadSpecParser(): Promise<SpecParser> {
  parser ??= (await import('../../charts-src/model/parse.js')).parseRegistrySpec;
  return parser;
}

/** Loads the parser when any of the objects is a RegistryDeployment. */
export async function loadSpecParserFor(objects: Iterable<KubeObject>): Promise<void> {
  for (const o of objects) {
    if (o.kind === 'RegistryDeployment') {
      await loadSpecParser();
      return;
    }
  }
}

/** The loaded parser. */
export function specParser(): SpecParser {
  if (!parser) throw new Error('internal error: a RegistryDeployment was read before its parser was loaded (loadSpecParser)');
  return parser;
}
