/**
 * The loader's I/O edge: files, directories (recursive, .yaml/.yml/.json, symlinks followed once)
 * and stdin (`-`), each read through the bounded reader (read.ts) and checked for binary content
 * before parsing. The bounds (per file, in total, documents) hold across every path of one call.
 */
import { createHash } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseText, type DocumentCount } from './parse.js';
import { fmtBytes, ReadBudget, ReadError, readInputFile, readStreamBounded } from './read.js';
import { DEFAULT_LIMITS, type InputError, type InputWarning, type LoadLimits, type LoadResult } from './types.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
export const STDIN_NAME = '<stdin>';

function fileError(file: string, code: InputError['code'], message: string): InputError {
  return { code, file, line: 1, column: 1, message: `${file}:1: ${message}` };
}

function skipped(file: string, why: string): InputWarning {
  return { code: 'skipped-path', file, line: 1, column: 1, message: `${file}: ${why}; skipped` };
}

const UTF16 = [
  { bom: [0xff, 0xfe], encoding: 'utf-16le' },
  { bom: [0xfe, 0xff], encoding: 'utf-16be' },
] as const;

/** Decodes a buffer as UTF-8 (or UTF-16 with a byte-order mark) text, or says why it is not text. */
export function decodeText(buf: Uint8Array, file: string, limits: LoadLimits = DEFAULT_LIMITS): string | InputError {
  if (buf.byteLength > limits.maxFileBytes) {
    return fileError(file, 'too-large', `input is ${fmtBytes(buf.byteLength)}, over the bound of ${fmtBytes(limits.maxFileBytes)}; split it into smaller files`);
  }
  const utf16 = UTF16.find(({ bom }) => buf[0] === bom[0] && buf[1] === bom[1]);
  if (!utf16 && buf.subarray(0, 8192).includes(0)) return fileError(file, 'binary', 'binary content (NUL bytes); expected YAML or JSON text');
  try {
    return new TextDecoder(utf16?.encoding ?? 'utf-8', { fatal: true }).decode(buf);
  } catch {
    return fileError(file, 'binary', `not valid ${utf16 ? 'UTF-16' : 'UTF-8'} text; expected YAML or JSON`);
  }
}

/** Parses a buffer (file content or stdin) into documents and errors. */
export function loadBuffer(buf: Uint8Array, file: string, limits: LoadLimits = DEFAULT_LIMITS, count?: DocumentCount): LoadResult {
  const inputs = [{ file, sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.byteLength }];
  const text = decodeText(buf, file, limits);
  return { ...(typeof text === 'string' ? parseText(text, file, limits, count) : { documents: [], errors: [text] }), inputs };
}

interface Walk {
  readonly files: string[];
  readonly warnings: InputWarning[];
  /** Real paths of the directories entered, so that a symlink loop is entered once. */
  readonly seen: Set<string>;
}

const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

async function walk(dir: string, w: Walk): Promise<void> {
  const real = await realpath(dir);
  if (w.seen.has(real)) return void w.warnings.push(skipped(dir, `a directory already read (${real}: a symlink loop?)`));
  w.seen.add(real);
  for (const e of (await readdir(dir, { withFileTypes: true })).sort(byName)) {
    const p = join(dir, e.name);
    let info: { isDirectory(): boolean; isFile(): boolean } = e;
    if (e.isSymbolicLink()) {
      try {
        info = await stat(p);
      } catch {
        w.warnings.push(skipped(p, 'a broken symlink'));
        continue;
      }
    }
    const wanted = EXTENSIONS.has(extname(e.name).toLowerCase());
    if (info.isDirectory()) await walk(p, w);
    else if (info.isFile() && wanted) w.files.push(p);
    else if (wanted) w.warnings.push(skipped(p, 'not a regular file (a device, FIFO or socket)'));
  }
}

export interface LoadOptions {
  readonly limits?: LoadLimits;
  /** Standard input, read when a path is `-`. */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

interface Run {
  readonly limits: LoadLimits;
  readonly budget: ReadBudget;
  readonly count: DocumentCount;
  readonly out: { documents: LoadResult['documents']; errors: InputError[]; warnings: InputWarning[]; inputs: NonNullable<LoadResult['inputs']> };
}

function add(run: Run, r: LoadResult): void {
  // One push per item: a spread of 130,000 documents passes the engine's argument limit.
  for (const d of r.documents) run.out.documents.push(d);
  for (const e of r.errors) run.out.errors.push(e);
  for (const w of r.warnings ?? []) run.out.warnings.push(w);
  for (const i of r.inputs ?? []) run.out.inputs.push(i);
}

async function loadOne(run: Run, path: string, options: LoadOptions): Promise<void> {
  const read = async (file: string, bytes: () => Promise<Buffer>): Promise<void> => {
    try {
      add(run, loadBuffer(await bytes(), file, run.limits, run.count));
    } catch (err) {
      if (!(err instanceof ReadError)) throw err;
      run.out.errors.push(fileError(file, err.code, err.reason));
    }
  };
  const bounds = { maxBytes: run.limits.maxFileBytes, budget: run.budget };
  if (path === '-') {
    if (!options.stdin) throw new Error('no standard input available');
    const stdin = options.stdin;
    return read(STDIN_NAME, () => readStreamBounded(stdin, { ...bounds, name: STDIN_NAME }));
  }
  if (!(await stat(path)).isDirectory()) return read(path, () => readInputFile(path, bounds));
  const w: Walk = { files: [], warnings: run.out.warnings, seen: new Set() };
  await walk(path, w);
  for (const f of w.files) {
    await read(f, () => readInputFile(f, bounds));
    if (run.count.documents > run.limits.maxDocuments) return;
  }
}

/** Loads every path (file, directory or `-`), in order. Unreadable paths become input errors. */
export async function loadPaths(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult & { warnings: InputWarning[] }> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const run: Run = { limits, budget: new ReadBudget(limits.maxTotalBytes), count: { documents: 0 }, out: { documents: [], errors: [], warnings: [], inputs: [] } };
  for (const path of paths) {
    if (run.count.documents > limits.maxDocuments || run.budget.remaining === 0 && run.out.errors.some((e) => e.code === 'too-large')) break;
    try {
      await loadOne(run, path, options);
    } catch (err) {
      const why = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
      run.out.errors.push(fileError(path, 'read-failed', `cannot read: ${why}`));
    }
  }
  return run.out;
}
