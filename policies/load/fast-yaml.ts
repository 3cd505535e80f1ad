/**
 * A fast path for the block YAML that Helm, kubectl and YAML libraries write: block mappings and
 * sequences (also the indentless `key:\n- item` form and compact `- key: v` items), single-line
 * plain, single- and double-quoted scalars, literal block scalars (`|`, `|-`, `|+`), flow `[]`, `{}`
 * and single-line flow sequences of scalars, comments. One pass over the lines builds the value and
 * the offset tree (positions.ts) directly, without the `yaml` package's token stream, syntax tree
 * and toJS (measured: most of `ward check`'s time on big inputs; bench/check.bench.ts).
 *
 * Anything else — anchors, aliases, tags, merge keys, multi-line plain or quoted scalars, folded
 * block scalars, indentation indicators, complex keys, tabs in indentation, CR line ends, non-string
 * keys — makes `fastDocument` return `undefined`, and the caller parses that document with the full
 * parser, which also reports every syntax error. The result is the same either way (value, key
 * order, offsets): test/unit/policies/fast-yaml.test.ts compares the two on the real OpenG2P render,
 * the check corpus and generated documents.
 *
 * Scalars resolve as Kubernetes reads YAML (YAML 1.1 through sigs.k8s.io/yaml; kube-yaml.ts): the
 * tests of the `yaml` package's yaml-1.1 schema in its order — null, bool, binary/octal/decimal/hex
 * int, .nan/.inf, exponent (with a mantissa, as go-yaml) and plain floats — without timestamps and
 * sexagesimals.
 */
import { FLOAT_EXP } from './kube-yaml.js';
import type { OffsetTree } from './positions.js';

/** Thrown (one instance, no stack) when a document leaves the fast subset. */
class NotInFastSubset extends Error {}
const BAIL = new NotInFastSubset('not in the fast subset');
const MAX_DEPTH = 200;

interface Line {
  /** Offset of the line's first character. */
  readonly start: number;
  /** Offset after the last character (before the newline). */
  readonly end: number;
  /** Column of the first non-space character (a line of spaces: its length). */
  indent: number;
  /** Offset of the first non-space character. */
  content: number;
  /** Blank, or a comment only. */
  readonly empty: boolean;
}

function bail(): never {
  throw BAIL;
}

// ---- scalars -------------------------------------------------------------------------------------

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const TRUE_RE = /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const FALSE_RE = /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const BIN_RE = /^[-+]?0b[0-1_]+$/;
const OCT_RE = /^[-+]?0[0-7_]+$/;
const INT_RE = /^[-+]?[0-9][0-9_]*$/;
const HEX_RE = /^[-+]?0x[0-9a-fA-F_]+$/;
const NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = FLOAT_EXP;
const FLOAT_RE = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
/** Plain scalars that can only be strings (the first character rules out every other tag). */
const SURELY_STRING = /^[a-eg-mp-su-xzA-EG-MP-SU-XZ_/$]/;

function int(s: string, offset: number, radix: number): number {
  const sign = s[0];
  const skip = sign === '-' || sign === '+' ? offset + 1 : offset;
  const n = parseInt(s.substring(skip).replace(/_/g, ''), radix);
  return sign === '-' ? -1 * n : n;
}

function resolveUncached(s: string): unknown {
  if (NULL_RE.test(s)) return null;
  if (TRUE_RE.test(s)) return true;
  if (FALSE_RE.test(s)) return false;
  if (BIN_RE.test(s)) return int(s, 2, 2);
  if (OCT_RE.test(s)) return int(s, 1, 8);
  if (INT_RE.test(s)) return int(s, 0, 10);
  if (HEX_RE.test(s)) return int(s, 2, 16);
  if (NAN_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s.replace(/_/g, ''));
  return s;
}

const resolved = new Map<string, unknown>();

