/**
 * Parses YAML/JSON text into Kubernetes objects with source positions. Multi-document streams,
 * `List` and typed lists (`PodList`), Helm renders (`# Source:` comments) and kustomize output.
 * Documents are composed one at a time and dropped once converted: what is kept per object is its
 * value and a small tree of field offsets (positions.ts), never the YAML syntax tree. Every problem
 * is an InputError with file:line that never quotes the input (it may hold secrets); one bad
 * document never hides the others; empty documents are skipped and non-Kubernetes documents are
 * warnings.
 */
import { Composer, LineCounter, Parser, type Document, type YAMLError } from 'yaml';
import { KUBE_YAML } from './kube-yaml.js';
import { isRecord, type KubeObject } from '../../charts-src/kube.js';
import type { SourceLocation } from '../types.js';
import { fastDocument } from './fast-yaml.js';
import { locateIn, positionsOf, type Positions } from './positions.js';
import { redactSecret } from './secrets.js';
import { documentValue } from './to-value.js';
import { DEFAULT_LIMITS, type FieldPath, type InputError, type InputWarning, type LoadLimits, type LoadResult, type LoadedDocument } from './types.js';

type Doc = Document.Parsed;

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;

/** Documents counted across the inputs of one run (the `maxDocuments` bound). */
export interface DocumentCount {
  documents: number;
}

interface DocContext {
  readonly file: string;
  readonly docIndex: number;
  readonly lc: LineCounter;
  readonly helmSource?: string;
}

interface Out {
  readonly documents: LoadedDocument[];
  readonly errors: InputError[];
  readonly warnings: InputWarning[];
}

function position(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

function makeLocator(ctx: DocContext, positions: Positions): (path: FieldPath) => SourceLocation {
  return (path) => {
    const loc = { file: ctx.file, ...position(ctx.lc, locateIn(positions, path)) };
    return ctx.helmSource ? { ...loc, helmSource: ctx.helmSource } : loc;
  };
}

function objectError(ctx: DocContext, at: { line: number; column: number }, what: string): InputError {
  return { code: 'not-an-object', file: ctx.file, ...at, message: `${ctx.file}:${String(at.line)}: document ${String(ctx.docIndex)} ${what}; expected a Kubernetes object with apiVersion, kind and metadata.name` };
}

function notKubernetes(ctx: DocContext, at: { line: number; column: number }, what: string): InputWarning {
  return { code: 'not-kubernetes', file: ctx.file, ...at, message: `${ctx.file}:${String(at.line)}: document ${String(ctx.docIndex)} ${what}, not a Kubernetes object; skipped` };
}

/** A bare RegistryDeployment spec (`ward synth -f` input) given to the checker: its components say which workloads hold personal data. */
function asRegistryDeployment(spec: Record<string, unknown>, file: string): Record<string, unknown> {
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : undefined;
  return { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: `spec:${file}`, ...(namespace ? { namespace } : {}) }, spec };
}

const nameOf = (meta: Record<string, unknown>): string =>
  typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '(unnamed)';

/** The object as kept: a Secret's values are replaced by its facts. */
function kept(object: KubeObject): { object: KubeObject; secretFacts?: LoadedDocument['secretFacts'] } {
  if (object.kind !== 'Secret') return { object };
  const { object: redacted, facts } = redactSecret(object);
  return { object: redacted, secretFacts: facts };
}

function toDocument(ctx: DocContext, input: unknown, positions: Positions): LoadedDocument | InputError | InputWarning {
  const locate = makeLocator(ctx, positions);
  const at = locate([]);
  if (!isRecord(input)) return notKubernetes(ctx, at, Array.isArray(input) ? 'is a list' : 'is a scalar');
  if (input.apiVersion === undefined && input.kind === undefined && !Array.isArray(input.components)) return notKubernetes(ctx, at, 'has no apiVersion or kind');
  const value = input.apiVersion === undefined && input.kind === undefined ? asRegistryDeployment(input, ctx.file) : input;
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') return objectError(ctx, at, typeof value.kind === 'string' ? 'has no apiVersion' : 'has no kind');
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const { object, secretFacts } = kept({ ...value, metadata: { ...meta, name: nameOf(meta) } } as KubeObject);
  const base = { object, file: ctx.file, docIndex: ctx.docIndex, line: at.line, column: at.column, locate };
  return {
    ...base,
    ...(ctx.helmSource ? { helmSource: ctx.helmSource } : {}),
    ...(secretFacts ? { secretFacts } : {}),
  };
}

function docError(ctx: DocContext, code: InputError['code'], offset: number, message: string): InputError {
  const { line, column } = position(ctx.lc, offset);
  return { code, file: ctx.file, line, column, message: `${ctx.file}:${String(line)}:${String(column)}: ${message}` };
}

