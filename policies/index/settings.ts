/**
 * Settings written as text inside a ConfigMap key (server.properties, odoo.conf, a YAML config) and
 * the workloads that read a ConfigMap: what the rules that look into configuration files need.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import { rec, recs, str } from './access.js';
import type { ObjectIndex } from './object-index.js';
import type { Workload } from './workloads.js';

export interface Setting {
  /** The name as written (`listener.security.protocol.map`, `verificationMode`, `admin_passwd`). */
  readonly name: string;
  /** The value without surrounding quotes, trailing ` # comment` or white space. */
  readonly value: string;
  /** `=` (properties, INI, TOML) or `:` (YAML). */
  readonly separator: '=' | ':';
}

/** A setting as a message quotes it: `verificationMode: none`, `verify_ssl = False`. */
export function showSetting(s: Setting): string {
  return s.separator === ':' ? `${s.name}: ${s.value}` : `${s.name} = ${s.value}`;
}

/** `name = value` / `name: value` lines of a properties, INI or YAML settings file (`;`/`#` comment lines skipped). */
const SETTING_LINE = /^[ \t]*(?:-[ \t]+)?([A-Za-z_][\w.-]*)[ \t]*([=:])[ \t]*(.*)$/gm;

/** The `name = value` settings of a multi-line text, in order; a YAML block's children are settings of their own. */
export function settingsOf(text: string): Setting[] {
  const out: Setting[] = [];
  for (const m of text.matchAll(SETTING_LINE)) {
    const value = (m[3] ?? '').replace(/\s+[#;].*$/, '').trim().replace(/^(['"])(.*)\1$/, '$2');
    out.push({ name: m[1] ?? '', value, separator: m[2] === ':' ? ':' : '=' });
  }
  return out;
}

/** The string entries of a ConfigMap's `data`. */
export function configMapEntries(cm: KubeObject): [string, string][] {
  return Object.entries(rec(cm.data)).filter((e): e is [string, string] => typeof e[1] === 'string');
}

function readsConfigMap(w: Workload, name: string): boolean {
  const volumes = recs(w.podSpec.volumes);
  if (volumes.some((v) => str(rec(v.configMap).name) === name || recs(rec(v.projected).sources).some((s) => str(rec(s.configMap).name) === name))) return true;
  return w.containers.some((c) => recs(c.container.envFrom).some((ef) => str(rec(ef.configMapRef).name) === name)
    || recs(c.container.env).some((e) => str(rec(rec(e.valueFrom).configMapKeyRef).name) === name));
}

/** The workloads of the ConfigMap's namespace that mount it or read it into their environment. */
export function configMapReaders(index: ObjectIndex, cm: KubeObject): Workload[] {
  const ns = index.namespaceOf(cm);
  if (ns === undefined) return [];
  return index.workloadsIn(ns).filter((w) => readsConfigMap(w, cm.metadata.name));
}
