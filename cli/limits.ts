/**
 * The input bounds as command-line options (`--max-file-size`, `--max-total-size`,
 * `--max-documents`), shared by `ward check`, `ward flows` and (file size only) `ward synth`.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_LIMITS, type LoadLimits } from '../policies/load/index.js';

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `32MiB`, `512k`, `1G` or a number of bytes → bytes (units are powers of 1024). */
export function parseSize(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v.trim());
  const unit = m ? UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new InvalidArgumentError(`"${v}" is not a size; use e.g. 32MiB, 512KiB or 1GiB.`);
  return Math.floor(Number(m[1]) * unit);
}

function parseCount(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`"${v}" is not a positive whole number.`);
  return Number(v);
}

export interface LimitOptions {
  maxFileSize?: number;
  maxTotalSize?: number;
  maxDocuments?: number;
}

const MIB = (n: number): string => `${String(n / 1024 / 1024)}MiB`;
/** 100000 → "100,000" (not toLocaleString: that loads ICU, a tenth of ward's start-up). */
const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+$)/g, ',');

/** Adds the bound options; `fileOnly` for commands that read one file (synth). */
export function addLimitOptions(cmd: Command, fileOnly = false): Command {
  if (fileOnly) return cmd.addOption(new Option('--max-file-size <size>', 'largest spec file or stdin (default 4MiB)').argParser(parseSize));
  cmd.addOption(new Option('--max-file-size <size>', `largest input file, pipe or stdin (default ${MIB(DEFAULT_LIMITS.maxFileBytes)}; a spec: 4MiB)`).argParser(parseSize));
  return cmd
    .addOption(new Option('--max-total-size <size>', `all inputs together (default ${MIB(DEFAULT_LIMITS.maxTotalBytes)})`).argParser(parseSize))
    .addOption(new Option('--max-documents <n>', `YAML documents and List items in all inputs (default ${thousands(DEFAULT_LIMITS.maxDocuments)})`).argParser(parseCount));
}

/** The loader bounds the options ask for (defaults where not given). */
export function limitsOf(opts: LimitOptions): LoadLimits {
  return {
    ...DEFAULT_LIMITS,
    ...(opts.maxFileSize ? { maxFileBytes: opts.maxFileSize } : {}),
    ...(opts.maxTotalSize ? { maxTotalBytes: opts.maxTotalSize } : {}),
    ...(opts.maxDocuments ? { maxDocuments: opts.maxDocuments } : {}),
  };
}
