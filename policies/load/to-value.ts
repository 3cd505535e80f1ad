/**
 * A composed YAML document as a plain value, the one way every reader of ward turns YAML into data
 * (manifests, specs, waivers, profiles, kubeconfigs). Two inputs the yaml library would accept
 * silently or with a stack trace are refused with the offset of the node at fault, never its text:
 *
 * - a mapping key that is a collection (`? [a, b]`, `{x: 1}: y`): Kubernetes reads YAML as JSON
 *   through sigs.k8s.io/yaml, whose JSON conversion takes string, number and boolean keys only, so
 *   the API server refuses the document; the yaml library would stringify the key and print a Node
 *   warning on stderr;
 * - more alias expansions than the bound (the "billion laughs" alias bomb): the yaml library throws
 *   a ReferenceError; here it is an `alias-limit` problem at the first alias of the document.
 */
import { isCollection, visit, type Document, type Node } from 'yaml';

/** Why a document has no value, and where (an offset into the text). Never quotes the input. */
export interface ValueProblem {
  readonly code: 'alias-limit' | 'yaml-syntax';
  readonly offset: number;
  readonly message: string;
}

function startOf(node: unknown, fallback: number): number {
  const range = (node as Node | null | undefined)?.range;
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : fallback;
}

/** The offset of the first mapping key that is a collection, or undefined. */
function collectionKey(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Pair(_key, pair) {
      if (!isCollection(pair.key)) return undefined;
      found = startOf(pair.key, 0);
      return visit.BREAK;
    },
  });
  return found;
}

/** The offset of the first alias in the document, or undefined when it holds none. */
function firstAlias(doc: Document): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      found = startOf(node, 0);
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * The document's value, or the problem that keeps it from having one. `maxAliasCount` bounds the
 * expansion of aliases as yaml's option of that name does.
 */
export function documentValue(doc: Document, maxAliasCount: number): { value: unknown } | ValueProblem {
  const key = collectionKey(doc);
  if (key !== undefined) {
    return { code: 'yaml-syntax', offset: key, message: 'a mapping key is a list or a mapping; Kubernetes reads YAML as JSON, whose keys are strings' };
  }
  try {
    return { value: doc.toJS({ maxAliasCount }) };
  } catch (err) {
    const alias = err instanceof ReferenceError || (err instanceof Error && /alias/i.test(err.message));
    const at = alias ? firstAlias(doc) : undefined;
    if (at !== undefined) {
      return { code: 'alias-limit', offset: at, message: `its aliases expand more than ${String(maxAliasCount)} times (a YAML alias bomb?); write the values out or remove the aliases` };
    }
    return { code: 'yaml-syntax', offset: startOf(doc.contents, 0), message: 'it cannot be converted to a value (nesting too deep?)' };
  }
}