/** A plain scalar's value (YAML 1.1 as Kubernetes reads it). */
export function resolvePlain(s: string): unknown {
  if (SURELY_STRING.test(s)) return s;
  let v = resolved.get(s);
  if (v === undefined && !resolved.has(s)) {
    v = resolveUncached(s);
    if (resolved.size > 50_000) resolved.clear();
    resolved.set(s, v);
  }
  return v;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const HEX_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/** A double-quoted scalar on one line starting at `at` (the quote): its value and the offset after it. */
function doubleQuoted(src: string, at: number, end: number): { value: string; next: number } {
  let out = '';
  let i = at + 1;
  let run = i;
  while (i < end) {
    const c = src.charCodeAt(i);
    if (c === 34) return { value: out + src.slice(run, i), next: i + 1 };
    if (c !== 92) {
      i++;
      continue;
    }
    out += src.slice(run, i);
    const e = src[i + 1] ?? bail();
    const hex = HEX_LENGTH[e];
    if (hex !== undefined) {
      const digits = src.slice(i + 2, i + 2 + hex);
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) bail();
      out += String.fromCodePoint(parseInt(digits, 16));
      i += 2 + hex;
    } else {
      out += ESCAPES[e] ?? bail();
      i += 2;
    }
    run = i;
  }
  return bail();
}

function singleQuoted(src: string, at: number, end: number): { value: string; next: number } {
  let out = '';
  let i = at + 1;
  for (;;) {
    const q = find(src, 39, i, end);
    if (q < 0) bail();
    out += src.slice(i, q);
    if (src.charCodeAt(q + 1) === 39) {
      out += "'";
      i = q + 2;
      continue;
    }
    return { value: out, next: q + 1 };
  }
}

/** After a scalar on its line: only spaces and a comment may follow. */
function restIsEmpty(src: string, from: number, end: number): boolean {
  let i = from;
  while (i < end && src.charCodeAt(i) === 32) i++;
  return i === end || (src.charCodeAt(i) === 35 && i > from);
}

/** Where a plain scalar starting at `at` ends on its line (a ` #` comment or the line end), trailing spaces trimmed. */
function plainEnd(src: string, at: number, end: number): number {
  const stop = commentAt(src, at, end);
  return trimEnd(src, at, stop);
}

/** The offset of character code `ch` in `src[from, end)`, or -1 (indexOf would search past the line). */
function find(src: string, ch: number, from: number, end: number): number {
  for (let k = from; k < end; k++) if (src.charCodeAt(k) === ch) return k;
  return -1;
}

/** Where a ` #` or tab-`#` comment starts in `src[at, end)`, or `end`. */
function commentAt(src: string, at: number, end: number): number {
  for (let k = find(src, 35, at + 1, end); k >= 0; k = find(src, 35, k + 1, end)) {
    const b = src.charCodeAt(k - 1);
    if (b === 32 || b === 9) return k - 1;
  }
  return end;
}

function trimEnd(src: string, at: number, end: number): number {
  let stop = end;
  while (stop > at && (src.charCodeAt(stop - 1) === 32 || src.charCodeAt(stop - 1) === 9)) stop--;
  return stop;
}

/** A double- or single-quoted scalar at `p` (its quote) on one line. */
function quoted(src: string, p: number, end: number): { value: string; next: number } {
  return src.charCodeAt(p) === 34 ? doubleQuoted(src, p, end) : singleQuoted(src, p, end);
}

/** The `:` after a quoted key at `p`, or -1 (a quoted scalar that is no key). */
function quotedKeyColon(src: string, p: number, end: number): number {
  const k = skipSpaces(src, quoted(src, p, end).next, end);
  return src.charCodeAt(k) === 58 && (k + 1 === end || src.charCodeAt(k + 1) === 32) ? k : -1;
}

/** A plain scalar in block context at `p` (first character `c`), up to its comment or the line end. */
function blockPlain(src: string, p: number, end: number): unknown {
  const c = src[p]!;
  if (NOT_PLAIN_START.has(c) && !((c === '-' || c === '?' || c === ':') && p + 1 < end && src.charCodeAt(p + 1) !== 32)) bail();
  const text = src.slice(p, plainEnd(src, p, end));
  if (text.includes(': ') || text.endsWith(':') || text.includes('\t')) bail();
  return resolvePlain(text);
}

