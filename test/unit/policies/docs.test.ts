import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { withCatalogue } from '../../../policies/catalogue-doc.js';
import { rules } from '../../../policies/rules/index.js';

it('docs/check.md lists the rule catalogue exactly as the registry has it (npx tsx policies/catalogue-doc.ts --write)', () => {
  const doc = readFileSync('docs/check.md', 'utf8');
  expect(doc).toBe(withCatalogue(doc));
  for (const id of rules.keys()) expect(doc).toContain(`| ${id} |`);
});
