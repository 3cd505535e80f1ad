/**
 * The loader's I/O edge: files, directories (recursive, .yaml/.yml/.json) and stdin (`-`), each
 * bounded in size and checked for binary content before parsing.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { parseText } from './parse.js';
import { DEFAULT_LIMITS, type InputError, type LoadLimits, type LoadResult } from './types.js';

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
export const STDIN_NAME = '<stdin>';

function fileError(file: string, code: InputError['code'], message: string): InputError {
  return { code, file, line: 1, column: 1, message: `${file}:1: ${message}` };
}

const fmtBytes = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/** Decodes a buffer as UTF-8 text, or says why it is not text. */
export function decodeText(buf: Uint8Array, file: string, limits: LoadLimits = DEFAULT_LIMITS): string | InputError {
  if (buf.byteLength > limits.maxFileBytes) {
    return fileError(file, 'too-large', `input is ${fmtBytes(buf.byteLength)}, over the bound of ${fmtBytes(limits.maxFileBytes)}; split it into smaller files`);
  }
  if (buf.subarray(0, 8192).includes(0)) return fileError(file, 'binary', 'binary content (NUL bytes); expected YAML or JSON text');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return fileError(file, 'binary', 'not valid UTF-8 text; expected YAML or JSON');
  }
}

/** Parses a buffer (file content or stdin) into documents and errors. */
export function loadBuffer(buf: Uint8Array, file: string, limits: LoadLimits = DEFAULT_LIMITS): LoadResult {
  const inputs = [{ file, sha256: createHash('sha256').update(buf).digest('hex'), bytes: buf.byteLength }];
  const text = decodeText(buf, file, limits);
  return { ...(typeof text === 'string' ? parseText(text, file, limits) : { documents: [], errors: [text] }), inputs };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: string[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile() && EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(p);
  }
  return out;
}

async function readBounded(stream: AsyncIterable<Uint8Array>, max: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    total += chunk.byteLength;
    if (total > max) break;
  }
  return Buffer.concat(chunks);
}

async function loadFile(file: string, limits: LoadLimits): Promise<LoadResult> {
  const info = await stat(file);
  if (info.size > limits.maxFileBytes) {
    return { documents: [], errors: [fileError(file, 'too-large', `file is ${fmtBytes(info.size)}, over the bound of ${fmtBytes(limits.maxFileBytes)}; split it into smaller files`)] };
  }
  return loadBuffer(await readFile(file), file, limits);
}

export interface LoadOptions {
  readonly limits?: LoadLimits;
  /** Standard input, read when a path is `-`. */
  readonly stdin?: AsyncIterable<Uint8Array>;
}

/** Loads every path (file, directory or `-`), in order. Unreadable paths become input errors. */
export async function loadPaths(paths: readonly string[], options: LoadOptions = {}): Promise<LoadResult> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const out = { documents: [], errors: [], inputs: [] } as Required<LoadResult>;
  const add = (r: LoadResult): void => {
    out.documents.push(...r.documents);
    out.errors.push(...r.errors);
    out.inputs.push(...(r.inputs ?? []));
  };
  for (const path of paths) {
    try {
      if (path === '-') {
        if (!options.stdin) throw new Error('no standard input available');
        add(loadBuffer(await readBounded(options.stdin, limits.maxFileBytes), STDIN_NAME, limits));
        continue;
      }
      const files = (await stat(path)).isDirectory() ? await listFiles(path) : [path];
      for (const f of files) add(await loadFile(f, limits));
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      out.errors.push(fileError(path, 'read-failed', `cannot read: ${why}`));
    }
  }
  return out;
}
