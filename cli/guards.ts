/** Checks at the CLI edge that refuse an invocation which would prove nothing: pure functions. */
import { UsageError } from './exit-codes.js';

/**
 * An input with no objects (an empty file, /dev/null, a closed stdin, an empty directory) proves
 * nothing: refused unless --allow-empty. Inputs that failed to load already exit 2 with their errors.
 */
export function refuseEmpty(objects: number, inputErrors: number, allowEmpty: boolean): void {
  if (objects > 0 || allowEmpty || inputErrors > 0) return;
  throw new UsageError('no objects in the input: nothing was checked (give manifests, or --allow-empty to accept an empty input)');
}

/** Levenshtein distance (insert, delete, substitute: 1 each). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/**
 * The candidates nearest to `wanted`, best first: those containing it (or contained in it), then by
 * edit distance; ties by name. At most `limit`.
 */
export function nearestNames(wanted: string, candidates: readonly string[], limit = 3): string[] {
  const w = wanted.toLowerCase();
  const score = (c: string): number => {
    const l = c.toLowerCase();
    return l.includes(w) || w.includes(l) ? 0 : 1 + editDistance(w, l);
  };
  return [...new Set(candidates)].map((c) => ({ c, s: score(c) })).sort((x, y) => x.s - y.s || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0)).slice(0, limit).map((x) => x.c);
}