/** Where a plain scalar inside a flow collection, starting at `p`, ends. */
function flowPlainEnd(src: string, p: number, end: number): number {
  let k = p;
  for (; k < end; k++) {
    const ch = src.charCodeAt(k);
    if (FLOW_STOP.has(ch)) break;
    if (ch === 58 && (src.charCodeAt(k + 1) === 32 || FLOW_STOP.has(src.charCodeAt(k + 1)))) bail(); // a nested pair
    const before = src.charCodeAt(k - 1);
    if (ch === 35 && (before === 32 || before === 9)) bail(); // a comment inside the collection
    if (ch === 9) bail();
  }
  return k;
}

/** Characters that end a plain scalar inside a flow collection: `,` `[` `]` `{` `}`. */
const FLOW_STOP = new Set([44, 91, 93, 123, 125]);

/**
 * A key as the object key toJS makes of it (a number or boolean key becomes its String(), as in the
 * `yaml` package's stringifyKey and in positions.ts); merge keys, `__proto__` and null keys are left
 * to the full parser.
 */
function keyString(key: unknown): string {
  if (typeof key === 'number' || typeof key === 'boolean') return String(key);
  if (typeof key !== 'string' || key === '<<' || key === '__proto__') bail();
  return key;
}

function skipSpaces(src: string, from: number, end: number): number {
  let k = from;
  while (k < end && src.charCodeAt(k) === 32) k++;
  return k;
}

/** Characters that cannot start a plain scalar (or start one only in forms left to the full parser). */
const NOT_PLAIN_START = new Set('-?:,[]{}#&*!|>\'"%@`');

// ---- the parser ------------------------------------------------------------------------------------

interface Node {
  readonly value: unknown;
  readonly tree: OffsetTree;
}

/** A collection's tree with its offset replaced (a map value's tree starts at its key). */
const at = (tree: OffsetTree, offset: number): OffsetTree => (typeof tree === 'number' ? offset : { ...tree, at: offset });

/**
 * Recursive descent over the lines. Every node method is entered with `this.i` at the node's first
 * line and returns with `this.i` at the last line it consumed.
 */
class FastParser {
  private i = 0;

  constructor(private readonly src: string, private readonly lines: Line[]) {}

  /** The next line with content at or after line `from`, or undefined. */
  private nextContent(from: number): number | undefined {
    for (let k = from; k < this.lines.length; k++) if (!this.lines[k]!.empty) return k;
    return undefined;
  }

  document(): Node | null {
    const first = this.nextContent(0);
    if (first === undefined) return null;
    this.i = first;
    const node = this.block(this.lines[first]!.indent, 0, -1);
    if (this.nextContent(this.i + 1) !== undefined) bail(); // something left over: the full parser says what
    return node;
  }

  private dashAt(p: number, end: number): boolean {
    return this.src.charCodeAt(p) === 45 && (p + 1 === end || this.src.charCodeAt(p + 1) === 32);
  }

  private startsSequence(line: Line): boolean {
    return this.dashAt(line.content, line.end);
  }

  /** A block node at `indent` whose parent is at `parentIndent` (-1 for the document). */
  private block(indent: number, depth: number, parentIndent: number): Node {
    if (depth > MAX_DEPTH) bail();
    const line = this.lines[this.i]!;
    if (this.startsSequence(line)) return this.sequence(indent, depth);
    if (this.keyColon(line.content, line.end) >= 0) return this.mapping(indent, depth);
    const c = line.content < line.end ? this.src[line.content] : undefined;
    if (parentIndent >= 0 && (c === '[' || c === '{' || c === '"' || c === "'")) return this.inline(line, line.content, parentIndent); // `key:\n  {}`
    return bail(); // a plain scalar alone on its line (possibly multi-line)
  }

