import { fastDocument } from '../../policies/load/fast-yaml.js';

/** How many `---`-separated documents of a stream the loader's fast path reads itself (not left to the full parser). */
export function fastShare(text: string): { fast: number; all: number } {
  const parts = text.split(/^---$/m);
  let fast = 0;
  let offset = 0;
  for (const part of parts) {
    if (fastDocument(text, offset, offset + part.length)) fast++;
    offset += part.length + 3;
  }
  return { fast, all: parts.length };
}
