/**
 * Reading a command's input: a file path, or `-` for stdin, through the loader's bounded reader
 * (bytes counted as they are read: pipes and FIFOs are bounded, devices refused). Process edge;
 * errors are usage errors naming the file, never quoting its content.
 */
import { decodeText, DEFAULT_LIMITS, ReadError, readInputFile, readStreamBounded } from '../policies/load/index.js';
import { UsageError } from './exit-codes.js';

/** How messages name an input: `<stdin>` for `-`, the path otherwise. */
export function inputName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

/** Bound of a spec, key, profile or waivers file. @default 4 MiB */
export const TEXT_INPUT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The text of `file` (UTF-8, or UTF-16 with a byte-order mark), or all of stdin for `-`, at most
 * `maxBytes`. An unreadable, oversized or binary input is a usage error "cannot read [what ]FILE: why".
 */
export async function readTextInput(file: string, what?: string, maxBytes = TEXT_INPUT_MAX_BYTES): Promise<string> {
  const name = inputName(file);
  const label = `${what === undefined ? '' : `${what} `}${name}`;
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readStreamBounded(process.stdin, { maxBytes, name }) : await readInputFile(file, { maxBytes, name });
  } catch (err) {
    if (err instanceof ReadError) throw new UsageError(`cannot read ${label}: ${err.code === 'read-failed' ? err.reason.replace(/^cannot read: /, '') : err.reason}`);
    throw err;
  }
  const text = decodeText(bytes, name, { ...DEFAULT_LIMITS, maxFileBytes: maxBytes });
  if (typeof text !== 'string') throw new UsageError(`cannot read ${label}: ${text.message.replace(`${name}:1: `, '')}`);
  return text;
}

/** Warnings shown on stderr before the rest are counted: a directory of foreign JSON is not a flood. */
export const MAX_WARNINGS_SHOWN = 20;

/** Writes the loader's warnings to stderr as `PREFIX: warning: message`, at most MAX_WARNINGS_SHOWN of them. */
export function writeWarnings(prefix: string, warnings: readonly { readonly message: string }[]): void {
  for (const w of warnings.slice(0, MAX_WARNINGS_SHOWN)) process.stderr.write(`${prefix}: warning: ${w.message}\n`);
  const more = warnings.length - MAX_WARNINGS_SHOWN;
  if (more > 0) process.stderr.write(`${prefix}: warning: ${String(more)} more document(s) or path(s) skipped\n`);
}

/**
 * The line to print on stderr about where objects that name no namespace were placed (undefined:
 * nothing to say). `command` prefixes it ("ward check", "ward flows", "ward init").
 */
export function namespaceNoticeLine(command: string, decision: { readonly notice?: { readonly level: 'notice' | 'warning'; readonly message: string } }): string | undefined {
  const n = decision.notice;
  if (!n) return undefined;
  return `${command}: ${n.level === 'warning' ? 'warning: ' : ''}${n.message}\n`;
}
