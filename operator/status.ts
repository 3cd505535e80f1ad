import { ConditionType, type Condition } from './conditions.js';
import type { EventInput, RegistryStatus } from './port.js';

/** Status comparison and transition Events. Pure. */

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const rec = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(rec).filter((k) => rec[k] !== undefined).sort().map((k) => [k, canonical(rec[k])]));
}

/** True when writing `next` would change what the server holds (times are whole seconds on both sides). */
export function statusChanged(current: RegistryStatus | undefined, next: RegistryStatus): boolean {
  return JSON.stringify(canonical(current ?? {})) !== JSON.stringify(canonical(next));
}

/** Which top-level fields (and which condition types) differ: for debug logs when status is written. */
export function changedFields(current: RegistryStatus | undefined, next: RegistryStatus): string[] {
  const a = (current ?? {}) as Record<string, unknown>;
  const b = next as Record<string, unknown>;
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (k === 'conditions') continue;
    if (JSON.stringify(canonical(a[k])) !== JSON.stringify(canonical(b[k]))) out.push(k);
  }
  const before = new Map((current?.conditions ?? []).map((c) => [c.type, JSON.stringify(canonical(c))]));
  for (const c of next.conditions ?? []) if (before.get(c.type) !== JSON.stringify(canonical(c))) out.push(`conditions.${c.type}`);
  return out;
}

const MAX_EVENT_MESSAGE = 1024;

/**
 * One Event per condition whose status or reason changed; on first sight only Ready and failing
 * conditions are evented. Messages are the condition messages, which never hold secret values.
 */
export function transitionEvents(previous: readonly Condition[], next: readonly Condition[]): EventInput[] {
  const before = new Map(previous.map((c) => [c.type, c]));
  const out: EventInput[] = [];
  for (const c of next) {
    const old = before.get(c.type);
    const changed = old ? old.status !== c.status || old.reason !== c.reason : c.type === ConditionType.Ready || c.status !== 'True';
    if (!changed) continue;
    const message = `${c.type}=${c.status}: ${c.message}`;
    out.push({ type: c.status === 'True' ? 'Normal' : 'Warning', reason: c.reason, message: message.length > MAX_EVENT_MESSAGE ? `${message.slice(0, MAX_EVENT_MESSAGE - 1)}…` : message });
  }
  return out;
}