/**
 * What a YAML error says, from its code only: the parser's own messages can quote the input (a tag,
 * an escape, a block header), and the input may be a Secret or a kubeconfig.
 */
const YAML_ERRORS: Readonly<Record<YAMLError['code'], string>> = {
  ALIAS_PROPS: 'an alias cannot have an anchor or a tag',
  BAD_ALIAS: 'an alias names no anchor defined before it',
  BAD_DIRECTIVE: 'invalid % directive',
  BAD_DQ_ESCAPE: 'invalid escape sequence in a double-quoted string',
  BAD_INDENT: 'bad indentation',
  BAD_PROP_ORDER: 'anchor or tag in the wrong place',
  BAD_SCALAR_START: 'a plain value cannot start with this character (quote it)',
  BLOCK_AS_IMPLICIT_KEY: 'a block value cannot be a key',
  BLOCK_IN_FLOW: 'a block value inside a flow collection ([...] or {...})',
  DUPLICATE_KEY: 'duplicate key',
  IMPOSSIBLE: 'unparsable input',
  KEY_OVER_1024_CHARS: 'an implicit key longer than 1024 characters',
  MISSING_CHAR: 'a missing character (",", ":", a closing quote or bracket)',
  MULTILINE_IMPLICIT_KEY: 'an implicit key must be on a single line (a missing ":" or bad indentation?)',
  MULTIPLE_ANCHORS: 'more than one anchor on a node',
  MULTIPLE_DOCS: 'more than one document',
  MULTIPLE_TAGS: 'more than one tag on a node',
  NON_STRING_KEY: 'a key that is not a string',
  RESOURCE_EXHAUSTION: 'too many aliases expanded',
  TAB_AS_INDENT: 'a tab used as indentation',
  TAG_RESOLVE_FAILED: 'an unknown or invalid tag (!...)',
  UNEXPECTED_TOKEN: 'an unexpected token',
  BAD_COLLECTION_TYPE: 'a tag that does not fit the collection',
};

/** `YAML syntax error: bad indentation`: the message of a YAML error without any of the input. */
export function yamlErrorMessage(code: YAMLError['code']): string {
  return `YAML syntax error: ${YAML_ERRORS[code] ?? code.toLowerCase().replace(/_/g, ' ')}`;
}

function toJs(ctx: DocContext, doc: Doc, limits: LoadLimits): { value: unknown } | InputError {
  const got = documentValue(doc, limits.maxAliasCount);
  return 'value' in got ? got : docError(ctx, got.code, got.offset, `document ${String(ctx.docIndex)}: ${got.message}`);
}

/** The kind of the items of a typed list (`PodList` → `Pod`); undefined for a plain `List` or no list. */
function listItems(value: unknown): { items: unknown[]; kind?: string; apiVersion?: string } | undefined {
  if (!isRecord(value) || typeof value.kind !== 'string' || !value.kind.endsWith('List') || !Array.isArray(value.items)) return undefined;
  const kind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
  return { items: value.items, ...(kind ? { kind } : {}), ...(typeof value.apiVersion === 'string' && kind ? { apiVersion: value.apiVersion } : {}) };
}

function push(out: Out, r: LoadedDocument | InputError | InputWarning): void {
  if (!('code' in r)) out.documents.push(r);
  else if (r.code === 'not-kubernetes' || r.code === 'skipped-path') out.warnings.push(r);
  else out.errors.push(r as InputError);
}

/** Converts one composed document; false when the run's document bound is passed (stop reading). */
function loadDoc(ctx: DocContext, doc: Doc, limits: LoadLimits, count: DocumentCount, out: Out): boolean {
  if (!countDocument(ctx, doc.range[0], limits, count, out)) return false;
  const first = doc.errors[0];
  if (first) return void out.errors.push(docError(ctx, 'yaml-syntax', first.pos[0], yamlErrorMessage(first.code))), true;
  if (doc.contents === null) return true; // empty or comment-only document: skipped, as kubectl does
  const size = doc.range[1] - doc.range[0];
  if (size > limits.maxDocumentBytes) {
    out.errors.push(docError(ctx, 'document-too-large', doc.range[0], `document ${String(ctx.docIndex)} is ${String(size)} bytes, over the bound of ${String(limits.maxDocumentBytes)}; split it`));
    return true;
  }
  const js = toJs(ctx, doc, limits);
  if ('code' in js) return void out.errors.push(js), true;
  return loadValue(ctx, js.value, positionsOf(doc.contents), doc.range[0], { limits, count, out });
}

