/**
 * Where the TLS and SEC-006/007 rules look for settings: each container's environment (literal and
 * through ConfigMaps, via envOf), its command and args, and ConfigMap data — a settings file
 * inside a key (server.properties, odoo.conf, opensearch_dashboards.yml, a script), or a single
 * `KEY: value` entry that no workload reads into its environment (those are reported where envOf
 * puts them, once). Each place says how a finding names it and points at it.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str, strs } from '../index/access.js';
import { envOf } from '../index/env.js';
import type { ObjectIndex } from '../index/object-index.js';
import { configMapEntries, configMapReaders, settingsOf } from '../index/settings.js';
import { describeContainer, type Workload } from '../index/workloads.js';
import type { FieldPath } from '../load/types.js';
import type { Finding, Rule } from '../types.js';
import { findingOf } from './util.js';

/** One setting with where it lives: `Deployment sr/x container "c" env FOO`, `ConfigMap sr/cm key "k"`. */
export interface PlacedSetting {
  readonly name: string;
  readonly value: string;
  readonly where: string;
  readonly path: FieldPath;
  /** How a settings file writes it (absent for env and ConfigMap entries). */
  readonly separator?: '=' | ':';
}

/** Settings read together (one container's environment, one settings file, one ConfigMap's loose entries). */
export interface SettingGroup {
  /** A container's env (texts: its command and args), one settings file in a ConfigMap key (texts: the file), or loose ConfigMap entries. */
  readonly kind: 'container' | 'file' | 'entries';
  readonly object: KubeObject;
  readonly settings: readonly PlacedSetting[];
  /** Whole texts of the group (a file, args, command) for patterns that are not settings (`curl -k`). */
  readonly texts: readonly { readonly text: string; readonly where: string; readonly path: FieldPath }[];
  /** The workloads that run with these settings (personal data raises the severity). */
  readonly workloads: readonly Workload[];
}

function containerGroups(index: ObjectIndex, w: Workload): SettingGroup[] {
  return w.containers.map((c) => {
    const settings = envOf(index, w, c).flatMap((e) => (e.value !== undefined && (e.source === 'literal' || e.source === 'configMap')
      ? [{ name: e.name, value: e.value, where: `${describeContainer(w, c)} env ${e.name}`, path: e.path }] : []));
    const texts = (['command', 'args'] as const).flatMap((field) => {
      const parts = strs(c.container[field]);
      return parts.length ? [{ text: parts.join(' '), where: `${describeContainer(w, c)} ${field}`, path: [...c.path, field] }] : [];
    });
    return { kind: 'container', object: w.object, settings, texts, workloads: [w] };
  });
}

/** Keys of the ConfigMap some workload reads into its environment (envFrom: all of them). */
function keysReadAsEnv(index: ObjectIndex, cm: KubeObject): Set<string> | 'all' {
  const keys = new Set<string>();
  for (const w of configMapReaders(index, cm)) {
    for (const c of w.containers) {
      if (recs(c.container.envFrom).some((ef) => str(rec(ef.configMapRef).name) === cm.metadata.name)) return 'all';
      for (const e of recs(c.container.env)) {
        const ref = rec(rec(e.valueFrom).configMapKeyRef);
        if (str(ref.name) === cm.metadata.name && str(ref.key)) keys.add(str(ref.key) ?? '');
      }
    }
  }
  return keys;
}

function configMapGroups(index: ObjectIndex, cm: KubeObject): SettingGroup[] {
  const where = `ConfigMap ${index.namespaceOf(cm) ?? ''}/${cm.metadata.name}`;
  const workloads = configMapReaders(index, cm);
  const asEnv = keysReadAsEnv(index, cm);
  const entries = configMapEntries(cm);
  const files = entries.filter(([, v]) => v.includes('\n')).map(([key, text]): SettingGroup => {
    const at = { where: `${where} key "${key}"`, path: ['data', key] };
    return { kind: 'file', object: cm, settings: settingsOf(text).map((s) => ({ ...s, ...at })), texts: [{ text, ...at }], workloads };
  });
  const loose = asEnv === 'all' ? [] : entries.filter(([k, v]) => !v.includes('\n') && !asEnv.has(k))
    .map(([key, value]) => ({ name: key, value, where: `${where} key "${key}"`, path: ['data', key] }));
  return loose.length ? [...files, { kind: 'entries', object: cm, settings: loose, texts: [], workloads }] : files;
}

/** Every group of settings in the input. */
export function settingGroups(index: ObjectIndex): SettingGroup[] {
  return [...index.workloads.flatMap((w) => containerGroups(index, w)), ...index.ofKind('ConfigMap').flatMap((cm) => configMapGroups(index, cm))];
}

/** A finding of `rule` on the group's object at `at`, raised one step when a workload of the group holds personal data. */
export function placedFinding(index: ObjectIndex, rule: Rule, group: SettingGroup, at: { readonly where: string; readonly path: FieldPath }, what: string): Finding {
  return findingOf(index, rule, group.object, `${at.where} ${what}`, { path: at.path, raised: group.workloads.some((w) => index.holdsPersonalData(w)) });
}

/** `disable`, `0`, `false`, `no`, `off` (any case). */
export const isOff = (v: string): boolean => /^(false|0|no|off|none|disabled?)$/i.test(v.trim());
/** `true`, `1`, `yes`, `on` (any case). */
export const isOn = (v: string): boolean => /^(true|1|yes|on)$/i.test(v.trim());
/** A setting name without case or separators: `KAFKA_CFG_BOOTSTRAP_SERVERS` → `kafkacfgbootstrapservers`. */
export const compact = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');
