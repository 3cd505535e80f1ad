/**
 * The one reader of every input ward is given (manifests, specs, waivers, profiles, kubeconfigs,
 * keys): it counts bytes as it reads, so a pipe, a FIFO or a file that grows is bounded as well as a
 * regular file. Devices and sockets are refused before anything is read. Errors name the input and
 * the bound, never its content.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** Why an input could not be read; `message` names the input, never its content. */
export class ReadError extends Error {
  constructor(
    readonly code: 'too-large' | 'not-a-file' | 'read-failed',
    readonly file: string,
    /** What is wrong, without the name. */
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'ReadError';
  }
}

/** Bytes already read across a run, shared by every read so that the total is bounded too. */
export class ReadBudget {
  private used = 0;
  constructor(readonly maxTotalBytes: number) {}
  get remaining(): number {
    return Math.max(0, this.maxTotalBytes - this.used);
  }
  spend(n: number): void {
    this.used += n;
  }
}

export const fmtBytes = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export interface ReadOptions {
  /** Largest input accepted. */
  readonly maxBytes: number;
  /** Shared total across inputs (none: only maxBytes). */
  readonly budget?: ReadBudget;
  /** How messages name the input (e.g. `<stdin>`); the path by default. */
  readonly name?: string;
}

function overBound(name: string, size: number | undefined, options: ReadOptions, total: boolean): ReadError {
  const why = total
    ? `the inputs together are over the total bound of ${fmtBytes(options.budget?.maxTotalBytes ?? 0)} (--max-total-size)`
    : size === undefined
      ? `more than ${fmtBytes(options.maxBytes)} read, over the bound (--max-file-size)`
      : `file is ${fmtBytes(size)}, over the bound of ${fmtBytes(options.maxBytes)} (--max-file-size)`;
  return new ReadError('too-large', name, `${why}; split it into smaller inputs or raise the bound`);
}

/** Reads a stream up to the bound; stops reading (and destroys the stream) as soon as it is passed. */
export async function readStreamBounded(stream: AsyncIterable<Uint8Array>, options: ReadOptions & { readonly name: string }): Promise<Buffer> {
  const limit = Math.min(options.maxBytes, options.budget?.remaining ?? Infinity);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > limit) {
      const s = stream as { destroy?: () => void };
      s.destroy?.();
      throw overBound(options.name, undefined, options, total <= options.maxBytes);
    }
    chunks.push(chunk);
  }
  options.budget?.spend(total);
  return Buffer.concat(chunks);
}

/**
 * The bytes of `path`: a regular file or a FIFO/pipe (e.g. `<(cmd)`), read with a byte count.
 * Devices, sockets and directories are refused with a ReadError.
 */
export async function readInputFile(path: string, options: ReadOptions): Promise<Buffer> {
  const name = options.name ?? path;
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new ReadError('read-failed', name, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  if (info.isDirectory()) throw new ReadError('not-a-file', name, 'is a directory, expected a file');
  if (!info.isFile() && !info.isFIFO()) {
    const what = info.isCharacterDevice() || info.isBlockDevice() ? 'a device' : info.isSocket() ? 'a socket' : 'not a regular file';
    throw new ReadError('not-a-file', name, `is ${what}, not a file or a pipe; give a YAML or JSON file`);
  }
  if (info.isFile() && info.size > options.maxBytes) throw overBound(name, info.size, options, false);
  try {
    return await readStreamBounded(createReadStream(path), { ...options, name });
  } catch (err) {
    if (err instanceof ReadError) throw err;
    throw new ReadError('read-failed', name, `cannot read: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}
