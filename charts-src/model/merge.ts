import { isRecord } from '../kube.js';
import { describeValue, IssueCode, type SpecIssue } from './issues.js';
import { presets } from './presets/index.js';

type Path = readonly (string | number)[];
/**
 * Where each entry of the merged `components` and `flows` lists came from: the index in the spec as
 * written, or undefined for an entry the preset alone supplies. Issue paths are mapped back with it.
 */
export interface MergeOrigin {
  readonly components: readonly (number | undefined)[];
  readonly flows: readonly (number | undefined)[];
}

type MergeResult = { readonly ok: true; readonly value: unknown; readonly origin?: MergeOrigin } | { readonly ok: false; readonly issues: readonly SpecIssue[] };

function named(list: unknown): Record<string, unknown>[] {
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** Mappings that are values, not structure: a stated label selector replaces the preset's whole. */
const WHOLE_VALUES = new Set(['selector']);

/** Mappings merge field by field, recursively; anything else stated (scalars, lists, selectors) replaces. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (!isRecord(base) || !isRecord(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = WHOLE_VALUES.has(k) ? v : deepMerge(base[k], v);
  return out;
}

/** Components merge by name: a component stated in the spec replaces the preset's fields it states (mappings field by field). */
function mergeComponents(base: unknown, over: unknown): { list: unknown[]; origin: (number | undefined)[] } {
  const list: unknown[] = named(base).map((c) => ({ ...c }));
  const origin: (number | undefined)[] = list.map(() => undefined);
  (Array.isArray(over) ? over : []).forEach((c: unknown, j) => {
    const i = isRecord(c) ? list.findIndex((b) => isRecord(b) && b.name === c.name) : -1;
    if (i >= 0) {
      list[i] = deepMerge(list[i], c);
      origin[i] = j;
    } else {
      list.push(c);
      origin.push(j);
    }
  });
  return { list, origin };
}

function flowKey(f: Record<string, unknown>): string {
  return JSON.stringify([f.from, f.to]);
}

/** Flows merge by (from, to): a flow stated in the spec replaces the preset's flow between the same ends. */
function mergeFlows(base: unknown, over: unknown): { list: unknown[]; origin: (number | undefined)[] } {
  const overList: unknown[] = Array.isArray(over) ? over : [];
  const stated = new Set(named(overList).map(flowKey));
  const kept = named(base).filter((f) => !stated.has(flowKey(f)));
  return { list: [...kept, ...overList], origin: [...kept.map(() => undefined), ...overList.map((_, j) => j)] };
}

/**
 * Applies the spec's `preset` (if any): the preset is built for the spec's release and namespace,
 * then everything the spec states overrides it: mappings (e.g. keyManager) field by field, lists and
 * scalars as a whole, components by name, flows by their two ends. Pure.
 */
export function mergePreset(body: unknown, prefix: Path): MergeResult {
  if (!isRecord(body) || body.preset === undefined) return { ok: true, value: body };
  const build = typeof body.preset === 'string' ? presets[body.preset] : undefined;
  if (!build) {
    return {
      ok: false,
      issues: [{ code: IssueCode.UnknownPreset, path: [...prefix, 'preset'], message: `unknown preset ${JSON.stringify(body.preset)}: must be one of ${Object.keys(presets).join(', ')}` }],
    };
  }
  // The preset's lists merge with the spec's by name or ends; a stated value that is no list would
  // be dropped by the merge and the preset's list taken silently, so it is refused here.
  const notLists = (['components', 'flows'] as const).filter((k) => body[k] !== undefined && !Array.isArray(body[k]));
  if (notLists.length > 0) {
    return { ok: false, issues: notLists.map((k) => ({ code: IssueCode.InvalidValue, path: [...prefix, k], message: `expected a list, got ${describeValue(body[k])}` })) };
  }
  const release = typeof body.release === 'string' ? body.release : 'openg2p';
  const namespace = typeof body.namespace === 'string' ? body.namespace : release;
  const base = build(release, namespace) as Record<string, unknown>;
  const components = mergeComponents(base.components, body.components);
  const flows = mergeFlows(base.flows, body.flows);
  return {
    ok: true,
    value: { ...(deepMerge(base, body) as Record<string, unknown>), components: components.list, flows: flows.list },
    origin: { components: components.origin, flows: flows.origin },
  };
}