/** What the documents of one parse share: the bounds, the run's document count, the results. */
interface Run {
  readonly limits: LoadLimits;
  readonly count: DocumentCount;
  readonly out: Out;
}

/** A document's value (and offset tree) as documents: one object, or the items of a List. False when the document bound is passed. */
function loadValue(ctx: DocContext, value: unknown, positions: Positions, start: number, run: Run): boolean {
  const { limits, count, out } = run;
  if (value === null || value === undefined) return true; // `---` followed by `---`: empty too
  const list = listItems(value);
  if (!list) return void push(out, toDocument(ctx, value, positions)), true;
  count.documents += list.items.length;
  if (count.documents > limits.maxDocuments) {
    out.errors.push(docError(ctx, 'too-many-documents', start, `more than ${String(limits.maxDocuments)} YAML documents and list items in the inputs (--max-documents); the rest is not read`));
    return false;
  }
  const itemPositions = (i: number): Positions => ({ root: positions.root, prefix: ['items', i] });
  list.items.forEach((item, i) => {
    const typed = isRecord(item) && list.kind && item.kind === undefined ? { apiVersion: list.apiVersion, kind: list.kind, ...item } : item;
    push(out, toDocument(ctx, typed, itemPositions(i)));
  });
  return true;
}

/** Counts a document against the run's bound; false (and an error) when it is passed. */
function countDocument(ctx: DocContext, start: number, limits: LoadLimits, count: DocumentCount, out: Out): boolean {
  if (++count.documents <= limits.maxDocuments) return true;
  out.errors.push(docError(ctx, 'too-many-documents', start, `more than ${String(limits.maxDocuments)} YAML documents in the inputs (--max-documents); the rest is not read`));
  return false;
}

/**
 * Parses one file's text. `file` is the name used in locations (`<stdin>` for stdin). `count` is
 * shared by the files of one run so that `maxDocuments` bounds them all.
 *
 * Documents in the block YAML that renders and kubectl write go through the fast path
 * (fast-yaml.ts); any other document through the `yaml` package's full parser, which also reports
 * every syntax error. A file with directives (`%YAML`), `...` end markers or content on a `---`
 * line is parsed whole by the full parser.
 */
export function parseText(text: string, file: string, limits: LoadLimits = DEFAULT_LIMITS, count: DocumentCount = { documents: 0 }): LoadResult & { warnings: InputWarning[] } {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const segments = documentSegments(source);
  if (!segments) return parseFull(source, file, limits, count);
  const run: Run = { limits, count, out: { documents: [], errors: [], warnings: [] } };
  const lc = lineCounterOf(source);
  let docIndex = 0;
  for (const seg of segments) {
    const r = loadSegment(source, seg, { file, docIndex, lc }, run);
    if (r === 'stop') break;
    if (r === 'document') docIndex++;
  }
  return run.out;
}

/** One segment: through the fast path, else the full parser. `none` for comments before the first `---`. */
function loadSegment(source: string, seg: Segment, base: DocContext, run: Run): 'document' | 'none' | 'stop' {
  const fast = fastDocument(source, seg.body, seg.end);
  if (fast === undefined) return parseSegment(source, seg, base, run);
  if (fast === null && seg.implicit) return 'none';
  const helmSource = fast ? HELM_SOURCE.exec(source.slice(seg.body, fast.contentStart))?.[1] : undefined;
  const ctx: DocContext = { ...base, ...(helmSource ? { helmSource } : {}) };
  const start = fast?.contentStart ?? seg.start;
  if (!countDocument(ctx, start, run.limits, run.count, run.out)) return 'stop';
  if (!fast) return 'document'; // empty or comment-only document: skipped, as kubectl does
  if (seg.end - start > run.limits.maxDocumentBytes) {
    run.out.errors.push(docError(ctx, 'document-too-large', start, `document ${String(ctx.docIndex)} is ${String(seg.end - start)} bytes, over the bound of ${String(run.limits.maxDocumentBytes)}; split it`));
    return 'document';
  }
  return loadValue(ctx, fast.value, { root: fast.root, prefix: [] }, start, run) ? 'document' : 'stop';
}

interface Segment {
  /** Offset of the `---` line (or 0), of the text after it, and of the next `---` line (or the end). */
  readonly start: number;
  readonly body: number;
  readonly end: number;
  /** The text before the first `---` (no marker of its own). */
  readonly implicit: boolean;
}

/**
 * The documents of a stream, split at its `---` lines (a `---` at the start of a line always starts
 * a document, even inside a block scalar), or undefined when the stream needs the full parser:
 * directives, `...` end markers, or content after `---` on its line.
 */
