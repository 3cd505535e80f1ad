/**
 * Where each field of a document starts, kept instead of the YAML syntax tree: a tree of offsets
 * built once per document, whose leaves are plain numbers. A map entry is found at its key, a
 * sequence item at the item; a path that leaves the tree points at its deepest existing field.
 */
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { FieldPath } from './types.js';

/** An offset (a scalar, an alias or an empty value) or a collection with the offsets of its fields. */
export type OffsetTree = number | OffsetBranch;

interface OffsetBranch {
  readonly at: number;
  /** Map entries by key (keys compare as strings: `9187:` is the object key "9187"). */
  readonly keys?: Record<string, OffsetTree>;
  readonly items?: OffsetTree[];
}

/** The offset tree of a document, and the path of the object inside it (a List item). */
export interface Positions {
  readonly root: OffsetTree;
  readonly prefix: FieldPath;
}

/** Beyond this depth fields point at their ancestor (the yaml parser bounds depth before this). */
const MAX_DEPTH = 256;

function startOf(node: unknown, fallback: number): number {
  const range = (node as { range?: unknown } | null)?.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : fallback;
}

function tree(node: unknown, at: number, depth: number): OffsetTree {
  if (depth > MAX_DEPTH || isScalar(node) || isAlias(node)) return at;
  if (isMap(node)) {
    const keys: Record<string, OffsetTree> = Object.create(null) as Record<string, OffsetTree>;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const keyAt = startOf(pair.key, at);
      keys[String(pair.key.value)] = pair.value ? tree(pair.value, keyAt, depth + 1) : keyAt;
    }
    return { at, keys };
  }
  if (isSeq(node)) return { at, items: node.items.map((item) => tree(item, startOf(item, at), depth + 1)) };
  return at;
}

/** The offset tree of a document's contents. */
export function positionsOf(contents: unknown): Positions {
  return { root: tree(contents, startOf(contents, 0), 0), prefix: [] };
}

function child(t: OffsetTree, segment: string | number): OffsetTree | undefined {
  if (typeof t === 'number') return undefined;
  if (t.keys) return t.keys[String(segment)];
  const i = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
  return t.items?.[i];
}

const offsetOf = (t: OffsetTree): number => (typeof t === 'number' ? t : t.at);

/** Offset of `path` inside the object (its deepest existing field). */
export function locateIn(p: Positions, path: FieldPath): number {
  let t = p.root;
  for (const segment of [...p.prefix, ...path]) {
    const next = child(t, segment);
    if (next === undefined) break;
    t = next;
  }
  return offsetOf(t);
}
