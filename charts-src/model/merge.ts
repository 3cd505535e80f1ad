import { IssueCode, type SpecIssue } from './issues.js';
import { presets } from './presets/index.js';

type Path = readonly (string | number)[];
type MergeResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly issues: readonly SpecIssue[] };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function named(list: unknown): Record<string, unknown>[] {
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

/** Components merge by name: a component stated in the spec replaces the preset's fields it states. */
function mergeComponents(base: unknown, over: unknown): unknown[] {
  const out = named(base).map((c) => ({ ...c }));
  for (const c of Array.isArray(over) ? over : []) {
    const i = isRecord(c) ? out.findIndex((b) => b.name === c.name) : -1;
    if (i >= 0 && isRecord(c)) out[i] = { ...out[i], ...c };
    else out.push(c as Record<string, unknown>);
  }
  return out;
}

function flowKey(f: Record<string, unknown>): string {
  return JSON.stringify([f.from, f.to]);
}

/** Flows merge by (from, to): a flow stated in the spec replaces the preset's flow between the same ends. */
function mergeFlows(base: unknown, over: unknown): unknown[] {
  const overList = Array.isArray(over) ? over : [];
  const stated = new Set(named(overList).map(flowKey));
  return [...named(base).filter((f) => !stated.has(flowKey(f))), ...(overList as unknown[])];
}

/**
 * Applies the spec's `preset` (if any): the preset is built for the spec's release and namespace,
 * then everything the spec states overrides it. Pure.
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
  const release = typeof body.release === 'string' ? body.release : 'openg2p';
  const namespace = typeof body.namespace === 'string' ? body.namespace : release;
  const base = build(release, namespace) as Record<string, unknown>;
  return {
    ok: true,
    value: {
      ...base,
      ...body,
      components: mergeComponents(base.components, body.components),
      flows: mergeFlows(base.flows, body.flows),
    },
  };
}
