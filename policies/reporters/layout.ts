/**
 * Terminal layout for the text reports: word wrapping with a hanging indent, ANSI-aware widths,
 * paths relative to the working directory. Pure: the width and the working directory are given by
 * the caller (the CLI reads them from the terminal); `undefined` width means no wrapping (a pipe).
 */
import { isAbsolute, relative, sep } from 'node:path';

const ANSI = /\x1b\[[0-9;]*m/g;

/** Printed width of a string: ANSI colour sequences take no column. */
export function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/**
 * Wraps one logical line at spaces so that no printed line is wider than `width` (a word longer
 * than the width stays whole on its own line). Continuation lines start with `indent` spaces.
 * Without a width the line is returned as is.
 */
export function wrapLine(line: string, width: number | undefined, indent = 0): string[] {
  if (width === undefined || visibleLength(line) <= width) return [line];
  const lead = /^ */.exec(line)?.[0] ?? '';
  const words = line.slice(lead.length).split(' ');
  const pad = ' '.repeat(Math.min(indent, Math.floor(width / 2)));
  const out: string[] = [];
  let current = lead;
  let currentLen = lead.length;
  let empty = true;
  for (const word of words) {
    const len = visibleLength(word);
    if (!empty && currentLen + 1 + len > width) {
      out.push(current.trimEnd());
      if (len === 0) {
        current = pad;
        currentLen = pad.length;
        empty = true;
        continue;
      }
      current = pad + word;
      currentLen = pad.length + len;
    } else {
      current += (empty ? '' : ' ') + word;
      currentLen += (empty ? 0 : 1) + len;
    }
    empty = false;
  }
  out.push(current);
  return out;
}

/** A path relative to `cwd` when it lies inside it; otherwise (or without a cwd) as given. */
export function displayPath(file: string, cwd: string | undefined): string {
  if (!cwd || !isAbsolute(file)) return file;
  const rel = relative(cwd, file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? rel : file;
}

/** Cuts a plain string to `width` columns, ending in "…" when cut. */
export function truncate(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** Pads a cell to `width` printed columns (ANSI-aware). */
export function padCell(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}