function documentSegments(source: string): Iterable<Segment> | undefined {
  if (/^(?:%|\.\.\.(?:[ \t]|$))/m.test(source) || source.includes('\r')) return undefined;
  const re = /^---(?=[ \t\n]|$)/gm;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    const eol = source.indexOf('\n', m.index);
    const rest = source.slice(m.index + 3, eol < 0 ? source.length : eol).trim();
    if (rest !== '' && !rest.startsWith('#')) return undefined;
  }
  return segmentsOf(source);
}

/**
 * The segments of a stream whose markers documentSegments accepted, one at a time: a stream of
 * millions of empty documents is cut at the document bound without first listing them all.
 */
function* segmentsOf(source: string): Generator<Segment> {
  const re = /^---(?=[ \t\n]|$)/gm;
  const bodyOf = (start: number): number => {
    const eol = source.indexOf('\n', start);
    return eol < 0 ? source.length : eol + 1;
  };
  let marker = re.exec(source)?.index;
  if (marker !== 0) yield { start: 0, body: 0, end: marker ?? source.length, implicit: true };
  while (marker !== undefined) {
    const next = re.exec(source)?.index;
    yield { start: marker, body: bodyOf(marker), end: next ?? source.length, implicit: false };
    marker = next;
  }
}

/** Line starts of the whole text, as the `yaml` parser's LineCounter records them. */
function lineCounterOf(source: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/** One document the fast path left to the full parser, parsed on its own; offsets are shifted to the file's. */
function parseSegment(source: string, seg: Segment, ctx: DocContext, run: Run): 'document' | 'none' | 'stop' {
  const shifted = { linePos: (offset: number) => ctx.lc.linePos(offset + seg.start) } as LineCounter;
  const r = composeDocuments(source.slice(seg.start, seg.end), { ...ctx, lc: shifted }, run, seg.implicit);
  return r.stopped ? 'stop' : r.documents > 0 ? 'document' : 'none';
}

/** The whole text through the full parser (exported for the tests that compare it with the fast path). */
export function parseFull(source: string, file: string, limits: LoadLimits, count: DocumentCount): LoadResult & { warnings: InputWarning[] } {
  const run: Run = { limits, count, out: { documents: [], errors: [], warnings: [] } };
  composeDocuments(source, { file, docIndex: 0, lc: lineCounterOf(source) }, run, false);
  return run.out;
}

/**
 * The documents of `text` through the `yaml` package's full parser, numbered from `base.docIndex`;
 * `skipEmpty`: an empty document (comments before the first `---`) is no document.
 */
function composeDocuments(text: string, base: DocContext, run: Run, skipEmpty: boolean): { documents: number; stopped: boolean } {
  const composer = new Composer({ ...KUBE_YAML, prettyErrors: false, uniqueKeys: false });
  let prevEnd = 0;
  let n = 0;
  try {
    for (const doc of composer.compose(new Parser().parse(text), true, text.length)) {
      const start = isRecord(doc.contents) && Array.isArray(doc.contents.range) ? (doc.contents.range[0]) : doc.range[0];
      const helmSource = HELM_SOURCE.exec(text.slice(prevEnd, start))?.[1];
      prevEnd = doc.range[2];
      if (skipEmpty && doc.contents === null) continue;
      const ctx: DocContext = { file: base.file, docIndex: base.docIndex + n++, lc: base.lc, ...(helmSource ? { helmSource } : {}) };
      if (!loadDoc(ctx, doc, run.limits, run.count, run.out)) return { documents: n, stopped: true };
    }
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    const docIndex = base.docIndex + n;
    run.out.errors.push(docError({ file: base.file, docIndex, lc: base.lc }, 'yaml-syntax', prevEnd, `document ${String(docIndex)} is nested too deeply to parse; flatten it`));
    return { documents: n + 1, stopped: false };
  }
  return { documents: n, stopped: false };
}

/**
 * The first YAML syntax error of `text` as an input error naming file:line:column and never
 * quoting the text, or undefined. For files parsed elsewhere (waivers, profiles) that may hold
 * secrets: checked here first so that the parser's own message, which can quote the input, is never shown.
 */
export function yamlSyntaxError(text: string, file: string): InputError | undefined {
  const lc = new LineCounter();
  const composer = new Composer({ ...KUBE_YAML, prettyErrors: false, uniqueKeys: false });
  try {
    for (const doc of composer.compose(new Parser(lc.addNewLine).parse(text), true, text.length)) {
      const first = doc.errors[0];
      if (first) return docError({ file, docIndex: 0, lc }, 'yaml-syntax', first.pos[0], yamlErrorMessage(first.code));
    }
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return docError({ file, docIndex: 0, lc }, 'yaml-syntax', 0, 'nested too deeply to parse; flatten it');
  }
  return undefined;
}
