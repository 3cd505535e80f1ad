/** Reading a command's input: a file path, or `-` for stdin. Process edge; errors are usage errors naming the file. */
import { readFile } from 'node:fs/promises';
import { UsageError } from './exit-codes.js';

/** How messages name an input: `<stdin>` for `-`, the path otherwise. */
export function inputName(file: string): string {
  return file === '-' ? '<stdin>' : file;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The text of `file` (UTF-8), or all of stdin for `-`. An unreadable file is a usage error
 * "cannot read [what ]FILE: CODE".
 */
export async function readTextInput(file: string, what?: string): Promise<string> {
  if (file === '-') return readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what === undefined ? '' : `${what} `}${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
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
