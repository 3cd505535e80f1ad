/**
 * Reading a spec (a RegistryDeployment or a bare spec) named on the command line: a file or `-` for
 * stdin. Every problem is a usage error naming the input: `FILE:LINE:COL: message` for YAML syntax,
 * one `path: message` line per spec issue.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { DEFAULT_LIMITS, yamlErrorMessage } from '../policies/load/index.js';
import { documentValue } from '../policies/load/to-value.js';
import { KUBE_YAML } from '../policies/load/kube-yaml.js';
import { formatIssues, parseRegistrySpec, type RegistrySpec } from '../charts-src/model/index.js';
import { UsageError } from './exit-codes.js';
import { inputName, readTextInput } from './input.js';

/** Parses YAML text holding one document; syntax errors name file:line:column. Pure. */
export function parseSpecDocument(text: string, source: string): unknown {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { ...KUBE_YAML, lineCounter: lc, prettyErrors: false });
  const list = Array.isArray(docs) ? docs : [];
  const errors = list.flatMap((d) => d.errors);
  if (errors.length > 0) {
    // From the error code only: the parser's message can quote the input.
    const lines = errors.map((e) => {
      const pos = lc.linePos(e.pos[0]);
      return `${source}:${String(pos.line)}:${String(pos.col)}: ${yamlErrorMessage(e.code).replace(/^YAML syntax error: /, '')}`;
    });
    throw new UsageError(`cannot parse YAML\n${lines.join('\n')}`);
  }
  const nonEmpty = list.filter((d) => d.contents !== null);
  if (nonEmpty.length !== 1) {
    throw new UsageError(`${source}: expected exactly one YAML document (a RegistryDeployment or a bare spec), found ${nonEmpty.length}`);
  }
  const got = documentValue(nonEmpty[0]!, DEFAULT_LIMITS.maxAliasCount);
  if ('value' in got) return got.value;
  const pos = lc.linePos(got.offset);
  throw new UsageError(`${source}:${String(pos.line)}:${String(pos.col)}: ${got.message}`);
}

/** Parses the input into a spec; every issue becomes one `path: message` line of a usage error. */
export function specFrom(input: unknown, source: string): RegistrySpec {
  const result = parseRegistrySpec(input);
  if (result.ok) return result.spec;
  const n = result.issues.length;
  throw new UsageError(`invalid spec in ${source} (${n} issue${n === 1 ? '' : 's'}):\n${formatIssues(result.issues)}`);
}

/** A spec read from a file or stdin: its text, its one YAML document and the parsed spec. */
export interface SpecFile {
  /** How messages name the input: the path, or `<stdin>`. */
  readonly source: string;
  readonly text: string;
  readonly document: unknown;
  readonly spec: RegistrySpec;
}

/** Reads and parses the spec in `file` (`-` for stdin), bounded by `maxBytes`; unreadable, oversized, unparsable or invalid input is a usage error. */
export async function readSpecFile(file: string, maxBytes?: number): Promise<SpecFile> {
  const source = inputName(file);
  const text = await readTextInput(file, 'spec', maxBytes);
  const document = parseSpecDocument(text, source);
  return { source, text, document, spec: specFrom(document, source) };
}
