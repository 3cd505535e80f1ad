/** Shared by the flow tests: load a corpus scenario (or YAML text) into an index. */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildIndex } from '../../../policies/engine.js';
import type { ObjectIndex } from '../../../policies/index/object-index.js';
import { loadBuffer } from '../../../policies/load/index.js';

export const CORPUS = join(import.meta.dirname, '../../fixtures/flows');

/** Scenario directories (NN-name), sorted. */
export function scenarios(): string[] {
  return readdirSync(CORPUS).filter((d) => /^\d\d-/.test(d)).sort();
}

export function scenarioFile(name: string, file: string): string {
  return join(CORPUS, name, file);
}

export function hasFile(name: string, file: string): boolean {
  return existsSync(scenarioFile(name, file));
}

export function readScenario(name: string, file: string): string {
  return readFileSync(scenarioFile(name, file), 'utf8');
}

/** Index of YAML text (as the CLI would build it from a file). */
export function indexOfYaml(text: string, file = 'input.yaml'): ObjectIndex {
  const load = loadBuffer(new TextEncoder().encode(text), file);
  if (load.errors.length) throw new Error(load.errors.map((e) => e.message).join('\n'));
  return buildIndex({ documents: load.documents });
}

export function indexOfScenario(name: string): ObjectIndex {
  return indexOfYaml(readScenario(name, 'input.yaml'), scenarioFile(name, 'input.yaml'));
}