  /** Offset of the `:` that ends a key starting at `p`, or -1 when the line is no mapping entry. */
  private keyColon(p: number, end: number): number {
    const src = this.src;
    const c = src[p];
    if (c === undefined) return -1;
    if (c === '"' || c === "'") return quotedKeyColon(src, p, end);
    if (NOT_PLAIN_START.has(c)) return -1;
    const hash = commentAt(src, p, end);
    for (let k = find(src, 58, p, end); k >= 0; k = find(src, 58, k + 1, end)) {
      if (hash < k) return -1;
      const n = src.charCodeAt(k + 1);
      if (k + 1 === end || n === 32) return k;
      if (n === 9) bail();
    }
    return -1;
  }

  private key(p: number, colon: number): string {
    const src = this.src;
    const c = src[p];
    let key: unknown;
    if (c === '"' || c === "'") key = quoted(src, p, colon).value;
    else {
      let e = colon;
      while (e > p && src.charCodeAt(e - 1) === 32) e--;
      key = resolvePlain(src.slice(p, e));
    }
    return keyString(key);
  }

  private mapping(indent: number, depth: number): Node {
    const value: Record<string, unknown> = {};
    const keys: Record<string, OffsetTree> = Object.create(null) as Record<string, OffsetTree>;
    const start = this.lines[this.i]!.content;
    for (;;) {
      const line = this.lines[this.i]!;
      const colon = this.keyColon(line.content, line.end);
      if (colon < 0) bail();
      const keyAt = line.content;
      const key = this.key(keyAt, colon);
      const v = this.entryValue(line, colon + 1, indent, keyAt, depth);
      value[key] = v.value;
      keys[key] = v.tree;
      const next = this.nextContent(this.i + 1);
      if (next === undefined) break;
      const nl = this.lines[next]!;
      if (nl.indent < indent) break;
      if (nl.indent > indent || this.startsSequence(nl)) bail();
      this.i = next;
    }
    return { value, tree: { at: start, keys } };
  }

  /** The value after a key's `:`: inline, or the block on the lines below (more indented, or an indentless sequence), or null. */
  private entryValue(line: Line, from: number, indent: number, keyAt: number, depth: number): Node {
    const src = this.src;
    let p = from;
    while (p < line.end && src.charCodeAt(p) === 32) p++;
    if (p < line.end && src.charCodeAt(p) !== 35) {
      const v = this.inline(line, p, indent);
      return { value: v.value, tree: at(v.tree, keyAt) };
    }
    const next = this.nextContent(this.i + 1);
    const nl = next === undefined ? undefined : this.lines[next];
    if (nl && (nl.indent > indent || (nl.indent === indent && this.startsSequence(nl)))) {
      this.i = next!;
      const node = nl.indent > indent ? this.block(nl.indent, depth + 1, indent) : this.sequence(indent, depth + 1);
      return { value: node.value, tree: at(node.tree, keyAt) };
    }
    return { value: null, tree: keyAt };
  }

  private sequence(indent: number, depth: number): Node {
    if (depth > MAX_DEPTH) bail();
    const value: unknown[] = [];
    const items: OffsetTree[] = [];
    const start = this.lines[this.i]!.content;
    for (;;) {
      const line = this.lines[this.i]!;
      if (line.indent !== indent || !this.startsSequence(line)) bail();
      const item = this.item(line, indent, depth);
      value.push(item.value);
      items.push(item.tree);
      const next = this.nextContent(this.i + 1);
      if (next === undefined) break;
      const nl = this.lines[next]!;
      if (nl.indent < indent || (nl.indent === indent && !this.startsSequence(nl))) break;
      if (nl.indent > indent) bail();
      this.i = next;
    }
    return { value, tree: { at: start, items } };
  }

