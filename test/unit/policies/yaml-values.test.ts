/**
 * Every reader of YAML (manifests, specs, waivers, profiles, kubeconfigs) turns a document into a
 * value through policies/load/to-value.ts: an alias bomb and a collection used as a mapping key are
 * problems with file:line (issue 17, "an alias bomb in a spec exiting 1 without file or line" and
 * "a Node warning on stderr for non-string keys"), never a thrown ReferenceError or a Node warning.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseSpecDocument } from '../../../cli/spec-input.js';
import { readKubeconfig } from '../../../policies/cluster.js';
import { parseText } from '../../../policies/load/parse.js';
import { parseProfile } from '../../../policies/profiles.js';
import { parseWaiversFile } from '../../../policies/waivers.js';

/** A document whose aliases expand 10^6 times, its first alias on line `firstAliasLine`. */
function aliasBomb(): { text: string; firstAliasLine: number } {
  const lines = [`a0: &a0 [x, x, x, x, x, x, x, x, x, x]`];
  for (let i = 1; i <= 6; i += 1) lines.push(`a${String(i)}: &a${String(i)} [${Array.from({ length: 10 }, () => `*a${String(i - 1)}`).join(', ')}]`);
  return { text: lines.join('\n') + '\n', firstAliasLine: 2 };
}

const COLLECTION_KEY = 'include: [WARD-POD-*]\n? [a, b]\n: v\n';
const SECRET = 'canary-Zq8vT3nK5pW1xY7r';

/** Every reader's message for a text, or '' when it took the text. */
const readers: Record<string, (text: string) => string | Promise<string>> = {
  manifest: (text) => parseText(text, 'in.yaml').errors.map((e) => e.message).join('\n'),
  spec: (text) => {
    try {
      parseSpecDocument(text, 'spec.yaml');
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  },
  waivers: (text) => parseWaiversFile(text, 'waivers.yaml').errors.map((e) => e.message).join('\n'),
  profile: (text) => {
    try {
      parseProfile(text, 'profile.yaml');
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  },
  kubeconfig: async (text) => {
    const file = join(mkdtempSync(join(tmpdir(), 'ward-kc-')), 'config');
    writeFileSync(file, text);
    try {
      await readKubeconfig(file);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  },
};

describe('YAML values: one conversion for every reader', () => {
  const warnings: string[] = [];
  const onWarning = (w: Error): void => {
    warnings.push(w.message);
  };
  beforeEach(() => {
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
  });

  for (const [name, read] of Object.entries(readers)) {
    it(`${name}: an alias bomb is refused at its first alias, with file and line`, async () => {
      const bomb = aliasBomb();
      const message = await read(bomb.text);
      expect(message).toMatch(new RegExp(`:${String(bomb.firstAliasLine)}(:\\d+)?: .*aliases expand more than \\d+ times`));
      expect(message).not.toContain('Excessive alias count');
    });

    it(`${name}: a list as a mapping key is refused with its line, without a Node warning or the key's text`, async () => {
      const message = await read(COLLECTION_KEY.replace('[a, b]', `[a, ${SECRET}]`));
      expect(message).toMatch(/:2(:\d+)?: .*a mapping key is a list or a mapping/);
      expect(message).not.toContain(SECRET);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    });
  }

  it('a document without aliases or collection keys converts as before', async () => {
    expect(await readers.manifest!('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {"1": x}\n')).toBe('');
    expect(parseSpecDocument('preset: openg2p-social-registry\nfirst: &a 1\nsecond: *a\n', 's.yaml')).toEqual({ preset: 'openg2p-social-registry', first: 1, second: 1 });
  });
});
