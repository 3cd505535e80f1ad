/**
 * Parses YAML/JSON text into Kubernetes objects with source positions. Multi-document streams,
 * `List` objects, Helm renders (`# Source:` comments) and kustomize output. Every problem is
 * returned as an InputError with file:line; one bad document never hides the others.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { isRecord, type KubeObject } from '../../charts-src/kube.js';
import type { SourceLocation } from '../types.js';
import { redactSecret } from './secrets.js';
import { DEFAULT_LIMITS, type FieldPath, type InputError, type LoadLimits, type LoadResult, type LoadedDocument } from './types.js';

type Doc = Document.Parsed;

const HELM_SOURCE = /^#\s*Source:\s*(\S.*?)\s*$/m;

interface DocContext {
  readonly doc: Doc;
  readonly file: string;
  readonly docIndex: number;
  readonly lc: LineCounter;
  readonly helmSource?: string;
}

function position(lc: LineCounter, offset: number): { line: number; column: number } {
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

function rangeStart(node: unknown): number | undefined {
  const range = isRecord(node) ? node.range : undefined;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : undefined;
}

const sameKey = (key: unknown, segment: string | number | undefined): boolean => key === segment || (typeof key === 'number' && String(key) === segment);

/**
 * Offset of the key of `path`'s last segment (for map entries) or of the node itself (sequence items).
 * Map keys compare as strings: YAML reads `9187:` (a portLevelMtls port) as a number, the object key is "9187".
 */
function keyOffset(doc: Doc, path: FieldPath): number | undefined {
  const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((p) => sameKey(isScalar(p.key) ? p.key.value : p.key, last));
    return rangeStart(pair?.key);
  }
  return rangeStart(doc.getIn(path, true));
}

function nodeOffset(doc: Doc, path: FieldPath): number | undefined {
  for (let n = path.length; n > 0; n--) {
    const offset = keyOffset(doc, path.slice(0, n));
    if (offset !== undefined) return offset;
  }
  return rangeStart(doc.contents);
}

function makeLocator(ctx: DocContext, prefix: FieldPath): (path: FieldPath) => SourceLocation {
  return (path) => {
    const offset = nodeOffset(ctx.doc, [...prefix, ...path]) ?? 0;
    const loc = { file: ctx.file, ...position(ctx.lc, offset) };
    return ctx.helmSource ? { ...loc, helmSource: ctx.helmSource } : loc;
  };
}

function objectError(ctx: DocContext, line: number, column: number, what: string): InputError {
  return { code: 'not-an-object', file: ctx.file, line, column, message: `${ctx.file}:${String(line)}: document ${String(ctx.docIndex)} ${what}; expected a Kubernetes object with apiVersion, kind and metadata.name` };
}

/** A bare RegistryDeployment spec (`ward synth -f` input) given to the checker: its components say which workloads hold personal data. */
function asRegistryDeployment(spec: Record<string, unknown>, file: string): Record<string, unknown> {
  const namespace = typeof spec.namespace === 'string' ? spec.namespace : undefined;
  return { apiVersion: 'ward.g2p.dev/v1alpha1', kind: 'RegistryDeployment', metadata: { name: `spec:${file}`, ...(namespace ? { namespace } : {}) }, spec };
}

function toDocument(ctx: DocContext, input: unknown, prefix: FieldPath): LoadedDocument | InputError {
  const locate = makeLocator(ctx, prefix);
  const at = locate([]);
  if (!isRecord(input)) return objectError(ctx, at.line, at.column, 'is not a mapping');
  const value = input.apiVersion === undefined && input.kind === undefined && Array.isArray(input.components) ? asRegistryDeployment(input, ctx.file) : input;
  if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') return objectError(ctx, at.line, at.column, 'has no apiVersion or kind');
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : typeof meta.generateName === 'string' ? meta.generateName : '(unnamed)';
  let object = { ...value, metadata: { ...meta, name } } as KubeObject;
  let secretFacts;
  if (object.kind === 'Secret') ({ object, facts: secretFacts } = redactSecret(object));
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

function toJs(ctx: DocContext, limits: LoadLimits): { value: unknown } | InputError {
  try {
    return { value: ctx.doc.toJS({ maxAliasCount: limits.maxAliasCount }) };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const alias = /alias/i.test(msg);
    return docError(ctx, alias ? 'alias-limit' : 'yaml-syntax', ctx.doc.range[0],
      alias ? `document ${String(ctx.docIndex)} expands more than ${String(limits.maxAliasCount)} aliases (a YAML alias bomb?); remove the aliases or split the document` : msg);
  }
}

function loadDoc(ctx: DocContext, limits: LoadLimits, out: LoadResult): void {
  const { doc } = ctx;
  const first = doc.errors[0];
  if (first) {
    out.errors.push(docError(ctx, 'yaml-syntax', first.pos[0], `YAML syntax error: ${first.message.split('\n')[0] ?? ''}`));
    return;
  }
  if (doc.contents === null) return;
  const size = doc.range[1] - doc.range[0];
  if (size > limits.maxDocumentBytes) {
    out.errors.push(docError(ctx, 'document-too-large', doc.range[0], `document ${String(ctx.docIndex)} is ${String(size)} bytes, over the bound of ${String(limits.maxDocumentBytes)}; split it`));
    return;
  }
  const js = toJs(ctx, limits);
  if ('code' in js) return void out.errors.push(js);
  const value = js.value;
  const items = isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? value.items : undefined;
  const results = items ? items.map((item, i) => toDocument(ctx, item, ['items', i])) : [toDocument(ctx, value, [])];
  for (const r of results) {
    if ('code' in r) out.errors.push(r);
    else out.documents.push(r);
  }
}

/** Parses one file's text. `file` is the name used in locations (`-` or `<stdin>` for stdin). */
export function parseText(text: string, file: string, limits: LoadLimits = DEFAULT_LIMITS): LoadResult {
  const out: LoadResult = { documents: [], errors: [] };
  const lc = new LineCounter();
  const docs = parseAllDocuments(text.startsWith('\uFEFF') ? text.slice(1) : text, { lineCounter: lc, prettyErrors: false, uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [];
  let prevEnd = 0;
  list.forEach((doc, docIndex) => {
    const start = isRecord(doc.contents) && Array.isArray(doc.contents.range) ? (doc.contents.range[0]) : doc.range[0];
    const helmSource = HELM_SOURCE.exec(text.slice(prevEnd, start))?.[1];
    prevEnd = doc.range[2];
    loadDoc({ doc, file, docIndex, lc, ...(helmSource ? { helmSource } : {}) }, limits, out);
  });
  return out;
}
