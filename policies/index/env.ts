/**
 * The environment of a container as the rules need it: each variable with its literal value (from
 * `value`, or resolved through a ConfigMap in the input) or where it comes from (a Secret).
 */
import { rec, recs, str, text } from './access.js';
import type { ObjectIndex } from './object-index.js';
import type { ContainerEntry, Workload } from './workloads.js';
import type { FieldPath } from '../load/types.js';

export interface EnvEntry {
  readonly name: string;
  /** Literal value (from `value` or a ConfigMap); undefined for Secret references and unresolved ConfigMaps. */
  readonly value?: string;
  readonly source: 'literal' | 'configMap' | 'secret' | 'other';
  /** Where to point a finding. */
  readonly path: FieldPath;
}

function configMapValue(index: ObjectIndex, ns: string, name: string | undefined, key: string | undefined): string | undefined {
  if (!name || key === undefined) return undefined;
  const cm = index.get('ConfigMap', ns, name);
  return str(rec(cm?.data)[key]);
}

/** The container's environment: envFrom ConfigMaps/Secrets first, then env (later wins, as in Kubernetes). */
export function envOf(index: ObjectIndex, w: Workload, c: ContainerEntry): EnvEntry[] {
  const out = new Map<string, EnvEntry>();
  recs(c.container.envFrom).forEach((ef, i) => {
    const prefix = str(ef.prefix) ?? '';
    const path = [...c.path, 'envFrom', i];
    const cmName = str(rec(ef.configMapRef).name);
    if (cmName) {
      const cm = index.get('ConfigMap', w.namespace, cmName);
      for (const [k, v] of Object.entries(rec(cm?.data))) out.set(prefix + k, { name: prefix + k, ...(typeof v === 'string' ? { value: v } : {}), source: 'configMap', path });
    }
  });
  recs(c.container.env).forEach((e, i) => {
    const name = str(e.name);
    if (!name) return;
    const path = [...c.path, 'env', i];
    if (e.value !== undefined && e.value !== null) return void out.set(name, { name, value: text(e.value, ''), source: 'literal', path });
    const from = rec(e.valueFrom);
    if (from.secretKeyRef !== undefined) return void out.set(name, { name, source: 'secret', path });
    if (from.configMapKeyRef !== undefined) {
      const ref = rec(from.configMapKeyRef);
      const value = configMapValue(index, w.namespace, str(ref.name), str(ref.key));
      return void out.set(name, { name, ...(value !== undefined ? { value } : {}), source: 'configMap', path });
    }
    out.set(name, { name, source: e.valueFrom === undefined ? 'literal' : 'other', path, ...(e.valueFrom === undefined ? { value: '' } : {}) });
  });
  return [...out.values()];
}