  private item(line: Line, indent: number, depth: number): Node {
    const src = this.src;
    let p = line.content + 1;
    while (p < line.end && src.charCodeAt(p) === 32) p++;
    if (p === line.end || src.charCodeAt(p) === 35) {
      // `-` alone: the item is the block below; a null item is left to the full parser.
      const next = this.nextContent(this.i + 1);
      const nl = next === undefined ? undefined : this.lines[next];
      if (!nl || nl.indent <= indent) bail();
      this.i = next!;
      return this.block(nl.indent, depth + 1, indent);
    }
    if (this.dashAt(p, line.end)) bail(); // `- - x`
    if (this.keyColon(p, line.end) >= 0) {
      // A compact mapping: its indentation is the column of its first key.
      line.indent = p - line.start;
      line.content = p;
      return this.mapping(line.indent, depth + 1);
    }
    const v = this.inline(line, p, indent);
    return { value: v.value, tree: at(v.tree, p) };
  }

  /** A value on the same line as its key or dash, at `p`; a more indented next line (a continuation) is left to the full parser. */
  private inline(line: Line, p: number, ownerIndent: number): Node {
    const src = this.src;
    const c = src[p]!;
    if (c === '|') return { value: this.literal(line, p, ownerIndent), tree: p };
    let node: Node;
    if (c === '"' || c === "'" || c === '[' || c === '{') {
      const q = c === '[' || c === '{' ? this.flow(p, line.end, 0) : { ...quoted(src, p, line.end), tree: p };
      if (!restIsEmpty(src, q.next, line.end)) bail();
      node = { value: q.value, tree: q.tree };
    } else {
      node = { value: blockPlain(src, p, line.end), tree: p };
    }
    const next = this.nextContent(this.i + 1);
    if (next !== undefined && this.lines[next]!.indent > ownerIndent) bail();
    return node;
  }

  /** A flow collection (`[...]`, `{...}`) that opens at `p` and closes on the same line; the offset after it. */
  private flow(p: number, end: number, depth: number): Node & { next: number } {
    if (depth > MAX_DEPTH) bail();
    const src = this.src;
    const isSeq = src.charCodeAt(p) === 91;
    const close = isSeq ? 93 : 125;
    const value: unknown[] | Record<string, unknown> = isSeq ? [] : {};
    const items: OffsetTree[] = [];
    const keys: Record<string, OffsetTree> = Object.create(null) as Record<string, OffsetTree>;
    let k = skipSpaces(src, p + 1, end);
    if (src.charCodeAt(k) === close) return { value, tree: isSeq ? { at: p, items } : { at: p, keys }, next: k + 1 };
    for (;;) {
      if (isSeq) {
        const v = this.flowValue(k, end, depth);
        (value as unknown[]).push(v.value);
        items.push(v.tree);
        k = v.next;
      } else {
        const keyAt = k;
        const key = this.flowKey(k, end);
        const v = this.flowValue(skipSpaces(src, key.next, end), end, depth);
        (value as Record<string, unknown>)[key.key] = v.value;
        keys[key.key] = at(v.tree, keyAt);
        k = v.next;
      }
      k = skipSpaces(src, k, end);
      const c = src.charCodeAt(k);
      if (c === close) return { value, tree: isSeq ? { at: p, items } : { at: p, keys }, next: k + 1 };
      if (c !== 44) bail();
      k = skipSpaces(src, k + 1, end);
      if (src.charCodeAt(k) === close) bail(); // a trailing comma: left to the full parser
    }
  }

  /** A flow mapping key at `p` and the offset after its `:`. */
  private flowKey(p: number, end: number): { key: string; next: number } {
    const src = this.src;
    const c = src[p];
    let key: unknown;
    let k: number;
    if (c === '"' || c === "'") {
      const q = quoted(src, p, end);
      key = q.value;
      k = skipSpaces(src, q.next, end);
      if (src.charCodeAt(k) !== 58) bail();
      k++;
    } else {
      if (c === undefined || NOT_PLAIN_START.has(c)) bail();
      k = p;
      while (k < end && !FLOW_STOP.has(src.charCodeAt(k)) && !(src.charCodeAt(k) === 58 && src.charCodeAt(k + 1) === 32)) k++;
      if (src.charCodeAt(k) !== 58) bail(); // `{a}`, `{a, b}`: implicit null values
      key = resolvePlain(src.slice(p, trimEnd(src, p, k)));
      k++;
    }
    return { key: keyString(key), next: k };
  }

