/**
 * Writing the files a command was asked to write (-o): every failure is a UsageError that names the
 * path and the reason in words, never a bare errno.
 */
import { constants } from 'node:fs';
import { mkdir, open, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './exit-codes.js';

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a parent of it is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a directory',
  EEXIST: 'it exists and is not a directory',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  ELOOP: 'it is a symbolic link (refused: the file would be written wherever the link points)',
  EMLINK: 'it is a symbolic link (refused: the file would be written wherever the link points)',
  ENAMETOOLONG: 'the name is too long',
};

/** The reason of a file system error (reading or writing) in words, with its code: "permission denied (EACCES)". */
export function fileErrorReason(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const reason = code === undefined ? undefined : REASONS[code];
  if (reason !== undefined && code !== undefined) return `${reason} (${code})`;
  return err instanceof Error ? err.message : String(err);
}

function failure(what: string, path: string, err: unknown): UsageError {
  return new UsageError(`cannot write ${what} ${path}: ${fileErrorReason(err)}`);
}

/** Writes text to a file the user named; a failure names the path and the reason. */
export async function writeOutputFile(path: string, text: string, what = 'output file'): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw failure(what, path, err);
  }
}

/**
 * Creates a directory and its missing parents, one at a time from the top. Not Node's
 * `mkdir({ recursive: true })`: on a file system that answers ENOENT for a directory it will not
 * create (procfs: `ward synth -o /proc/x/y`), that call retries the parent and the child forever at
 * full CPU (measured on Node 24.21); here the first refusal is the error.
 */
async function mkdirParents(path: string): Promise<void> {
  const missing: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    const found = await stat(dir).then((st) => st, (err: unknown) => err as NodeJS.ErrnoException);
    if (!(found instanceof Error)) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${dir} is not a directory`), { code: dir === resolve(path) ? 'EEXIST' : 'ENOTDIR' });
      break;
    }
    if (found.code !== 'ENOENT' || dirname(dir) === dir) throw found;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    await mkdir(dir).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    });
  }
}

/** Creates a directory (and its parents) for output; a failure names the path and the reason. */
export async function makeOutputDir(path: string): Promise<void> {
  try {
    await mkdirParents(path);
  } catch (err) {
    throw failure('output directory', path, err);
  }
}

/**
 * Writes a secret (a private key) to a file: refuses a symbolic link as the last part of the path
 * (O_NOFOLLOW), creates the file with mode 0600 and sets 0600 on an existing one before a byte is
 * written, so the secret is never readable by others, not even for a moment.
 */
export async function writePrivateFile(path: string, text: string, what = 'file'): Promise<void> {
  try {
    const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
    try {
      await handle.chmod(0o600);
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw failure(what, path, err);
  }
}