  /** A flow node (collection, quoted or plain scalar) at `p`. */
  private flowValue(p: number, end: number, depth: number): Node & { next: number } {
    const src = this.src;
    const c = src[p];
    if (c === '[' || c === '{') return this.flow(p, end, depth + 1);
    if (c === '"' || c === "'") return { ...quoted(src, p, end), tree: p };
    if (c === undefined || NOT_PLAIN_START.has(c)) bail();
    const k = flowPlainEnd(src, p, end);
    const text = src.slice(p, trimEnd(src, p, k));
    if (text === '') bail();
    return { value: resolvePlain(text), tree: p, next: k };
  }

  /** A literal block scalar (`|`, `|-`, `|+`) whose header is at `p`; leaves `this.i` at its last content line. */
  private literal(line: Line, p: number, ownerIndent: number): string {
    const src = this.src;
    const c1 = src[p + 1];
    const chomp = c1 === '-' || c1 === '+' ? c1 : '';
    const afterHeader = p + 1 + chomp.length;
    if (chomp === '+') bail(); // keep: trailing-line edge cases left to the full parser
    if (afterHeader < line.end && src.charCodeAt(afterHeader) !== 32) bail(); // an indentation indicator, or junk
    if (!restIsEmpty(src, afterHeader, line.end)) bail();
    const body = this.literalLines(ownerIndent);
    return chomp === '-' ? body : `${body}\n`;
  }

  /** The lines of a literal block scalar after its header line, joined; `this.i` ends at the last content line. */
  private literalLines(ownerIndent: number): string {
    let content = -1;
    let last = this.i;
    const texts: string[] = [];
    let blanks = 0;
    let leadingBlank = 0;
    for (let k = this.i + 1; k < this.lines.length; k++) {
      const l = this.lines[k]!;
      if (l.content === l.end) {
        // A line of spaces only: empty, unless it has more spaces than the content indentation.
        if (content < 0) leadingBlank = Math.max(leadingBlank, l.end - l.start);
        else if (l.end - l.start > content) bail();
        blanks++;
        continue;
      }
      if (content < 0) {
        if (l.indent <= ownerIndent) break;
        if (leadingBlank > l.indent) bail();
        content = l.indent;
      } else if (l.indent < content) {
        if (l.indent > ownerIndent) bail();
        break;
      }
      for (; blanks > 0; blanks--) texts.push('');
      texts.push(this.src.slice(l.start + content, l.end));
      last = k;
    }
    if (content < 0) bail(); // an empty block scalar: left to the full parser
    this.i = last;
    return texts.join('\n');
  }
}

/** The lines of `src[start, end)`; undefined when a tab indents a line or a CR ends one. */
function linesOf(src: string, start: number, end: number): Line[] | undefined {
  const lines: Line[] = [];
  let s = start;
  while (s < end) {
    let e = src.indexOf('\n', s);
    if (e < 0 || e > end) e = end;
    let c = s;
    while (c < e && src.charCodeAt(c) === 32) c++;
    const ch = src.charCodeAt(c);
    if (ch === 9 || src.charCodeAt(e - 1) === 13) return undefined;
    lines.push({ start: s, end: e, indent: c - s, content: c, empty: c === e || ch === 35 });
    s = e + 1;
  }
  return lines;
}

/**
 * The value and offset tree of the document in `src[start, end)` (after its `---` line), null for
 * an empty or comment-only document, or undefined when it is not in the fast subset.
 */
export function fastDocument(src: string, start: number, end: number): { value: unknown; root: OffsetTree; contentStart: number } | null | undefined {
  const lines = linesOf(src, start, end);
  if (!lines) return undefined;
  try {
    const doc = new FastParser(src, lines).document();
    if (!doc) return null;
    return { value: doc.value, root: doc.tree, contentStart: typeof doc.tree === 'number' ? doc.tree : doc.tree.at };
  } catch (err) {
    if (err === BAIL) return undefined;
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
